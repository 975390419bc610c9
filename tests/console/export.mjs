// The supplementary catalog's export for the city in the browser (Art. 12): the Data Center's
// officer prepares the export since the last one (the page hashes both files itself), signs its
// record with its SM2 key, and sees it listed as matching the chain. Env: CONSOLE_URL, DATA_CENTER_KEY, PASSWORD.
import { answer, lowContrast, openKey, sectionText, snap, unlabelled, withPage } from "./browser.mjs";

const base = `${process.env.CONSOLE_URL}/console/`;
const out = {};

await withPage(async (page) => {
  await page.goto(`${base}#/datacenter`);
  await openKey(page, process.env.DATA_CENTER_KEY, process.env.PASSWORD);
  await page.getByRole("button", { name: "生成自上次导出以来的增量导出" }).click();
  const prepared = page.locator("[data-export-prepared]");
  await prepared.waitFor({ timeout: 30_000 });
  out.preparedText = await prepared.innerText();
  out.preparedId = await prepared.getAttribute("data-export-prepared");
  out.files = await prepared.locator("a[download]").evaluateAll((links) => links.map((a) => a.download));
  out.unlabelled = await unlabelled(page);
  out.lowContrast = await lowContrast(page);
  out.screenshots = await snap(page, "datacenter-export");
  await page.getByRole("button", { name: "签名并记录本次导出" }).click();
  const recorded = page.locator("[data-export-recorded]");
  out.recordedTx = await recorded.getAttribute("data-export-recorded", { timeout: 60_000 });
  out.exportId = await recorded.getAttribute("data-export-id");
  out.listText = await sectionText(page, "补充目录导出（第十二条）", page.locator("[data-export-verified='true']"));
  out.problems = page.problems;
});
answer(out);
