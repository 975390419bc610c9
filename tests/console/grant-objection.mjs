// Art. 16 in the browser: the street, which holds a grant on the civil affairs bureau's entry,
// objects to the data it received, from its workspace's grants (an empty objection refused in the
// page first), signed with its key. Env: CONSOLE_URL, STREET_KEY, PASSWORD, GRANT_ID.
import { answer, lowContrast, openKey, snap, unlabelled, withPage } from "./browser.mjs";

const base = `${process.env.CONSOLE_URL}/console/`;
const id = process.env.GRANT_ID.slice(0, 12);
const out = {};
await withPage(async (page) => {
  await page.goto(`${base}#/workspace`);
  await openKey(page, process.env.STREET_KEY, process.env.PASSWORD);
  const form = page.locator("details", { has: page.getByLabel(`异议内容（${id}）`) });
  await form.locator("summary").click();
  out.entryOptions = await page.getByLabel(`异议的数据（${id}）`).locator("option").allInnerTexts();
  const send = page.getByRole("button", { name: `签名并提出数据异议 ${id}` });
  await send.click();
  out.emptyObjection = await form.locator(".error").innerText();
  await page.getByLabel(`异议内容（${id}）`).fill("3 月批次中 12 条记录的保障金额与民政系统不一致");
  out.unlabelled = await unlabelled(page);
  out.lowContrast = await lowContrast(page);
  out.screenshots = await snap(page, "workspace-grant-objection");
  await send.click();
  const raised = form.locator("[data-objection-raised]");
  out.objectionTx = await raised.getAttribute("data-objection-raised", { timeout: 60_000 });
  out.objectionId = await raised.getAttribute("data-objection-id");
  out.problems = page.problems;
});
answer(out);
