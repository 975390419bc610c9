// The Data Center returns a version with its reason (Art. 13); the owner corrects the entry and
// resubmits it. Env: CONSOLE_URL, OWNER_KEY, REVIEWER_KEY, PASSWORD, ENTRY_NAME.
import { answer, openKey, withPage } from "./browser.mjs";

const base = `${process.env.CONSOLE_URL}/console/`;
const name = process.env.ENTRY_NAME;
const out = {};
await withPage(async (page) => {
  await page.goto(`${base}#/datacenter`);
  await openKey(page, process.env.REVIEWER_KEY, process.env.PASSWORD);
  await page.getByRole("link", { name }).waitFor();
  await page.getByText("退回", { exact: true }).click();
  await page.getByLabel("退回原因").selectOption("1");
  await page.getByLabel("退回说明").fill("缺少数据项说明，请补充后重新提交");
  await page.getByRole("button", { name: "签名并退回" }).click();
  await page.locator("[data-reviewed]").waitFor({ timeout: 60_000 });
  out.returnTx = await page.locator("[data-reviewed]").getAttribute("data-reviewed");

  await page.goto(`${base}#/workspace`);
  await page.getByRole("button", { name: "关闭密钥" }).click();
  await openKey(page, process.env.OWNER_KEY, process.env.PASSWORD);
  await page.getByRole("button", { name: `修改后重新提交 ${name}` }).click();
  await page.locator('[data-mode="resubmit"]').waitFor();
  await page.getByLabel("数据项", { exact: true }).fill("姓名,string,优抚对象姓名\n身份证号,string,公民身份号码\n居住地址,string");
  await page.locator("[data-valid]").waitFor();
  await page.getByRole("button", { name: "签名并提交" }).click();
  await page.locator("[data-confirmed][data-version='2']").waitFor({ timeout: 60_000 });
  out.resubmitTx = await page.locator("[data-tx]").getAttribute("data-tx");
  out.problems = page.problems;
});
answer(out);
