// Art. 14: the civil affairs bureau records an adjustment plan for its entry in live use (an empty
// plan refused in the page first); the Data Center and the street agree to it on their pages; the
// bureau sees it agreed. Env: CONSOLE_URL, CIVIL_KEY, STREET_KEY, DATA_CENTER_KEY, PASSWORD.
import { answer, launch, lowContrast, openKey, openPage, snap, sectionText, unlabelled } from "./browser.mjs";

const base = `${process.env.CONSOLE_URL}/console/`;
const code = "MZJ-0001";
const browser = await launch();
const out = { unlabelled: [], lowContrast: [] };
let page;

/** Close the open key and open `file` on `hash`; 401s of reads racing the change are set aside (objection.mjs). */
async function switchKey(hash, file) {
  await page.goto(`${base}${hash}`);
  const before = page.problems.length;
  await page.getByRole("button", { name: "关闭密钥" }).click();
  await openKey(page, file, process.env.PASSWORD);
  page.problems.splice(before, Infinity, ...page.problems.slice(before).filter((p) => !p.includes("status of 401")));
}

async function checks(name) {
  out.unlabelled.push(...(await unlabelled(page)));
  out.lowContrast.push(...(await lowContrast(page)));
  await snap(page, name);
}

try {
  page = await openPage(browser);
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

  await switchKey("#/datacenter", process.env.DATA_CENTER_KEY);
  await page.getByRole("button", { name: `签名并同意调整方案 ${code}` }).click();
  out.dataCenterTx = await page.locator("[data-plan-acknowledged]").getAttribute("data-plan-acknowledged", { timeout: 60_000 });
  await page.getByText("没有待本单位同意的调整方案").waitFor();
  await checks("datacenter-adjustment");

  await switchKey("#/workspace", process.env.STREET_KEY);
  await page.getByLabel(`意见（${code}，可不填）`).fill("同意迁移");
  await page.getByRole("button", { name: `签名并同意调整方案 ${code}` }).click();
  out.streetTx = await page.locator("[data-plan-acknowledged]").getAttribute("data-plan-acknowledged", { timeout: 60_000 });
  await page.getByText("没有待本单位同意的调整方案").waitFor();

  await switchKey("#/workspace", process.env.CIVIL_KEY);
  out.agreedText = await sectionText(page, "在用条目的调整方案", page.locator("[data-plan-agreed]"));
  out.problems = page.problems;
} catch (error) {
  if (page) console.error(`at ${page.url()}:\n${await page.locator("main").innerText()}\n${page.problems.join("\n")}`);
  throw error;
} finally {
  await browser.close();
}
answer(out);
