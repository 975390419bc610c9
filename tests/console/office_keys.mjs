// The Office manages officer keys from its page, signing the registry's transactions in the
// browser with the Office account's keystore. Env: CONSOLE_URL, PASSWORD, NOT_OFFICE_KEY,
// OFFICE_KEY, NEW_SM2 (an officer's SM2 keystore), NEW_ECDSA, UNIT (its name), REVOKE, ROTATE
// (key ids), ROTATED_SM2 (the rotated key's successor, SM2).
import { answer, lowContrast, snap, unlabelled, withPage } from "./browser.mjs";

const base = `${process.env.CONSOLE_URL}/console/`;
const out = {};
let page;
const openAccount = async (file) => {
  await page.getByLabel("政务办账户密钥文件").setInputFiles(file);
  await page.getByLabel("政务办账户密码").fill(process.env.PASSWORD);
  await page.getByRole("button", { name: "打开政务办账户" }).click();
};
// The page keeps its last transaction shown: wait for a new one.
let last = null;
const confirmed = async () => {
  const tx = page.locator(last ? `[data-office-tx]:not([data-office-tx="${last}"])` : "[data-office-tx]");
  await tx.waitFor({ timeout: 60_000 });
  last = await tx.getAttribute("data-office-tx");
  return last;
};
await withPage(async (opened) => {
  page = opened;
  await page.goto(`${base}#/office`);
  // An officer's key is not the Office account: refused, nothing opened.
  await openAccount(process.env.NOT_OFFICE_KEY);
  out.notOffice = await page.locator("text=无法打开政务办账户").innerText();
  await openAccount(process.env.OFFICE_KEY);
  out.office = await page.locator("[data-office-open]").getAttribute("data-office-open");
  out.unlabelled = await unlabelled(page);

  // Register an SM2 officer key for the unit; the same key again is refused before sending.
  await page.getByLabel("单位", { exact: true }).selectOption({ label: process.env.UNIT });
  await page.getByLabel("官员的 SM2 密钥文件").setInputFiles(process.env.NEW_SM2);
  await page.getByLabel("官员的 ECDSA 密钥文件").setInputFiles(process.env.NEW_SM2);
  await page.getByRole("button", { name: "签名并登记" }).click();
  out.wrongScheme = await page.locator("text=未能登记").innerText();
  await page.getByLabel("官员的 ECDSA 密钥文件").setInputFiles([]);
  await page.getByRole("button", { name: "签名并登记" }).click();
  out.registerTx = await confirmed();
  const newId = process.env.NEW_SM2_ID;
  await page.locator("td", { hasText: newId }).waitFor();
  await page.getByLabel("官员的 SM2 密钥文件").setInputFiles(process.env.NEW_SM2);
  await page.getByRole("button", { name: "签名并登记" }).click();
  out.again = await page.locator("text=未能登记").innerText();

  // Revoke a key; rotate another to a new SM2 key.
  await page.getByText(`吊销或轮换 ${process.env.REVOKE.slice(0, 10)}`).click();
  await page.getByRole("button", { name: `吊销密钥 ${process.env.REVOKE}` }).click();
  out.revokeTx = await confirmed();
  await page.locator("tr", { hasText: process.env.REVOKE }).locator("text=已吊销").waitFor();
  await page.getByText(`吊销或轮换 ${process.env.ROTATE.slice(0, 10)}`).click();
  await page.getByLabel(`新 SM2 密钥文件（${process.env.ROTATE.slice(0, 10)}）`).setInputFiles(process.env.ROTATED_SM2);
  await page.getByRole("button", { name: `轮换密钥 ${process.env.ROTATE}` }).click();
  out.rotateTx = await confirmed();
  await page.locator("tr", { hasText: process.env.ROTATE }).locator("text=已吊销").waitFor();
  await page.locator("td", { hasText: process.env.ROTATED_SM2_ID }).waitFor();
  out.unitsText = await page.locator("h2:has-text('单位与密钥') + div table").innerText();
  out.lowContrast = await lowContrast(page);
  out.screenshots = await snap(page, "office-keys");
  out.problems = page.problems;
});
answer(out);
