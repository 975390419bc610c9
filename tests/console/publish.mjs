// Art. 32 on the Office's page: its officer (key opened on the supervision page, as the Office's
// officers work there) publishes a period's results (an inverted period refused in the page first),
// then drafts, reviews and publishes the notice on them. Env: CONSOLE_URL, OFFICE_KEY, PASSWORD, FROM.
import { answer, lowContrast, openKey, sectionText, snap, unlabelled, withPage } from "./browser.mjs";

const base = `${process.env.CONSOLE_URL}/console/`;
const section = "h2:has-text('考核结果与通报') + div";
const out = {};
await withPage(async (page) => {
  await page.goto(`${base}#/inspection`);
  await openKey(page, process.env.OFFICE_KEY, process.env.PASSWORD);
  await page.goto(`${base}#/office`);
  const publish = page.getByRole("button", { name: "签名并公布考核结果" });
  const to = page.getByLabel("考核期间截止（已结束的日子）");
  const yesterday = await to.inputValue();
  await page.getByLabel("考核期间开始").fill("2026-03-05");
  await to.fill("2026-03-01");
  await publish.click();
  out.inverted = await page.locator(`${section} form .error`).innerText();
  await page.getByLabel("考核期间开始").fill(process.env.FROM);
  await to.fill(yesterday);
  await publish.click();
  const done = page.locator("[data-results-published]");
  out.resultsTx = await done.getAttribute("data-results-published", { timeout: 60_000 });
  out.resultsId = await done.getAttribute("data-results-id");

  // Redrawn from the mirror: the results published, awaiting their notice.
  const period = `${process.env.FROM} 至 ${yesterday}`;
  await page.getByLabel(`通报范围（${period}）`).fill("全区各委办局");
  await page.getByRole("button", { name: `起草通报 ${period}` }).click();
  const sign = page.getByRole("button", { name: `签名并发布通报 ${period}` });
  out.draftText = await sectionText(page, "考核结果与通报", sign);
  out.unlabelled = await unlabelled(page);
  out.lowContrast = await lowContrast(page);
  out.screenshots = await snap(page, "office-publish");
  await sign.click();
  const noticed = page.locator("[data-notice-published]");
  out.noticeTx = await noticed.getAttribute("data-notice-published", { timeout: 60_000 });
  out.noticeId = await noticed.getAttribute("data-notice-id");
  out.noticeText = await page.locator(`[data-notice='${out.noticeId}']`).innerText();
  out.problems = page.problems;
});
answer(out);
