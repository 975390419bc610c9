// The Audit page saved as one file and opened from disk, with no platform API anywhere: only the
// chain's RPC URL and the deployment file. Env: AUDIT_HTML, RPC_URL, DEPLOYMENT, DOCUMENT_FILE,
// TAMPERED_FILE (paths: a catalog document, a commitment or a usage evidence bundle), SHOTS (the
// screenshots' name).
import { answer, screenshots, unlabelled, withPage } from "./browser.mjs";

const url = `file://${process.env.AUDIT_HTML}`;
const out = {};
await withPage(async (page, browser) => {
  await page.goto(url);
  await page.getByLabel("链节点 RPC 地址").fill(process.env.RPC_URL);
  await page.getByLabel("部署信息文件").setInputFiles(process.env.DEPLOYMENT);
  await page.getByText("已载入部署信息").waitFor();
  out.unlabelled = await unlabelled(page);
  const verify = async (file) => {
    await page.getByLabel("选择文档文件").setInputFiles(file);
    await page.waitForFunction(() => document.querySelector("textarea").value.length > 0);
    await page.getByRole("button", { name: "核验" }).click();
    await page.locator("[data-verdict]").waitFor();
    const verdict = page.locator("[data-verdict]");
    return { verdict: await verdict.getAttribute("data-verdict"), text: await verdict.innerText() };
  };
  out.genuine = await verify(process.env.DOCUMENT_FILE);
  await page.getByLabel("或粘贴文档 JSON").fill("");
  await page.evaluate(() => document.querySelector("[role=status][aria-live]").replaceChildren());
  out.tampered = await verify(process.env.TAMPERED_FILE);
  out.problems = page.problems;
  out.screenshots = await screenshots(browser, url, process.env.SHOTS ?? "audit-offline", "h1");
});
answer(out);
