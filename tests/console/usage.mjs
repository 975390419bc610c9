// The usage log in the console: the demand unit's and the owner's uses in the unit workspace with
// the CSV export, a record's evidence bundle verified on the Audit page from the chain alone (and a
// changed one refused with the reason), the inspection view for a regulator's key and not for an
// ordinary unit's. Env: CONSOLE_URL, USER_KEY, OWNER_KEY, REGULATOR_KEY, PASSWORD, ANCHORED_ID,
// OWNER_TOTAL, CHANGED (JSON: {name: bundle text the page must refuse}).
import { readFileSync } from "node:fs";
import { answer, lowContrast, openKey, sectionText, snap, unlabelled, withPage } from "./browser.mjs";

const base = `${process.env.CONSOLE_URL}/console/`;
const out = { screenshots: [], lowContrast: [] };
let page;
const usesShown = async () => {
  await page.locator("[data-uses]").waitFor();
  return {
    total: Number(await page.locator("[data-uses]").getAttribute("data-uses")),
    text: await sectionText(page, "数据使用记录", page.locator("[data-uses]")),
  };
};
const closeKey = () => page.getByRole("button", { name: "关闭密钥" }).click();
await withPage(async (opened) => {
  page = opened;
  // The demand unit: the uses it made, the refused one with its reason; the CSV export.
  await page.goto(`${base}#/workspace`);
  out.userKey = await openKey(page, process.env.USER_KEY, process.env.PASSWORD);
  out.asUser = await usesShown();
  out.unlabelled = await unlabelled(page);
  out.lowContrast.push(...(await lowContrast(page)));
  const [csv] = await Promise.all([page.waitForEvent("download"), page.getByRole("button", { name: "导出 CSV" }).click()]);
  out.csvName = csv.suggestedFilename();
  out.csv = readFileSync(await csv.path(), "utf8");
  await page.getByLabel("结果").selectOption("refused");
  await page.getByRole("button", { name: "查询" }).click();
  await page.locator("[data-uses='1']").waitFor();
  out.refusedOnly = await usesShown();
  await page.getByLabel("范围").selectOption("owner");
  await page.getByLabel("结果").selectOption("");
  await page.getByRole("button", { name: "查询" }).click();
  await page.locator("[data-uses='0']").waitFor();
  out.userAsOwner = (await usesShown()).total;
  out.screenshots.push(...(await snap(page, "workspace-uses")));

  // The owner: the uses of its data; one record's evidence handed to the Audit page.
  await closeKey();
  out.ownerKey = await openKey(page, process.env.OWNER_KEY, process.env.PASSWORD);
  await page.getByLabel("范围").selectOption("owner");
  await page.getByRole("button", { name: "查询" }).click();
  await page.locator(`[data-uses='${process.env.OWNER_TOTAL}']`).waitFor();
  out.asOwner = await usesShown();
  await page.getByRole("button", { name: `在链上核验使用记录 ${process.env.ANCHORED_ID}` }).click();
  await page.getByText("已载入部署信息").waitFor();
  out.handed = await page.getByLabel("或粘贴文档 JSON").inputValue();
  await page.getByRole("button", { name: "核验" }).click();
  await page.locator("[data-verdict]").waitFor();
  out.verdict = await page.locator("[data-verdict]").getAttribute("data-verdict");
  out.verdictText = await page.locator("[data-verdict]").innerText();
  out.recordText = await page.locator("dl.elements").innerText();
  out.unlabelledAudit = await unlabelled(page);
  out.lowContrast.push(...(await lowContrast(page)));
  out.screenshots.push(...(await snap(page, "audit-usage")));
  // Changed bundles: each is refused with its reason.
  out.refusals = {};
  for (const [name, text] of Object.entries(JSON.parse(process.env.CHANGED))) {
    await page.getByLabel("或粘贴文档 JSON").fill(text);
    await page.getByRole("button", { name: "核验" }).click();
    await page.locator('[data-verdict="invalid"]').waitFor();
    out.refusals[name] = await page.locator("[data-verdict]").innerText();
    await page.evaluate(() => document.querySelector("[data-verdict]").remove());
  }

  // A regulator's key sees the inspection view; an ordinary unit's is told it is not for it.
  await page.goto(`${base}#/inspection`);
  await closeKey();
  await page.locator("text=打开政务办、大数据中心或监督单位的本人密钥后").waitFor();
  await openKey(page, process.env.OWNER_KEY, process.env.PASSWORD);
  out.ordinaryInspection = await page.locator("text=使用监督仅对").innerText();
  await closeKey();
  out.regulatorKey = await openKey(page, process.env.REGULATOR_KEY, process.env.PASSWORD);
  await page.locator("[data-inspection]").waitFor();
  out.inspectionText = await page.locator("[data-inspection]").innerText();
  out.unlabelledInspection = await unlabelled(page);
  out.witnessBefore = await sectionText(page, "见证检查点", page.locator("[data-witness]"));
  await page.getByRole("button", { name: "核对一致性并联署" }).click();
  await page.locator("[data-cosigned]").waitFor({ timeout: 60_000 });
  out.cosigned = await page.locator("[data-cosigned]").innerText();
  out.lowContrast.push(...(await lowContrast(page)));
  out.screenshots.push(...(await snap(page, "inspection")));
  out.problems = page.problems;
});
answer(out);
