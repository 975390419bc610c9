// Keystore files the page must refuse, each with its reason. Env: CONSOLE_URL, CASES (JSON:
// [[name, path, password], …]).
import { answer, launch, openPage } from "./browser.mjs";

const browser = await launch();
const out = { refusals: {} };
let page;
try {
  page = await openPage(browser);
  await page.goto(`${process.env.CONSOLE_URL}/console/#/workspace`);
  for (const [name, file, password] of JSON.parse(process.env.CASES)) {
    await page.getByLabel("密钥文件").setInputFiles(file);
    await page.getByLabel("密钥密码").fill(password);
    await page.getByRole("button", { name: "打开密钥" }).click();
    const refusal = page.locator("#main .error", { hasText: "无法打开密钥" });
    await refusal.waitFor();
    out.refusals[name] = await refusal.innerText();
    await page.evaluate(() => document.querySelector("#main .error").remove());
  }
  out.opened = await page.locator("[data-key-open]").count();
  out.problems = page.problems;
} finally {
  await browser.close();
}
answer(out);
