// Art. 14: the civil affairs bureau records an adjustment plan for its entry in live use (an empty
// plan refused in the page first); the Data Center and the street agree to it on their pages; the
// bureau sees it agreed. Env: CONSOLE_URL, CIVIL_KEY, STREET_KEY, DATA_CENTER_KEY, PASSWORD.
import { answer, lowContrast, openKey, sectionText, snap, switchKey, unlabelled, withPage } from "./browser.mjs";

const base = `${process.env.CONSOLE_URL}/console/`;
const code = "MZJ-0001";
const out = { unlabelled: [], lowContrast: [] };
let page;

async function checks(name) {
  out.unlabelled.push(...(await unlabelled(page)));
  out.lowContrast.push(...(await lowContrast(page)));
  await snap(page, name);
}

await withPage(async (opened) => {
  page = opened;
  await page.goto(`${base}#/workspace`);
  await openKey(page, process.env.CIVIL_KEY, process.env.PASSWORD);
  await page.getByText("变更或删除前：记录调整方案").click();
  out.liveText = await sectionText(page, "在用条目的调整方案", page.getByRole("button", { name: `签名并记录调整方案 ${code}` }));
  const record = page.getByRole("button", { name: `签名并记录调整方案 ${code}` });
  await record.click();
  out.emptyPlan = await page.locator("h2:has-text('在用条目的调整方案') + div .error").innerText();
  await page.getByLabel(`拟作的变更（${code}）`).fill("数据资源名称改为“最低生活保障对象信息”");
  await page.getByLabel(`处置方案（${code}）`).fill("变更通过后在用授权迁移到新版本，数据项不变");
  await page.getByLabel(`在用授权的处置（${code}）`).selectOption("move");
  await checks("workspace-adjustment");
  await record.click();
  out.planTx = await page.locator("[data-plan-recorded]").getAttribute("data-plan-recorded", { timeout: 60_000 });
  await page.locator("[data-adjustment-plan]").waitFor();

  await switchKey(page, `${base}#/datacenter`, process.env.DATA_CENTER_KEY, process.env.PASSWORD);
  await page.getByRole("button", { name: `签名并同意调整方案 ${code}` }).click();
  out.dataCenterTx = await page.locator("[data-plan-acknowledged]").getAttribute("data-plan-acknowledged", { timeout: 60_000 });
  await page.getByText("没有待本单位同意的调整方案").waitFor();
  await checks("datacenter-adjustment");

  await switchKey(page, `${base}#/workspace`, process.env.STREET_KEY, process.env.PASSWORD);
  await page.getByLabel(`意见（${code}，可不填）`).fill("同意迁移");
  await page.getByRole("button", { name: `签名并同意调整方案 ${code}` }).click();
  out.streetTx = await page.locator("[data-plan-acknowledged]").getAttribute("data-plan-acknowledged", { timeout: 60_000 });
  await page.getByText("没有待本单位同意的调整方案").waitFor();

  await switchKey(page, `${base}#/workspace`, process.env.CIVIL_KEY, process.env.PASSWORD);
  out.agreedText = await sectionText(page, "在用条目的调整方案", page.locator("[data-plan-agreed]"));
  out.problems = page.problems;
});
answer(out);
