// Art. 11 in the browser: the Data Center's officer, on its page, records that the civil affairs
// bureau refused to collect data without a legal basis (an empty form refused in the page first),
// signed with its SM2 key; the Office's officer reports it from the Office's page; the bureau reads
// its refusal, reported, in its workspace. Env: CONSOLE_URL, DATA_CENTER_KEY, OFFICE_KEY, CIVIL_KEY,
// PASSWORD, UNIT_ID (the bureau's).
import { answer, lowContrast, openKey, sectionText, snap, switchKey, unlabelled, withPage } from "./browser.mjs";

const base = `${process.env.CONSOLE_URL}/console/`;
const out = {};

await withPage(async (page) => {
  await page.goto(`${base}#/datacenter`);
  await openKey(page, process.env.DATA_CENTER_KEY, process.env.PASSWORD);
  const form = page.locator("details", { has: page.getByLabel("拒绝归集的数据", { exact: true }) });
  await form.locator("summary").click();
  const send = page.getByRole("button", { name: "签名并记录拒绝归集" });
  await send.click();
  out.emptyForm = await form.locator(".error").innerText();
  await page.getByLabel("拒绝归集的单位", { exact: true }).selectOption(process.env.UNIT_ID);
  await page.getByLabel("拒绝归集的数据", { exact: true }).fill("低保对象的入户核查记录");
  await page.getByLabel("拒绝的依据", { exact: true }).selectOption("no_legal_basis");
  out.unlabelled = await unlabelled(page);
  out.lowContrast = await lowContrast(page);
  out.screenshots = await snap(page, "datacenter-refusals");
  await send.click();
  const recorded = form.locator("[data-refusal-recorded]");
  out.recordTx = await recorded.getAttribute("data-refusal-recorded", { timeout: 60_000 });
  out.refusalId = await recorded.getAttribute("data-refusal-id");
  const id = out.refusalId.slice(0, 12);

  await switchKey(page, `${base}#/inspection`, process.env.OFFICE_KEY, process.env.PASSWORD);
  await page.goto(`${base}#/office`);
  const report = page.getByRole("button", { name: `签名并报告拒绝归集 ${id}` });
  const summary = page.locator("summary", { hasText: `报告 ${id}` });
  out.officeText = await sectionText(page, "拒绝归集与报告", summary);
  await summary.click();
  const reportForm = page.locator("details", { has: report });
  await report.click();
  out.emptyReport = await reportForm.locator(".error").innerText();
  await page.getByLabel(`报告内容（${id}）`).fill("区民政局未提出法律、法规依据，拒绝向区大数据中心归集低保对象的入户核查记录");
  out.unlabelled.push(...(await unlabelled(page)));
  out.lowContrast.push(...(await lowContrast(page)));
  out.screenshots.push(...(await snap(page, "office-refusals")));
  await report.click();
  out.reportTx = await reportForm.locator("[data-refusal-report]").getAttribute("data-refusal-report", { timeout: 60_000 });
  out.reportedText = await sectionText(page, "拒绝归集与报告", page.locator(`[data-refusal-reported='${out.refusalId}']`));

  await switchKey(page, `${base}#/inspection`, process.env.CIVIL_KEY, process.env.PASSWORD);
  await page.goto(`${base}#/workspace`);
  out.unitText = await sectionText(page, "本单位拒绝归集的记录", page.locator(`[data-refusal-reported='${out.refusalId}']`));
  out.problems = page.problems;
});
answer(out);
