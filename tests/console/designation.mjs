// Art. 5 in the browser: the Office's officer, on the Office's page, designates the street as the
// responsible unit of the civil affairs bureau's entry (an empty form refused in the page first),
// signed with its SM2 key, and sees the designation listed; designating the same unit again is the
// chain's refusal, told in Chinese. Env: CONSOLE_URL, OFFICE_KEY, PASSWORD, ENTRY_ID, UNIT_ID.
import { answer, lowContrast, openKey, sectionText, snap, unlabelled, withPage } from "./browser.mjs";

const base = `${process.env.CONSOLE_URL}/console/`;
const out = {};
let page;

/** The designation form, filled and sent; resolves once the page shows the outcome. */
async function designate(basis) {
  const form = page.locator("details", { has: page.getByLabel("指定依据") });
  if (!(await form.getAttribute("open").then((v) => v !== null))) await form.locator("summary").click();
  await page.getByLabel("条目").selectOption(process.env.ENTRY_ID);
  await page.getByLabel("指定的责任单位").selectOption(process.env.UNIT_ID);
  await page.getByLabel("原单位的在办职责").selectOption("keep_open_duties");
  await page.getByLabel("指定依据").fill(basis);
  await page.getByRole("button", { name: "签名并指定责任单位" }).click();
  return form;
}

await withPage(async (opened) => {
  page = opened;
  await page.goto(`${base}#/inspection`);
  await openKey(page, process.env.OFFICE_KEY, process.env.PASSWORD);
  await page.goto(`${base}#/office`);
  const form = page.locator("details", { has: page.getByLabel("指定依据") });
  await form.locator("summary").click();
  await page.getByRole("button", { name: "签名并指定责任单位" }).click();
  out.emptyForm = await form.locator(".error").innerText();
  out.unlabelled = await unlabelled(page);
  out.lowContrast = await lowContrast(page);
  await designate("低保对象的入户核查由街道采集，区民政局与街道职责交叉；区府办指定长风新村街道为责任单位");
  out.designationTx = await form.locator("[data-designation]").getAttribute("data-designation", { timeout: 60_000 });
  out.listText = await sectionText(page, "指定责任单位", page.locator(`[data-designated='${process.env.ENTRY_ID}']`));
  out.screenshots = await snap(page, "office-designation");

  const again = await designate("再次指定");
  out.refusedText = await again.locator(".error").innerText({ timeout: 30_000 });
  out.problems = page.problems.filter((p) => !p.includes("status of 409")); // the refusal, shown in the page
});
answer(out);
