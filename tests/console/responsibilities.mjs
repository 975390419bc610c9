// Art. 11 in the browser: the civil affairs bureau records an entry of its responsibilities list from
// its workspace (an empty form refused in the page first), signed with its SM2 key, and sees it
// awaiting review; the Office's officer, on the Office's page, returns it with a reason; the bureau
// revises it and the Office approves it. Env: CONSOLE_URL, CIVIL_KEY, OFFICE_KEY, PASSWORD, CODE.
import { answer, lowContrast, openKey, sectionText, snap, switchKey, unlabelled, withPage } from "./browser.mjs";

const base = `${process.env.CONSOLE_URL}/console/`;
const code = process.env.CODE;
const list = "本单位职责清单";
const out = {};
let page;

/** The Office's officer reviews the entry: `decision`, with a reason when it returns it. */
async function review(decision, reason) {
  await page.goto(`${base}#/office`);
  const send = page.getByRole("button", { name: `签名并审核职责 ${code}` });
  const text = await sectionText(page, "职责清单审核", send);
  await page.getByLabel(`审核意见（${code}）`).selectOption(decision);
  if (reason) await page.getByLabel(`退回理由（${code}，退回时填写）`).fill(reason);
  await send.click();
  const tx = await page.locator("[data-responsibility-reviewed]").getAttribute("data-responsibility-reviewed", { timeout: 60_000 });
  return { text, tx };
}

await withPage(async (opened) => {
  page = opened;
  await page.goto(`${base}#/workspace`);
  await openKey(page, process.env.CIVIL_KEY, process.env.PASSWORD);
  const form = page.locator("details", { has: page.getByLabel("职责编码") });
  await form.locator("summary").click();
  const send = page.getByRole("button", { name: "签名并记录职责" });
  await send.click();
  out.emptyForm = await form.locator(".error").innerText();
  await page.getByLabel("职责编码").fill(code);
  await page.getByLabel("职责名称").fill("最低生活保障审核");
  await page.getByLabel("职责依据").fill("《社会救助暂行办法》");
  out.unlabelled = await unlabelled(page);
  out.lowContrast = await lowContrast(page);
  out.screenshots = await snap(page, "workspace-responsibilities");
  await send.click();
  const recorded = form.locator("[data-responsibility-recorded]");
  out.recordTx = await recorded.getAttribute("data-responsibility-recorded", { timeout: 60_000 });
  out.responsibilityId = await recorded.getAttribute("data-responsibility-id");
  out.pendingText = await sectionText(page, list, page.locator("[data-responsibility-state='pending']"));

  await switchKey(page, `${base}#/inspection`, process.env.OFFICE_KEY, process.env.PASSWORD);
  const returned = await review("return", "依据应写明具体条款");
  out.reviewText = returned.text;
  out.returnTx = returned.tx;
  out.unlabelled.push(...(await unlabelled(page)));
  out.lowContrast.push(...(await lowContrast(page)));
  out.screenshots.push(...(await snap(page, "office-responsibilities")));
  await page.getByText("没有待审核的职责").waitFor();

  // The bureau revises the returned entry from its row and records it again.
  await switchKey(page, `${base}#/inspection`, process.env.CIVIL_KEY, process.env.PASSWORD);
  await page.goto(`${base}#/workspace`);
  out.returnedText = await sectionText(page, list, page.locator("[data-responsibility-state='returned']"));
  await page.getByRole("button", { name: `修改职责 ${code}` }).click();
  await page.getByLabel("职责依据").fill("《社会救助暂行办法》第十一条");
  await send.click();
  out.reviseTx = await form.locator("[data-responsibility-recorded]").getAttribute("data-responsibility-recorded", { timeout: 60_000 });

  await switchKey(page, `${base}#/inspection`, process.env.OFFICE_KEY, process.env.PASSWORD);
  out.approveTx = (await review("approve")).tx;
  await switchKey(page, `${base}#/inspection`, process.env.CIVIL_KEY, process.env.PASSWORD);
  await page.goto(`${base}#/workspace`);
  out.approvedText = await sectionText(page, list, page.locator("[data-responsibility-state='approved']"));
  out.problems = page.problems;
});
answer(out);
