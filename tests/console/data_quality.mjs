// Art. 15–16: the civil affairs bureau declares an entry's update frequency from its workspace; the
// Data Center records an update received (the file's SM3 computed in the page), a reconciliation
// (an empty period refused first) and an objection from it.
// Env: CONSOLE_URL, CIVIL_KEY, DATA_CENTER_KEY, PASSWORD, ENTRY_ID, BATCH.
import { answer, lowContrast, openKey, sectionText, snap, switchKey, unlabelled, withPage } from "./browser.mjs";

const base = `${process.env.CONSOLE_URL}/console/`;
const entry = process.env.ENTRY_ID;
const id = entry.slice(0, 12);
const quality = "h2:has-text('数据质量') + div";
const out = {};
await withPage(async (page) => {
  await page.goto(`${base}#/workspace`);
  await openKey(page, process.env.CIVIL_KEY, process.env.PASSWORD);
  await page.getByRole("button", { name: "签名并声明更新周期 低保对象信息" }).click();
  out.declareTx = await page.locator("[data-frequency-declared]").getAttribute("data-frequency-declared", { timeout: 60_000 });
  await page.locator("[data-declared='weekly']").waitFor();
  out.unlabelled = await unlabelled(page);

  await switchKey(page, `${base}#/datacenter`, process.env.DATA_CENTER_KEY, process.env.PASSWORD);
  const row = page.locator(`${quality} tr`, { has: page.locator(`[data-schedule='${entry}']`) });
  await row.getByText("记录收到的更新").click();
  await page.getByLabel(`记录条数（${id}）`).fill("2");
  await page.getByLabel(`交付的数据文件（${id}）`).setInputFiles(process.env.BATCH);
  out.unlabelled.push(...(await unlabelled(page)));
  out.lowContrast = await lowContrast(page);
  out.screenshots = await snap(page, "datacenter-quality");
  await page.getByRole("button", { name: `签名并记录更新 ${id}` }).click();
  const updated = page.locator("[data-update-recorded]");
  out.updateTx = await updated.getAttribute("data-update-recorded", { timeout: 60_000 });
  out.updateId = await updated.getAttribute("data-update-id");
  out.qualityText = await sectionText(page, "数据质量", page.locator("td", { hasText: "已收到 1 次更新" }));

  const reconcile = page.locator("form[aria-label='记录对账']");
  await reconcile.getByLabel("对账单位").selectOption({ label: "普陀区民政局" });
  await reconcile.getByRole("button", { name: "签名并记录对账" }).click();
  out.emptyPeriod = await reconcile.locator(".error").innerText();
  await reconcile.getByLabel("对账期间").fill("2026-Q1");
  await reconcile.getByLabel("对账结果").selectOption("discrepancies");
  await reconcile.getByLabel(/^差异/).fill("MZJ-0500，低保金额字段与民政系统不一致");
  await reconcile.getByRole("button", { name: "签名并记录对账" }).click();
  const reconciled = page.locator("[data-reconciled]");
  out.reconcileTx = await reconciled.getAttribute("data-reconciled", { timeout: 60_000 });
  out.reconciliationId = await reconciled.getAttribute("data-reconciliation-id");
  await page.locator(`[data-reconciliation='${out.reconciliationId}']`).waitFor(); // redrawn from the mirror

  const object = page.locator("form[aria-label='提出数据异议']");
  await object.getByLabel("异议的目录条目").selectOption(entry);
  await object.getByLabel("异议来源").selectOption("reconciliation");
  await object.getByLabel("来源对账（可不选）").selectOption(out.reconciliationId);
  await object.getByLabel("异议内容").fill("2026 年 3 月低保金额字段与民政系统不一致");
  await object.getByRole("button", { name: "签名并提出异议" }).click();
  const raised = page.locator("[data-objection-raised]");
  out.objectionTx = await raised.getAttribute("data-objection-raised", { timeout: 60_000 });
  out.objectionId = await raised.getAttribute("data-objection-id");
  out.problems = page.problems;
});
answer(out);
