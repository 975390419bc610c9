// Art. 16 in the browser: the responsible unit's officer sees a data objection among its duties and
// in the workspace's objections, is refused a handling without its verification, then signs the
// handling. Env: CONSOLE_URL, OFFICER_KEY, PASSWORD, OBJECTION_ID.
import { answer, lowContrast, openKey, sectionText, snap, unlabelled, withPage } from "./browser.mjs";

const base = `${process.env.CONSOLE_URL}/console/`;
const id = process.env.OBJECTION_ID.slice(0, 12);
const section = "h2:has-text('对本单位数据的异议') + div";
const out = {};
await withPage(async (page) => {
  await page.goto(`${base}#/workspace`);
  await openKey(page, process.env.OFFICER_KEY, process.env.PASSWORD);
  out.dutiesText = await sectionText(page, "待办职责", page.locator("[data-rule='art16_objection']"));
  out.dutyRules = await page.locator("[data-rule]").evaluateAll((els) => els.map((el) => el.dataset.rule));
  await page.locator(`${section} [data-objection]`).waitFor();
  out.objectionsText = await page.locator(section).innerText();
  await page.locator(section).getByText("核实并处理").click();
  const send = page.getByRole("button", { name: `签名并提交处理结果 ${id}` });
  await send.click();
  out.emptyVerification = await page.locator(`${section} .error`).innerText();
  await page.getByLabel(`处理结论（${id}）`).selectOption("corrected");
  await page.getByLabel(`核实情况（${id}）`).fill("与门牌库比对，3 条住址确有错误");
  await page.getByLabel(`更正措施（${id}）`).fill("已更正并重新推送");
  out.unlabelled = await unlabelled(page);
  out.lowContrast = await lowContrast(page);
  out.screenshots = await snap(page, "workspace-objection");
  // A platform whose message says "confirmed" for a "corrected" handling is refused before signing.
  await page.route("**/v1/quality/typed-data", async (route) => {
    const response = await route.fetch();
    const typed = await response.json();
    typed.message.code = 2;
    await route.fulfill({ status: response.status(), headers: response.headers(), body: JSON.stringify(typed) });
  }, { times: 1 });
  await send.click();
  out.tamperedCode = await page.locator(`${section} .error`, { hasText: "拒绝签名" }).innerText();
  await send.click();
  out.handleTx = await page.locator("[data-objection-handled]").getAttribute("data-objection-handled", { timeout: 60_000 });
  await page.locator(`${section} [data-objection-state='handled_on_time']`).waitFor({ timeout: 30_000 });
  out.handledText = await page.locator(section).innerText();
  out.problems = page.problems;
});
answer(out);
