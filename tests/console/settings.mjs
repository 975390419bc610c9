// The Office's settings in the browser: its officer publishes a new deadline for handling a data
// objection (a value out of range and an empty reason refused in the page first), signed with its
// SM2 key; the table then shows the value in force. Env: CONSOLE_URL, OFFICE_KEY, PASSWORD.
import { answer, lowContrast, openKey, sectionText, snap, unlabelled, withPage } from "./browser.mjs";

const base = `${process.env.CONSOLE_URL}/console/`;
const out = {};
const heading = "政务办设置（期限等）";

await withPage(async (page) => {
  await page.goto(`${base}#/inspection`);
  await openKey(page, process.env.OFFICE_KEY, process.env.PASSWORD);
  await page.goto(`${base}#/office`);
  const form = page.getByRole("form", { name: "公布设置" });
  await form.waitFor();
  await page.getByLabel("设置项").selectOption("objectionHandlingDays");
  await page.getByLabel("新的取值").fill("40");
  await form.getByRole("button", { name: "签名并公布设置" }).click();
  out.outOfRange = await form.locator(".error").innerText();
  await page.getByLabel("新的取值").fill("7");
  await form.getByRole("button", { name: "签名并公布设置" }).click();
  out.noReason = await form.locator(".error").innerText();
  await page.getByLabel("调整理由").fill("区府办〔2026〕12号：数据异议较多，处理期限延长至七个工作日");
  out.unlabelled = await unlabelled(page);
  out.lowContrast = await lowContrast(page);
  out.screenshots = await snap(page, "office-settings");
  await form.getByRole("button", { name: "签名并公布设置" }).click();
  out.publishedTx = await form.locator("[data-setting-published]").getAttribute("data-setting-published", { timeout: 60_000 });
  out.settingsText = await sectionText(page, heading, page.locator("[data-setting='objectionHandlingDays'][data-value='7']"));
  out.problems = page.problems;
});
answer(out);
