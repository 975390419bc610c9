// An officer applies with the platform signing service for the commitment (Art. 18). Env:
// CONSOLE_URL, OFFICER_KEY, PASSWORD, PLATFORM_KEY_ID, ENTRY_LABEL.
import { answer, openKey, withPage } from "./browser.mjs";

const base = `${process.env.CONSOLE_URL}/console/`;
const out = {};
await withPage(async (page) => {
  await page.goto(`${base}#/workspace`);
  await openKey(page, process.env.OFFICER_KEY, process.env.PASSWORD);
  await page.getByLabel("申请的目录条目").selectOption({ label: process.env.ENTRY_LABEL });
  await page.getByLabel("申请编号").fill("CF-2026-301");
  await page.getByLabel("申请的数据项").fill("姓名");
  await page.getByLabel("应用场景编码").fill("低保审核");
  await page.getByLabel("应用场景名称").fill("低保申请审核");
  await page.getByLabel("法律法规依据").fill("《社会救助暂行办法》第十一条");
  await page.getByLabel("业务目标").fill("核实低保申请家庭的保障情况");
  await page.getByLabel("由平台签名服务签署承诺书").check();
  await page.getByLabel("平台保管的密钥编号").fill(process.env.PLATFORM_KEY_ID);
  await page.getByRole("button", { name: "签署承诺书并申请" }).click();
  await page.locator("[data-applied]").waitFor({ timeout: 60_000 });
  out.demandId = await page.locator("[data-applied]").getAttribute("data-applied");
  out.commitment = JSON.parse(await page.locator("[data-commitment]").textContent());
  out.problems = page.problems;
});
answer(out);
