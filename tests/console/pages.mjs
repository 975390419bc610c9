// The Catalog and Audit pages as anyone on the platform uses them, at CONSOLE_URL.
// Env: CONSOLE_URL, ENTRY_NAME, DOCUMENT (a version's document, pretty-printed), TAMPERED.
import { answer, lowContrast, screenshots, unlabelled, withPage } from "./browser.mjs";

const base = `${process.env.CONSOLE_URL}/console/`;
const out = { unlabelled: {}, problems: [] };
await withPage(async (page, browser) => {
  await page.goto(`${base}#/catalog`);
  await page.getByRole("link", { name: process.env.ENTRY_NAME }).waitFor();
  out.lang = await page.evaluate(() => document.documentElement.lang);
  out.heading = await page.locator("h1").innerText();
  out.unlabelled.catalog = await unlabelled(page);
  out.lowContrast = [...(out.lowContrast ?? []), ...(await lowContrast(page))];

  // Keyboard: the first Tab reaches the skip link, the next ones the navigation.
  await page.locator("body").focus();
  await page.evaluate(() => document.activeElement.blur());
  out.tabOrder = [];
  for (let i = 0; i < 3; i += 1) {
    await page.keyboard.press("Tab");
    out.tabOrder.push(await page.evaluate(() => document.activeElement.textContent.trim()));
  }

  // Search by a Chinese word, with the keyboard only (type, Enter).
  await page.getByLabel("关键词（名称或摘要）").fill("生活保障");
  await page.getByLabel("关键词（名称或摘要）").press("Enter");
  await page.waitForURL(/q=/);
  // The search's own answer, drawn with its rows in one step: a search says 显示 N 条, the full
  // list it replaces said 共 N 条 (counting that list's rows failed twice on a loaded machine).
  await page.locator("p.muted", { hasText: "显示" }).waitFor();
  await page.getByRole("link", { name: process.env.ENTRY_NAME }).waitFor();
  out.searchRows = await page.locator("tbody tr").count();
  await page.getByLabel("共享属性").selectOption("not_shared");
  await page.getByRole("button", { name: "检索" }).click();
  await page.waitForURL(/sharing=not_shared/);
  await page.locator("p.muted", { hasText: "显示 0 条" }).waitFor();
  out.filteredOut = true;

  // The entry, by the Art. 11 elements, with its history and proofs.
  await page.goto(`${base}#/catalog`);
  await page.getByRole("link", { name: process.env.ENTRY_NAME }).click();
  await page.locator("h2", { hasText: "版本历史与链上证明" }).waitFor();
  out.entryHeading = await page.locator("h1").innerText();
  out.elements = await page.locator("dl.elements dt").allInnerTexts();
  out.values = await page.locator("dl.elements dd").allInnerTexts();
  const history = page.locator("table").last();
  out.historyRows = await history.locator("tbody tr").count();
  out.proofTitles = await history.locator("span.hash").evaluateAll((els) => els.map((e) => e.title));
  out.entryUrl = page.url();
  // From the entry's history straight to the Audit page, which verifies that version from the chain.
  await page.getByRole("button", { name: "在链上核验第 1 版" }).click();
  await page.getByText("已载入部署信息").waitFor();
  await page.getByRole("button", { name: "核验" }).click();
  await page.locator("[data-verdict]").waitFor();
  out.handedVerdict = await page.locator("[data-verdict]").getAttribute("data-verdict");
  await page.goto(out.entryUrl);
  await page.locator("h2", { hasText: "版本历史与链上证明" }).waitFor();
  out.lowContrast.push(...(await lowContrast(page)));

  // The Audit page served by the platform: the RPC URL and the deployment come filled in.
  await page.goto(`${base}#/audit`);
  await page.getByText("已载入部署信息").waitFor();
  out.unlabelled.audit = await unlabelled(page);
  out.rpcUrl = await page.getByLabel("链节点 RPC 地址").inputValue();
  // The page offers itself as one file to keep, and the deployment to audit against.
  const saved = await Promise.all([page.waitForEvent("download"), page.getByRole("link", { name: "下载本核验页（单个文件）" }).click()]);
  out.savedName = saved[0].suggestedFilename();
  out.savedSize = (await (await saved[0].createReadStream()).toArray()).reduce((n, b) => n + b.length, 0);
  await page.getByLabel("或粘贴文档 JSON").fill(process.env.DOCUMENT);
  await page.getByRole("button", { name: "核验" }).click();
  const verdict = page.locator("[data-verdict]");
  await verdict.waitFor();
  out.verdict = await verdict.getAttribute("data-verdict");
  out.verdictText = await verdict.innerText();
  out.stepsText = await page.locator("table").last().innerText();
  await page.getByLabel("或粘贴文档 JSON").fill(process.env.TAMPERED);
  await page.getByRole("button", { name: "核验" }).click();
  await page.locator('[data-verdict="invalid"]').waitFor();
  out.tamperedText = await page.locator("[data-verdict]").innerText();
  out.lowContrast.push(...(await lowContrast(page)));
  out.problems.push(...page.problems);

  out.screenshots = [
    ...(await screenshots(browser, `${base}#/catalog`, "catalog", `text=${process.env.ENTRY_NAME}`)),
    ...(await screenshots(browser, out.entryUrl, "catalog-entry", "text=版本历史与链上证明")),
    ...(await screenshots(browser, `${base}#/audit`, "audit", "text=已载入部署信息")),
    ...(await screenshots(browser, `${base}#/workspace`, "workspace", "h1")),
  ];
});
answer(out);
