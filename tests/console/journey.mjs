// An officer catalogues an entry in the browser and sees it confirmed; the Data Center approves it
// from its review queue. Env: CONSOLE_URL, OWNER_KEY, REVIEWER_KEY (keystore files), PASSWORD.
import { answer, openKey, snap, unlabelled, withPage } from "./browser.mjs";

const base = `${process.env.CONSOLE_URL}/console/`;
const out = { screenshots: [] };
await withPage(async (page) => {
  await page.goto(`${base}#/workspace`);
  // A wrong password is refused in the page (the file is decrypted here, nothing is sent).
  await page.getByLabel("密钥文件").setInputFiles(process.env.OWNER_KEY);
  await page.getByLabel("密钥密码").fill("not the password");
  await page.getByRole("button", { name: "打开密钥" }).click();
  await page.getByText("无法打开密钥").waitFor();
  out.wrongPassword = await page.getByText("无法打开密钥").innerText();
  out.ownerKey = await openKey(page, process.env.OWNER_KEY, process.env.PASSWORD);
  out.keyText = await page.locator("[data-key-open]").innerText();
  out.unlabelled = await unlabelled(page);

  // Compose: the API's own schema judges the document as it is typed.
  await page.getByLabel("目录编码").fill("MZJ-0201");
  await page.locator("[data-invalid]").waitFor();
  out.firstProblem = await page.locator("[data-invalid]").innerText();
  await page.getByLabel("数据资源名称").fill("特困人员供养信息");
  await page.getByLabel("摘要").fill("全区特困人员的供养方式、供养金额与认定时间。");
  await page.getByLabel("来源系统").fill("上海市社会救助管理信息系统");
  await page.getByLabel("分类").fill("民生保障");
  await page.getByLabel("分级").selectOption("L3");
  await page.getByLabel("共享属性").selectOption("conditional");
  await page.getByLabel("共享条件或依据").fill("仅限社会救助相关业务使用");
  await page.getByLabel("开放条件或依据").fill("涉及个人隐私，《个人信息保护法》第二十八条");
  await page.getByLabel("覆盖时段").fill("2018年至今");
  await page.getByLabel("管理科室").fill("普陀区民政局社会救助科");
  await page.getByLabel("数据项", { exact: true }).fill("姓名,string\n公民身份号码,string\n供养金额,decimal,元/月");
  await page.getByLabel("依据事件日期").fill("2026-02-23");
  await page.locator("[data-valid]").waitFor();
  await page.getByRole("button", { name: "签名并提交" }).click();
  await page.locator("[data-confirmed]").waitFor({ timeout: 60_000 });
  out.entryId = await page.locator("[data-confirmed]").getAttribute("data-confirmed");
  out.submitTx = await page.locator("[data-tx]").getAttribute("data-tx");
  out.confirmedText = await page.locator("[data-confirmed]").innerText();
  out.screenshots.push(...(await snap(page, "workspace-submitted")));

  // The Data Center: another officer's key, the review queue, approve.
  await page.goto(`${base}#/datacenter`);
  await page.getByRole("button", { name: "关闭密钥" }).click();
  out.reviewerKey = await openKey(page, process.env.REVIEWER_KEY, process.env.PASSWORD);
  await page.getByRole("link", { name: "特困人员供养信息" }).waitFor();
  out.queueText = await page.locator("table").innerText();
  out.screenshots.push(...(await snap(page, "datacenter-queue")));
  await page.getByRole("button", { name: "通过 特困人员供养信息" }).click();
  await page.locator("[data-reviewed]").waitFor({ timeout: 60_000 });
  out.reviewTx = await page.locator("[data-reviewed]").getAttribute("data-reviewed");
  await page.getByText("队列为空").waitFor();

  // The Data Center records the data collected to the platform (Art. 15), from the same page.
  await page.goto(`${base}#/catalog`);
  await page.goto(`${base}#/datacenter`);
  await page.getByLabel("归集说明（特困人员供养信息）").fill("已归集至区大数据资源分平台");
  await page.getByRole("button", { name: "签名并记录归集" }).click();
  await page.locator("[data-collected]").waitFor({ timeout: 60_000 });
  out.collectTx = await page.locator("[data-collected]").getAttribute("data-collected");
  await page.getByText("已生效条目的数据均已归集").waitFor();

  // The owner changes its entry (Art. 14): the form starts from the current document.
  await page.goto(`${base}#/workspace`);
  await page.getByRole("button", { name: "关闭密钥" }).click();
  await openKey(page, process.env.OWNER_KEY, process.env.PASSWORD);
  await page.getByRole("button", { name: "变更 特困人员供养信息" }).click();
  await page.locator('[data-mode="request_change"]').waitFor();
  out.prefilled = await page.getByLabel("摘要").inputValue();
  await page.getByLabel("更新频率").selectOption("weekly");
  await page.locator("[data-valid]").waitFor();
  await page.getByRole("button", { name: "签名并提交" }).click();
  await page.locator("[data-confirmed][data-version='2']").waitFor({ timeout: 60_000 });
  out.changeTx = await page.locator("[data-tx]").getAttribute("data-tx");

  // The Data Center approves the change from its queue (Art. 14): version 2 is in force.
  await page.goto(`${base}#/datacenter`);
  await page.getByRole("button", { name: "关闭密钥" }).click();
  await openKey(page, process.env.REVIEWER_KEY, process.env.PASSWORD);
  await page.getByRole("button", { name: "通过 特困人员供养信息" }).click();
  await page.locator("[data-reviewed]").waitFor({ timeout: 60_000 });
  await page.getByText("队列为空").waitFor();
  out.problems = page.problems;
});
answer(out);
