// 长风新村街道 applies for 民政局's entry with an SM2-signed commitment; 民政局 approves it from its
// inbox; the grant appears; an inspector verifies the commitment on the Audit page and a changed
// one is invalid. Env: CONSOLE_URL, APPLICANT_KEY, OWNER_KEY, PASSWORD, ENTRY_NAME.
import { answer, lowContrast, openKey, sectionText, snap, unlabelled, withPage } from "./browser.mjs";

const base = `${process.env.CONSOLE_URL}/console/`;
const out = { screenshots: [] };
let page;
const switchKey = async (file) => {
  await page.getByRole("button", { name: "关闭密钥" }).click();
  return openKey(page, file, process.env.PASSWORD);
};
await withPage(async (opened) => {
  page = opened;
  await page.goto(`${base}#/workspace`);
  out.applicantKey = await openKey(page, process.env.APPLICANT_KEY, process.env.PASSWORD);
  await page.getByLabel("申请的目录条目").waitFor();
  out.unlabelled = await unlabelled(page);
  out.lowContrast = [...(out.lowContrast ?? []), ...(await lowContrast(page))];
  await page.getByLabel("申请编号").fill("CF-2026-201");
  await page.getByLabel("申请的目录条目").selectOption({ label: `${process.env.ENTRY_NAME}（MZJ-0201）` });
  await page.getByLabel("申请的数据项").fill("姓名，公民身份号码");
  await page.getByLabel("应用场景编码").fill("特困供养审核");
  await page.getByLabel("应用场景名称").fill("特困人员供养资格审核");
  await page.getByLabel("法律法规依据").fill("《社会救助暂行办法》第十四条");
  await page.getByLabel("业务目标").fill("核实特困人员供养申请人的身份");
  await page.getByRole("button", { name: "签署承诺书并申请" }).click();
  await page.locator("[data-applied]").waitFor({ timeout: 60_000 });
  out.demandId = await page.locator("[data-applied]").getAttribute("data-applied");
  out.commitment = JSON.parse(await page.locator("[data-commitment]").textContent());
  out.signature = JSON.parse(await page.locator("[data-commitment-signature]").textContent());
  out.screenshots.push(...(await snap(page, "workspace-applied")));

  // The responsible unit answers from its inbox, before the due time.
  out.ownerKey = await switchKey(process.env.OWNER_KEY);
  const approve = page.getByRole("button", { name: `同意需求 ${out.demandId.slice(0, 12)} 第 1 项` });
  await approve.waitFor();
  out.inboxText = await sectionText(page, "待本单位答复的申请", approve);
  out.dutiesText = await sectionText(page, "本单位待办职责与期限", page.locator("table"));
  out.screenshots.push(...(await snap(page, "workspace-inbox")));
  await approve.click();
  await page.locator("[data-decided]").waitFor({ timeout: 60_000 });

  // The grant appears on the applicant's workspace.
  await switchKey(process.env.APPLICANT_KEY);
  out.grantsText = await sectionText(page, "本单位获得的共享授权", page.locator(`[data-grant="${out.demandId}"]`));
  // Its application, as it stands: granted, the item approved by its owner.
  out.appliedText = await sectionText(page, "本单位的申请", page.locator("[data-demand-status='granted']"));
  out.screenshots.push(...(await snap(page, "workspace-grants")));
  out.unlabelled.push(...(await unlabelled(page)));

  // An inspector checks the commitment and its signature from the chain.
  await page.goto(`${base}#/audit`);
  await page.getByText("已载入部署信息").waitFor();
  await page.getByLabel("或粘贴文档 JSON").fill(JSON.stringify(out.commitment, null, 2));
  await page.getByLabel("或粘贴签名 JSON").fill(JSON.stringify(out.signature, null, 2));
  await page.getByRole("button", { name: "核验" }).click();
  await page.locator("[data-verdict]").waitFor();
  out.verdict = await page.locator("[data-verdict]").getAttribute("data-verdict");
  out.verdictText = await page.locator("[data-verdict]").innerText();
  out.screenshots.push(...(await snap(page, "audit-commitment")));
  const changed = { ...out.commitment, scenario: "其他场景" };
  await page.getByLabel("或粘贴文档 JSON").fill(JSON.stringify(changed));
  await page.getByRole("button", { name: "核验" }).click();
  await page.locator('[data-verdict="invalid"]').waitFor();
  out.tamperedText = await page.locator("[data-verdict]").innerText();

  // The applicant no longer needs the data: it ends the grant (Art. 26).
  await page.goto(`${base}#/workspace`);
  await page.getByText("不再使用：终止").click();
  await page.getByLabel("终止授权的理由").fill("业务调整，不再使用");
  await page.getByRole("button", { name: "签名并终止" }).click();
  await page.locator("[data-grant-step]").waitFor({ timeout: 60_000 });
  out.terminateTx = await page.locator("[data-grant-step]").getAttribute("data-grant-step");
  await page.locator("td", { hasText: "已终止" }).waitFor();
  out.problems = page.problems;
});
answer(out);
