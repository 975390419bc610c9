// What every console test script shares: Debian's Chromium driven by playwright-core (no
// browser download: `npx playwright install` cannot reach its host here), the screenshot
// viewports, and the one line of JSON a script answers to its pytest test.
import { mkdirSync } from "node:fs";
import { join } from "node:path";
import { chromium } from "playwright-core";

export const FLAGS = [
  "--headless",
  "--no-sandbox",
  "--disable-gpu",
  "--disable-background-networking",
  "--disable-component-update",
  "--disable-sync",
];
export const VIEWPORTS = { desktop: { width: 1280, height: 800 }, phone: { width: 390, height: 844 } };
export const ARTIFACTS = process.env.CONSOLE_ARTIFACTS ?? "test-artifacts/console";

export function launch() {
  return chromium.launch({ executablePath: process.env.CHROMIUM ?? "/usr/bin/chromium", headless: true, args: FLAGS });
}

/** A page whose console errors and failed requests to other hosts are collected in `problems`. */
export async function openPage(browser, viewport = VIEWPORTS.desktop) {
  const context = await browser.newContext({ viewport, locale: "zh-CN", timezoneId: "Asia/Shanghai" });
  const page = await context.newPage();
  page.problems = [];
  page.on("pageerror", (error) => page.problems.push(`page error: ${error.message}`));
  // A 422 is the API judging a draft as it is typed (the compose form shows it): not a problem.
  const expected = (text) => text.includes("status of 422");
  page.on("console", (msg) => msg.type() === "error" && !expected(msg.text()) && page.problems.push(`console: ${msg.text()}`));
  page.on("request", (request) => {
    const url = new URL(request.url());
    const allowed = ["127.0.0.1", "localhost"].includes(url.hostname) || ["file:", "data:", "blob:"].includes(url.protocol);
    if (!allowed) page.problems.push(`request to another host: ${request.url()}`);
  });
  return page;
}

/** Screenshots of the page at `url` at both widths, once `ready` is visible: `NAME-desktop.png`,
 *  `NAME-phone.png`. One page for both (resized between them), not a browser context each. */
export async function screenshots(browser, url, name, ready) {
  const page = await openPage(browser);
  try {
    await page.goto(url);
    await page.locator(ready).first().waitFor();
    const files = await snap(page, name);
    if (page.problems.length) throw new Error(`${url}:\n${page.problems.join("\n")}`);
    return files;
  } finally {
    await page.context().close();
  }
}

/** Form controls on the page without an accessible label (a <label for>, or aria-label). */
export function unlabelled(page) {
  return page.evaluate(() =>
    [...document.querySelectorAll("input, select, textarea")]
      .filter((el) => el.type !== "hidden" && !(el.labels?.length || el.getAttribute("aria-label")))
      .map((el) => el.outerHTML.slice(0, 80)),
  );
}

/** The script's answer to its test: one JSON line on stdout. */
export function answer(value) {
  process.stdout.write(JSON.stringify(value) + "\n");
}

/** Run a script's steps in a fresh page of a new browser (`steps(page, browser)`), and close the
 *  browser whatever happens. On a failure, print where the page was, what it showed and its
 *  problems before failing: the Python side shows this when the script exits non-zero. */
export async function withPage(steps) {
  const browser = await launch();
  let page;
  try {
    page = await openPage(browser);
    await steps(page, browser);
  } catch (error) {
    if (page) console.error(`at ${page.url()}:\n${await page.locator("main").innerText()}\n${page.problems.join("\n")}`);
    throw error;
  } finally {
    await browser.close();
  }
}

/** Screenshots of the page as it is now, at both widths: `NAME-desktop.png`, `NAME-phone.png`. */
export async function snap(page, name) {
  mkdirSync(ARTIFACTS, { recursive: true });
  const files = [];
  for (const [label, viewport] of Object.entries(VIEWPORTS)) {
    await page.setViewportSize(viewport);
    const file = join(ARTIFACTS, `${name}-${label}.png`);
    // Nothing may be wider than the screen (a phone would scroll sideways): a problem of the page.
    const width = await page.evaluate(() => document.documentElement.scrollWidth);
    if (width > viewport.width) page.problems?.push(`${name}: ${width} px wide at ${label} width ${viewport.width} px`);
    await page.screenshot({ path: file, fullPage: true });
    files.push(file);
  }
  await page.setViewportSize(VIEWPORTS.desktop);
  return files;
}

/** The text of the block under a heading (h2, or the tag given), read once it holds `has` (a
 *  locator): Playwright finds the block and reads it in one step, so a redraw between a wait and a
 *  read cannot hand back a block that is still "正在加载……". */
export function sectionText(page, heading, has, tag = "h2") {
  const box = page.locator(`${tag}:has-text('${heading}') + div`);
  return (has ? box.filter({ has }) : box).innerText();
}

/** Close the page's open key and open `file` at `url`. Between the two the page is nobody's: reads
 *  it had started may be answered 401, which the browser logs (seen in CI under load); only those
 *  are set aside from the page's problems. */
export async function switchKey(page, url, file, password) {
  await page.goto(url);
  const before = page.problems.length;
  await page.getByRole("button", { name: "关闭密钥" }).click();
  await openKey(page, file, password);
  page.problems.splice(before, Infinity, ...page.problems.slice(before).filter((p) => !p.includes("status of 401")));
}

/** Open an officer's keystore file in the page's key panel. */
export async function openKey(page, file, password) {
  await page.getByLabel("密钥文件").setInputFiles(file);
  await page.getByLabel("密钥密码").fill(password);
  await page.getByRole("button", { name: "打开密钥" }).click();
  await page.locator("[data-key-open]").waitFor();
  return page.locator("[data-key-open]").getAttribute("data-key-open");
}

/** Visible text whose colour has a contrast under 4.5:1 against its background (WCAG AA), as
 *  [text, ratio]. The background is the first opaque one up the tree (white at the root). */
export function lowContrast(page) {
  return page.evaluate(() => {
    const rgb = (s) => (s.match(/[\d.]+/g) || []).map(Number);
    const lum = ([r, g, b]) => {
      const f = (c) => ((c /= 255) <= 0.03928 ? c / 12.92 : ((c + 0.055) / 1.055) ** 2.4);
      return 0.2126 * f(r) + 0.7152 * f(g) + 0.0722 * f(b);
    };
    const background = (el) => {
      for (let e = el; e && e.nodeType === 1; e = e.parentElement) {
        const c = rgb(getComputedStyle(e).backgroundColor);
        if (c.length === 3 || (c.length === 4 && c[3] > 0.9)) return c.slice(0, 3);
      }
      return [255, 255, 255];
    };
    const out = [];
    for (const el of document.querySelectorAll("body *")) {
      const text = [...el.childNodes].filter((n) => n.nodeType === 3).map((n) => n.textContent.trim()).join("");
      if (!text || !el.getClientRects().length || ["SCRIPT", "STYLE", "OPTION", "TITLE"].includes(el.tagName)) continue;
      if (el.closest("svg")) continue; // the chart's fills are checked by its own colours
      const [a, b] = [lum(rgb(getComputedStyle(el).color).slice(0, 3)), lum(background(el))];
      const ratio = (Math.max(a, b) + 0.05) / (Math.min(a, b) + 0.05);
      if (ratio < 4.5) out.push([text.slice(0, 30), Math.round(ratio * 100) / 100]);
    }
    return out;
  });
}
