// Art. 26 and 19: the street files a reason for idleness from its workspace (an empty one refused
// first); on the Data Center's page the reason is accepted (an empty review refused
// in the page first), an idle grant suspended, a lapsed suspension ended, a scenario withdrawn (an
// empty reason refused first). Env: CONSOLE_URL, DATA_CENTER_KEY, PASSWORD, EXCUSED_ID, IDLE_ID,
// LAPSING_ID, SCENARIO, STREET_KEY, UNTIL.
import { answer, lowContrast, openKey, sectionText, snap, switchKey, unlabelled, withPage } from "./browser.mjs";

const base = `${process.env.CONSOLE_URL}/console/`;
const [excused, idle, lapsing] = ["EXCUSED_ID", "IDLE_ID", "LAPSING_ID"].map((k) => process.env[k].slice(0, 12));
const scenario = process.env.SCENARIO;
const section = "h2:has-text('闲置授权') + div";
const out = {};
await withPage(async (page) => {
  // The demand unit files its reason for leaving a grant unused, from its workspace.
  await page.goto(`${base}#/workspace`);
  await openKey(page, process.env.STREET_KEY, process.env.PASSWORD);
  const grants = "h2:has-text('本单位获得的共享授权') + div";
  await page.locator(grants).getByText("报送暂不调用的理由").first().waitFor();
  const row = page.locator(`${grants} tr`, { has: page.locator(`[data-grant='${process.env.EXCUSED_ID}']`) });
  await row.getByText("报送暂不调用的理由").click();
  const file = page.getByRole("button", { name: `签名并报送理由 ${excused}` });
  await file.click();
  out.emptyReason = await row.locator(".error").innerText();
  await page.getByLabel(`暂不调用的理由（${excused}）`).fill("系统升级期间暂停调用");
  await page.getByLabel(`理由期限（${excused}）`).fill(process.env.UNTIL);
  out.unlabelled = await unlabelled(page);
  await file.click();
  out.reasonTx = await page.locator("[data-idle-reason-filed]").getAttribute("data-idle-reason-filed", { timeout: 60_000 });
  out.grantsText = await sectionText(page, "本单位获得的共享授权", page.locator("[data-idle-reason='pending']"));

  await switchKey(page, `${base}#/datacenter`, process.env.DATA_CENTER_KEY, process.env.PASSWORD);
  const accept = page.getByRole("button", { name: `签名并接受理由 ${excused}` });
  out.idleText = await sectionText(page, "闲置授权", accept);
  out.unlabelled.push(...(await unlabelled(page)));
  out.lowContrast = await lowContrast(page);
  out.screenshots = await snap(page, "datacenter-idle");

  await accept.click();
  out.emptyReview = await page.locator(`${section} .error`).innerText();
  await page.getByLabel(`审核意见（${excused}）`).fill("系统升级有区级立项文件，理由成立");
  await accept.click();
  out.reviewTx = await page.locator("[data-reason-reviewed]").getAttribute("data-reason-reviewed", { timeout: 60_000 });
  await page.getByText("没有待审核的闲置理由").waitFor(); // redrawn from the mirror

  await page.getByRole("button", { name: `暂停并通知 ${idle}` }).click();
  out.suspendTx = await page.locator("[data-suspend-idle]").getAttribute("data-suspend-idle", { timeout: 60_000 });
  await page.getByText("没有闲置满 3 个月的授权").waitFor();

  await page.getByRole("button", { name: `终止授权 ${lapsing}` }).click();
  out.lapseTx = await page.locator("[data-finalise-lapse]").getAttribute("data-finalise-lapse", { timeout: 60_000 });
  await page.getByRole("button", { name: `终止授权 ${lapsing}` }).waitFor({ state: "detached" });

  // Art. 19: a scenario withdrawn from the register.
  await page.getByText(`撤销 ${scenario}`).click();
  const withdraw = page.getByRole("button", { name: `签名并撤销场景 ${scenario}` });
  await withdraw.click();
  out.emptyWithdrawal = await page.locator("h2:has-text('应用场景登记') + div .error").innerText();
  await page.getByLabel(`撤销理由（${scenario}）`).fill("对接系统已下线，场景不再存在");
  await withdraw.click();
  out.withdrawTx = await page.locator("[data-withdrawn]").getAttribute("data-withdrawn", { timeout: 60_000 });
  out.scenarioText = await sectionText(page, "应用场景登记", page.locator(`[data-scenario='${scenario}']`, { hasText: "已撤销" }));
  out.unlabelled.push(...(await unlabelled(page)));
  out.problems = page.problems;
});
answer(out);
