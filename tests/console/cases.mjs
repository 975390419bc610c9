// Art. 24 and 23: the street takes a rejection to the Office from its applications (an empty
// statement refused in the page first); the Office coordinates it, sends the demand to the city and
// records the city's answer; the responsible unit then takes up a dispute of its own from its inbox.
// Env: CONSOLE_URL, STREET_KEY, OFFICE_KEY, CIVIL_KEY, PASSWORD, DEMAND_ID.
import { answer, lowContrast, openKey, sectionText, snap, switchKey, unlabelled, withPage } from "./browser.mjs";

const base = `${process.env.CONSOLE_URL}/console/`;
const id = process.env.DEMAND_ID.slice(0, 12);
const cases = "h2:has-text('争议协调') + div";
const out = {};
await withPage(async (page) => {
  await page.goto(`${base}#/workspace`);
  await openKey(page, process.env.STREET_KEY, process.env.PASSWORD);
  await page.getByText("协商不成，提请区府办协调").click();
  const mine = `${id} 第 1 项`;
  const send = page.getByRole("button", { name: `签名并提请协调 ${mine}` });
  await send.click();
  out.emptyDispute = await page.locator("h2:has-text('本单位的申请') + div .error").innerText();
  await page.getByLabel(`争议事项与本单位意见（${mine}）`).fill("本场景为法定职责所需，个人信息保护法不适用于本场景的拒绝理由");
  await page.getByLabel(`先行协商情况（${mine}）`).fill("3 月 5 日两单位已当面协商，民政局仍不同意");
  out.unlabelled = await unlabelled(page);
  out.lowContrast = await lowContrast(page);
  await send.click();
  out.openTx = await page.locator("[data-dispute-opened]").getAttribute("data-dispute-opened", { timeout: 60_000 });
  out.disputeText = await sectionText(page, "本单位的申请", page.locator("[data-dispute-item]", { hasText: "待区府办协调" }));

  // The Office's officer, on its page (the key opened on the supervision page, where it works).
  await switchKey(page, `${base}#/inspection`, process.env.OFFICE_KEY, process.env.PASSWORD);
  await page.goto(`${base}#/office`);
  const item = `${id} 第 1 项`;
  const resolve = page.getByRole("button", { name: `签名并记录协调结果 ${item}` });
  out.officeText = await sectionText(page, "争议协调", resolve);
  await page.getByLabel(`协调结果（${item}）`).selectOption("upheld");
  await page.getByLabel(`协调意见（${item}）`).fill("经区府办协调，民政局拒绝理由依据充分，维持原审核结果");
  out.unlabelled.push(...(await unlabelled(page)));
  out.lowContrast.push(...(await lowContrast(page)));
  out.screenshots = await snap(page, "office-cases");
  await resolve.click();
  out.resolveTx = await page.locator("[data-dispute-resolved]").getAttribute("data-dispute-resolved", { timeout: 60_000 });
  await page.getByText("没有待协调的争议").waitFor();

  await page.getByText(`上报 ${id}`).click();
  await page.getByLabel(`未能满足的原因（${id}）`).fill("本区无该数据的共享权限");
  await page.getByLabel(`向市级提出的需求（${id}）`).fill("请市大数据资源平台提供全市低保对象信息比对服务");
  await page.getByRole("button", { name: `签名并上报市级 ${id}` }).click();
  out.escalateTx = await page.locator("[data-escalated]").getAttribute("data-escalated", { timeout: 60_000 });
  await page.getByLabel(`答复情况（${id}）`).fill("市级已开通比对接口");
  await page.getByRole("button", { name: `签名并记录市级答复 ${id}` }).click();
  out.outcomeTx = await page.locator("[data-escalation-outcome]").getAttribute("data-escalation-outcome", { timeout: 60_000 });
  await page.getByRole("button", { name: `签名并记录市级答复 ${id}` }).waitFor({ state: "detached" });

  // The item's responsible unit, in its inbox: the dispute coordinated, and one of its own taken up.
  await switchKey(page, `${base}#/inspection`, process.env.CIVIL_KEY, process.env.PASSWORD);
  await page.goto(`${base}#/workspace`);
  const inbox = "待本单位答复的申请";
  out.resolvedText = await sectionText(page, inbox, page.locator("[data-dispute-item]", { hasText: "已协调" }));
  await page.getByText("协商不成，提请区府办协调").click();
  await page.getByLabel(`争议事由（${mine}）`).selectOption("shareability");
  await page.getByLabel(`争议事项与本单位意见（${mine}）`).fill("该数据项含未脱敏的个人身份信息，不宜共享");
  await page.getByLabel(`先行协商情况（${mine}）`).fill("已向街道说明，街道坚持原申请范围");
  out.unlabelled.push(...(await unlabelled(page)));
  await page.getByRole("button", { name: `签名并提请协调 ${mine}` }).click();
  out.ownerTx = await page.locator("[data-dispute-opened]").getAttribute("data-dispute-opened", { timeout: 60_000 });
  out.problems = page.problems;
});
answer(out);
