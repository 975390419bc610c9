// A few DOM helpers: the pages build their elements with h() and never assign innerHTML from
// data (every text from the API or the chain goes in as a text node).

/** h("a", {href: "#/x"}, "text", child, …): an element with attributes and children. */
export function h(tag, attrs = {}, ...children) {
  const el = document.createElement(tag);
  for (const [name, value] of Object.entries(attrs || {})) {
    if (value === undefined || value === null || value === false) continue;
    if (name.startsWith("on") && typeof value === "function") el.addEventListener(name.slice(2), value);
    else if (name === "className") el.className = value;
    else el.setAttribute(name, value === true ? "" : String(value));
  }
  for (const child of children.flat(Infinity)) {
    if (child === undefined || child === null || child === false) continue;
    el.append(child instanceof Node ? child : document.createTextNode(String(child)));
  }
  return el;
}

let uid = 0;
/** A labelled form field: the <label for> names the control, as screen readers and tests use it. */
export function field(label, control, { wide = false, hint = null } = {}) {
  if (!control.id) control.id = `f${++uid}`;
  const parts = [h("label", { for: control.id }, label), control];
  if (hint) {
    const hintId = `${control.id}-hint`;
    control.setAttribute("aria-describedby", hintId);
    parts.push(h("small", { id: hintId, className: "muted" }, hint));
  }
  return h("div", { className: wide ? "field wide" : "field" }, parts);
}

export function select(name, options, value = "") {
  return h(
    "select",
    { name },
    options.map(([v, text]) => h("option", { value: v, selected: v === value }, text)),
  );
}

/** A table from rows: columns is [[header, row => cell], …]. */
export function table(columns, rows, caption) {
  return h(
    "div",
    { className: "table-wrap" },
    h(
      "table",
      {},
      caption ? h("caption", { className: "muted" }, caption) : null,
      h("thead", {}, h("tr", {}, columns.map(([name]) => h("th", { scope: "col" }, name)))),
      // data-label: on a phone each row is shown as a card, each cell under its column's name.
      h("tbody", {}, rows.map((row) => h("tr", {}, columns.map(([name, cell]) => h("td", { "data-label": name }, cell(row)))))),
    ),
  );
}

let rendered = false;
/** Replace the page's content; after a navigation, move keyboard focus to its heading (on the
 *  first page load focus stays at the top, where Tab reaches the skip link first). */
export function render(main, ...children) {
  main.replaceChildren(...children.flat());
  const heading = main.querySelector("h1");
  if (heading) heading.setAttribute("tabindex", "-1");
  const first = !rendered;
  rendered = true;
  if (heading && !first) {
    heading.focus({ preventScroll: true });
  }
}

const SHANGHAI = new Intl.DateTimeFormat("zh-CN", {
  timeZone: "Asia/Shanghai", year: "numeric", month: "2-digit", day: "2-digit",
  hour: "2-digit", minute: "2-digit", hour12: false,
});
/** A chain time (unix seconds) as a Shanghai date and time; "—" for 0 ("none yet"). */
export function when(seconds) {
  return seconds ? SHANGHAI.format(new Date(Number(seconds) * 1000)) : "—";
}

/** The time from `now` to `due` (unix seconds), in days and hours, or how long it is overdue. */
export function timeLeft(due, now) {
  if (!due) return "—";
  const left = due - now;
  const abs = Math.abs(left);
  const text = abs >= 86400 ? `${Math.floor(abs / 86400)} 天 ${Math.floor((abs % 86400) / 3600)} 小时` : `${Math.floor(abs / 3600)} 小时 ${Math.floor((abs % 3600) / 60)} 分`;
  return left >= 0 ? `剩余 ${text}` : `已逾期 ${text}`;
}

/** A box that announces a step's progress and outcome to screen readers (role=status). */
export const statusBox = () => h("div", { className: "status", role: "status", "aria-live": "polite" });

/** Show `text` in `box` as an error. */
export const showError = (box, text) => box.replaceChildren(h("span", { className: "error" }, text));

/** An id shortened to its first `length` characters, the whole id in its title. */
export const shortId = (id, length = 12) => h("span", { className: "hash", title: id }, id.slice(0, length) + "…");
