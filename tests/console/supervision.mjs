// Art. 29 and 32 in the browser: a regulator's officer acknowledges an incident from the inbox on
// the supervision page, signed with its SM2 key, then reads the Office's page: the evaluation's new
// groups and dimensions, the published results and the notice with its evidence.
// Env: CONSOLE_URL, INSPECTOR_KEY, PASSWORD, INCIDENT_ID.
import { answer, lowContrast, openKey, snap, unlabelled, withPage } from "./browser.mjs";

const base = `${process.env.CONSOLE_URL}/console/`;
const id = process.env.INCIDENT_ID.slice(0, 12);
const inbox = "h2:has-text('数据安全事件') + div";
const out = {};
await withPage(async (page) => {
  await page.goto(`${base}#/inspection`);
  await openKey(page, process.env.INSPECTOR_KEY, process.env.PASSWORD);
  await page.locator(`${inbox} [data-incident]`).waitFor();
  out.waitingBefore = await page.locator("[data-unacknowledged]").getAttribute("data-unacknowledged");
  out.inboxText = await page.locator(inbox).innerText();
  await page.getByLabel(`签收意见（${id}，可不填）`).fill("已收悉，请持续报送处置进展");
  out.unlabelled = await unlabelled(page);
  out.lowContrast = await lowContrast(page);
  out.screenshots = await snap(page, "inspection-incidents");
  await page.getByRole("button", { name: `签名签收事件 ${id}` }).click();
  out.ackTx = await page.locator("[data-acknowledged]").getAttribute("data-acknowledged", { timeout: 60_000 });
  await page.locator("[data-unacknowledged='0']").waitFor({ timeout: 30_000 });
  out.waitingAfter = "0";

  await page.goto(`${base}#/office`);
  await page.locator("[data-notice]").waitFor();
  out.evaluationText = await page.locator("h2:has-text('考核评价') + div table").first().innerText();
  out.dimensionsText = await page.locator("h3:has-text('数据质量、安全与共享成效') + div").innerText();
  out.publishedText = await page.locator("h3:has-text('已公布的考核结果') + div").innerText();
  out.noticeText = await page.locator("[data-notice]").innerText();
  out.evidence = await page.locator("[data-notice] [data-evidence]").evaluateAll((els) => els.map((el) => el.dataset.evidence));
  out.evidenceLink = await page.locator("[data-notice] [data-evidence] a").first().evaluate((a) => a.href);
  out.unlabelled = [...out.unlabelled, ...(await unlabelled(page))];
  out.lowContrast = [...out.lowContrast, ...(await lowContrast(page))];
  out.screenshots.push(...(await snap(page, "office-notice")));
  out.problems = page.problems;
});
answer(out);
