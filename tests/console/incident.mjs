// Art. 29 in a unit's workspace: report a data security incident (an empty report refused in the
// page first), record its handling, close it (an empty closure refused first).
// Env: CONSOLE_URL, STREET_KEY, PASSWORD.
import { answer, lowContrast, openKey, sectionText, snap, unlabelled, withPage } from "./browser.mjs";

const base = `${process.env.CONSOLE_URL}/console/`;
const section = "h2:has-text('数据安全事件') + div";
const out = {};
await withPage(async (page) => {
  await page.goto(`${base}#/workspace`);
  await openKey(page, process.env.STREET_KEY, process.env.PASSWORD);
  const report = page.getByRole("button", { name: "签名并报告" });
  await report.waitFor();
  await report.click();
  out.emptyReport = await page.locator(`${section} form .error`).innerText();
  await page.getByLabel("事件级别").selectOption("larger");
  await page.getByLabel("事件概况").fill("共享接口账号异常批量调用，疑似口令泄露");
  await page.getByLabel("已采取的处置措施").fill("已停用该账号并通知大数据中心");
  await page.getByLabel("涉及的共享授权（可多选，可不选）").selectOption({ index: 0 });
  await page.getByLabel("区公安分局").check();
  out.unlabelled = await unlabelled(page);
  out.lowContrast = await lowContrast(page);
  out.screenshots = await snap(page, "workspace-incident");
  await report.click();
  const done = page.locator("[data-incident-reported]");
  out.reportTx = await done.getAttribute("data-incident-reported", { timeout: 60_000 });
  out.incidentId = await done.getAttribute("data-incident-id");
  const id = out.incidentId.slice(0, 12);

  // Redrawn from the mirror: the incident listed, open, with its handling form.
  await page.getByLabel(`处置进展（${id}）`).fill("已更换全部接口账号口令并复核调用日志");
  await page.getByRole("button", { name: `签名并记录处置进展 ${id}` }).click();
  out.handlingTx = await page.locator("[data-handling]").getAttribute("data-handling", { timeout: 60_000 });
  await page.locator(`${section} [data-incident-state='open']`, { hasText: "处置记录 1 条" }).waitFor();

  await page.getByText("结案", { exact: true }).click();
  const close = page.getByRole("button", { name: `签名并结案 ${id}` });
  await close.click();
  out.emptyClosure = await page.locator(`${section} table .error`).innerText();
  await page.getByLabel(`事件原因（${id}）`).fill("接口账号口令强度不足");
  await page.getByLabel(`处置结论（${id}）`).fill("未发现数据外泄，调用已恢复正常");
  await close.click();
  out.closeTx = await page.locator("[data-closed]").getAttribute("data-closed", { timeout: 60_000 });
  out.stateText = await sectionText(page, "数据安全事件", page.locator("[data-incident-state='closed']"));
  out.unlabelled.push(...(await unlabelled(page)));
  out.problems = page.problems;
});
answer(out);
