// Art. 19 and 31 in the browser: the Data Center registers a key-work scenario (an incomplete form
// refused first, saying what to fill in) and suspends a grant for a security risk (a suspension
// without its risk refused first), then reports it to the regulators (Art. 31), which a regulator's
// officer acknowledges on the supervision page.
// Env: CONSOLE_URL, DATA_CENTER_KEY, REGULATOR_KEY, PASSWORD, GRANT_ID, SCENARIO_CODE.
import { answer, lowContrast, openKey, snap, unlabelled, withPage } from "./browser.mjs";

const base = `${process.env.CONSOLE_URL}/console/`;
const code = process.env.SCENARIO_CODE;
const id = process.env.GRANT_ID.slice(0, 12);
const register = "h2:has-text('应用场景登记') + div";
const grants = "h2:has-text('共享授权') + div";
const out = {};
await withPage(async (page) => {
  await page.goto(`${base}#/datacenter`);
  await openKey(page, process.env.DATA_CENTER_KEY, process.env.PASSWORD);
  const submit = page.getByRole("button", { name: "签名并登记场景" });
  await submit.click();
  out.emptyScenario = await page.locator(`${register} .error`).innerText();
  await page.getByLabel("场景编码").fill(code);
  await page.getByLabel("场景名称").fill("独居老人紧急救助联动");
  await page.getByLabel("类别").selectOption("2");
  await page.getByLabel("登记依据").fill("区委区政府 2026 年重点工作");
  await page.getByLabel("实施方案").fill("街道按接口调用低保对象姓名与保障金额，仅限救助核查");
  await page.getByLabel("评估结论").fill("需求真实、范围最小、安全措施到位，同意登记");
  await submit.click();
  out.keyWorkMissing = await page.locator(`${register} .error`).innerText();
  await page.getByLabel("重点工作（第（二）项必填）").fill("独居老人关爱");
  await page.getByLabel(/^授权单位/).selectOption({ label: "长风新村街道办事处" });
  await page.getByLabel(/^授权目录条目/).selectOption({ label: "低保对象信息（MZJ-0001）" });
  out.unlabelled = await unlabelled(page);
  out.screenshots = await snap(page, "datacenter-scenario");
  // A platform that slips other terms (the units and entries the contract keeps) into the message
  // is refused before anything is signed.
  await page.route("**/v1/sharing/typed-data", async (route) => {
    const response = await route.fetch();
    const typed = await response.json();
    typed.message.terms = typed.message.terms.replace(/.$/, (c) => (c === "0" ? "1" : "0"));
    await route.fulfill({ status: response.status(), headers: response.headers(), body: JSON.stringify(typed) });
  }, { times: 1 });
  await submit.click();
  out.tamperedTerms = await page.locator(`${register} .error`, { hasText: "拒绝签名" }).innerText();
  await submit.click();
  out.scenarioTx = await page.locator("[data-scenario-registered]").getAttribute("data-scenario-registered", { timeout: 60_000 });
  await page.locator(`[data-scenario='${code}']`).waitFor({ timeout: 30_000 });
  out.scenarioRow = await page.locator("tr", { has: page.locator(`[data-scenario='${code}']`) }).innerText();

  // Art. 31: suspend the grant at once.
  await page.locator(grants).getByText("发现安全风险：立即暂停").click();
  const suspend = page.getByRole("button", { name: `签名并暂停授权 ${id}` });
  await suspend.click();
  out.emptyRisk = await page.locator(`${grants} .error`).innerText();
  await page.getByLabel(`安全风险（${id}）`).fill("发现异常批量导出，疑似账号被盗用");
  await page.locator(grants).getByLabel("区公安分局").check();
  out.unlabelled.push(...(await unlabelled(page)));
  out.lowContrast = await lowContrast(page);
  out.screenshots.push(...(await snap(page, "datacenter-suspension")));
  await suspend.click();
  out.suspendTx = await page.locator("[data-suspended]").getAttribute("data-suspended", { timeout: 60_000 });
  await page.locator(`${grants} td`, { hasText: "已暂停" }).first().waitFor({ timeout: 30_000 });
  out.grantsText = await page.locator(grants).innerText();

  // Art. 31: the suspension reported (报送) to the Office and the regulators, then acknowledged.
  await page.getByLabel(`报送内容（${id}）`).fill("发现异常批量导出，已立即暂停该授权");
  await page.getByRole("button", { name: `签名并报送 ${id}` }).click();
  out.reportTx = await page.locator("[data-reported]").getAttribute("data-reported", { timeout: 60_000 });
  await page.locator("[data-measure-report]").waitFor({ timeout: 30_000 });
  await page.goto(`${base}#/inspection`);
  await page.getByRole("button", { name: "关闭密钥" }).click();
  await openKey(page, process.env.REGULATOR_KEY, process.env.PASSWORD);
  const reports = page.locator("h2:has-text('暂停、终止授权的报送') + div");
  await reports.locator("[data-report]").waitFor();
  out.reportsText = await reports.innerText();
  out.unlabelled.push(...(await unlabelled(page)));
  await reports.getByRole("button", { name: /^签名签收报送/ }).click();
  out.ackTx = await page.locator("[data-acknowledged]").getAttribute("data-acknowledged", { timeout: 60_000 });
  await reports.getByText("已签收：").waitFor({ timeout: 30_000 });
  out.problems = page.problems;
});
answer(out);
