// Art. 26 in the browser: the demand unit objects to its grant's suspension from its workspace;
// the Data Center answers the objection from its page (an empty reason refused in the page first),
// then confirms a scenario-route application (Art. 19). Env: CONSOLE_URL, HOLDER_KEY,
// DATA_CENTER_KEY, PASSWORD, GRANT_ID, PENDING_ID (the application awaiting confirmation).
import { answer, lowContrast, openKey, sectionText, snap, switchKey, unlabelled, withPage } from "./browser.mjs";

const base = `${process.env.CONSOLE_URL}/console/`;
const id = process.env.GRANT_ID.slice(0, 12);
const out = {};
await withPage(async (page) => {
  await page.goto(`${base}#/workspace`);
  await openKey(page, process.env.HOLDER_KEY, process.env.PASSWORD);
  await page.getByText("对暂停提出异议").click();
  await page.getByLabel("异议理由").fill("该批量导出为年度核查，已向网信办报备");
  await page.getByRole("button", { name: "签名并提出异议" }).click();
  await page.locator("[data-grant-step]").waitFor({ timeout: 60_000 });
  out.objectionTx = await page.locator("[data-grant-step]").getAttribute("data-grant-step");

  await switchKey(page, `${base}#/datacenter`, process.env.DATA_CENTER_KEY, process.env.PASSWORD);
  const uphold = page.getByRole("button", { name: `异议成立，恢复授权 ${id}` });
  await uphold.waitFor();
  out.grantsText = await sectionText(page, "共享授权", uphold);
  out.unlabelled = await unlabelled(page);
  await uphold.click();
  out.emptyReason = await page.locator("h2:has-text('共享授权') + div .error").innerText();
  await page.getByLabel(`答复理由（${id}）`).fill("核查属实，风险已排除");
  out.lowContrast = await lowContrast(page);
  out.screenshots = await snap(page, "datacenter-objection");
  await uphold.click();
  await page.locator("[data-objection-answered]").waitFor({ timeout: 60_000 });
  out.answerTx = await page.locator("[data-objection-answered]").getAttribute("data-objection-answered");
  await page.locator("h2:has-text('共享授权') + div td", { hasText: "有效" }).first().waitFor();

  // Art. 19: the scenario-route application, confirmed within its working day.
  const pending = process.env.PENDING_ID.slice(0, 12);
  out.conformityText = await sectionText(page, "符合性确认", page.getByRole("button", { name: `确认符合 ${pending}` }));
  await page.getByText("退回（须说明理由）").click();
  await page.getByRole("button", { name: `退回申请 ${pending}` }).click();
  out.emptyReturn = await page.locator("h2:has-text('符合性确认') + div .error").innerText();
  await page.getByRole("button", { name: `确认符合 ${pending}` }).click();
  out.conformityTx = await page.locator("[data-conformity]").getAttribute("data-conformity", { timeout: 60_000 });
  await page.getByText("没有待确认的按场景申请").waitFor();
  out.problems = page.problems;
});
answer(out);
