// Art. 22 on the Data Center's page: a fusion plan approved, another returned (an empty reason
// refused in the page first), an issued fusion grant recorded as served, then evaluated (Art. 31).
// Env: CONSOLE_URL, DATA_CENTER_KEY, PASSWORD, APPROVE_ID, RETURN_ID, SERVE_ID.
import { answer, lowContrast, openKey, sectionText, snap, unlabelled, withPage } from "./browser.mjs";

const base = `${process.env.CONSOLE_URL}/console/`;
const [approve, ret, serve] = ["APPROVE_ID", "RETURN_ID", "SERVE_ID"].map((k) => process.env[k].slice(0, 12));
const section = (p) => p.locator("h2:has-text('融合治理方案') + div");
const out = {};
await withPage(async (page) => {
  await page.goto(`${base}#/datacenter`);
  await openKey(page, process.env.DATA_CENTER_KEY, process.env.PASSWORD);
  const pass = page.getByRole("button", { name: `签名并通过方案 ${approve}` });
  out.plansText = await sectionText(page, "融合治理方案", pass);
  out.serveText = await sectionText(page, "融合治理方案", page.getByRole("button", { name: `签名并记录供给 ${serve}` }));
  out.unlabelled = await unlabelled(page);
  out.lowContrast = await lowContrast(page);
  out.screenshots = await snap(page, "datacenter-fusion");

  await pass.click();
  out.approveTx = await page.locator("[data-plan-reviewed]").getAttribute("data-plan-reviewed", { timeout: 60_000 });
  await pass.waitFor({ state: "detached" }); // redrawn from the mirror

  const back = page.getByRole("button", { name: `签名并退回方案 ${ret}` });
  await section(page).getByText("退回（须说明原因）").click();
  await back.click();
  out.emptyReturn = await section(page).locator(".error").innerText();
  await page.getByLabel(`方案需修改之处（${ret}）`).fill("参与部门未明确数据融合后的保管责任");
  await back.click();
  out.returnTx = await page.locator("[data-plan-reviewed]").getAttribute("data-plan-reviewed", { timeout: 60_000 });
  await back.waitFor({ state: "detached" });

  await page.getByLabel(`供给说明（${serve}）`).fill("融合数据已通过区大数据资源分平台接口提供");
  await page.getByRole("button", { name: `签名并记录供给 ${serve}` }).click();
  out.serveTx = await page.locator("[data-served]").getAttribute("data-served", { timeout: 60_000 });
  await page.getByRole("button", { name: `签名并记录供给 ${serve}` }).waitFor({ state: "detached" });

  // Art. 31: a security evaluation of the fusion grant (an out-of-range score refused first).
  const form = page.locator("form[aria-label='记录评价']");
  await form.getByLabel("评价种类").selectOption("security");
  await form.getByLabel("评价对象").selectOption(process.env.SERVE_ID);
  await form.getByLabel("评价期间").fill("2026 年第一季度");
  await form.getByLabel("得分（0–100）").fill("150");
  await form.getByLabel("主要发现").fill("融合数据访问控制到位，日志留存完整");
  await form.getByRole("button", { name: "签名并记录评价" }).click();
  out.badScore = await form.locator(".error").innerText();
  await form.getByLabel("得分（0–100）").fill("85");
  out.unlabelled.push(...(await unlabelled(page)));
  await form.getByRole("button", { name: "签名并记录评价" }).click();
  const evaluated = page.locator("[data-evaluated]");
  out.evaluationTx = await evaluated.getAttribute("data-evaluated", { timeout: 60_000 });
  out.evaluationId = await evaluated.getAttribute("data-evaluation-id");
  out.evaluationsText = await sectionText(page, "质量、成效与安全评价", page.locator(`[data-evaluation='${out.evaluationId}']`));
  out.problems = page.problems;
});
answer(out);
