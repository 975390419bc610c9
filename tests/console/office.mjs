// The Office's and the Data Center's overview pages. Env: CONSOLE_URL.
import { answer, lowContrast, openKey, screenshots, sectionText, snap, unlabelled, withPage } from "./browser.mjs";

const base = `${process.env.CONSOLE_URL}/console/`;
const out = {};
await withPage(async (page, browser) => {
  await page.goto(`${base}#/office`);
  await page.locator("svg.chart").waitFor();
  await page.locator("text=已公布年份").waitFor();
  await page.locator("td", { hasText: "普陀区民政局" }).first().waitFor();
  out.chartLabel = await page.locator("svg.chart").getAttribute("aria-label");
  out.chartTexts = await page.locator("svg.chart text").allTextContents();
  out.unitsText = await sectionText(page, "单位与密钥", page.locator("td", { hasText: "普陀区人民政府办公室" }));
  out.calendarText = await sectionText(page, "工作日历", page.locator("text=已公布年份"));
  out.laggards = await page.locator("[data-laggards]").innerText();
  // The chart's Chinese labels render with a CJK font: their boxes are as wide as the glyphs need.
  out.labelWidths = await page.locator("svg.chart text").evaluateAll((els) => els.map((e) => [e.textContent, e.getBBox().width]));
  out.unlabelled = await unlabelled(page);
  out.lowContrast = [...(out.lowContrast ?? []), ...(await lowContrast(page))];

  await page.goto(`${base}#/datacenter`);
  await openKey(page, process.env.REVIEWER_KEY, process.env.PASSWORD);
  out.overdueText = await sectionText(page, "各单位逾期职责", page.locator("table"));
  out.queueText = await sectionText(page, "目录审核队列", page.locator("table"));
  out.problems = page.problems;
  out.screenshots = [
    ...(await screenshots(browser, `${base}#/office`, "office", "svg.chart")),
    ...(await snap(page, "datacenter")),
  ];
});
answer(out);
