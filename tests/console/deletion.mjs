// Art. 14 in the browser: the civil affairs bureau asks to delete an entry nobody uses (an empty
// reason refused in the page first), signed with its key, and tries the entry the street holds a
// grant on, which the chain refuses until an adjustment plan is agreed: the page says what to do.
// Env: CONSOLE_URL, CIVIL_KEY, PASSWORD, UNUSED, USED (the two entries' names).
import { answer, lowContrast, openKey, snap, unlabelled, withPage } from "./browser.mjs";

const base = `${process.env.CONSOLE_URL}/console/`;
const out = {};
let page;

/** The deletion form of the entry named `name`, opened. */
async function form(name) {
  const details = page.locator("details", { has: page.getByLabel(`删除理由（${name}）`) });
  await details.locator("summary").click();
  return details;
}

await withPage(async (opened) => {
  page = opened;
  await page.goto(`${base}#/workspace`);
  await openKey(page, process.env.CIVIL_KEY, process.env.PASSWORD);
  const unused = await form(process.env.UNUSED);
  const send = page.getByRole("button", { name: `签名并申请删除 ${process.env.UNUSED}` });
  await send.click();
  out.emptyReason = await unused.locator(".error").innerText();
  await page.getByLabel(`删除理由（${process.env.UNUSED}）`).fill("该信息系统已下线，数据资源不再产生");
  out.unlabelled = await unlabelled(page);
  out.lowContrast = await lowContrast(page);
  out.screenshots = await snap(page, "workspace-deletion");
  await send.click();
  out.deletionTx = await unused.locator("[data-deletion-requested]").getAttribute("data-deletion-requested", { timeout: 60_000 });

  const used = await form(process.env.USED);
  await page.getByLabel(`删除理由（${process.env.USED}）`).fill("数据资源已并入新的条目");
  await page.getByRole("button", { name: `签名并申请删除 ${process.env.USED}` }).click();
  out.refusedText = await used.locator(".error").innerText({ timeout: 30_000 });
  out.problems = page.problems.filter((p) => !p.includes("status of 409"));  // the refusal, shown in the page
});
answer(out);
