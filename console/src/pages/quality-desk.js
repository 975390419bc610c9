// 数据异议 (Art. 16) in the unit workspace: the objections raised against the unit's data, with
// their handling due time, and the unit's verification and handling signed in the browser (as
// `ledger quality handle` signs it: lib/measures.js).
import { h, field, select, table, timeLeft, when, statusBox } from "../lib/dom.js";
import { get } from "../lib/api.js";
import { redrawSoon, session } from "../lib/officer.js";
import { handleObjection } from "../lib/measures.js";
import { OBJECTION_OUTCOME, OBJECTION_SOURCE, OBJECTION_STATE, label } from "../lib/labels.js";

/** The objections to my unit's data, the open ones first, each with its handling. */
export async function objections(redraw = () => {}) {
  const [rows, units, { now }] = await Promise.all([
    get("/v1/quality/objections", { unit_id: session.unit.unit_id }),
    get("/v1/units"),
    get("/v1/duties", { limit: 1 }),
  ]);
  if (!rows.length) return h("p", { className: "muted" }, "没有针对本单位数据的异议。");
  const names = Object.fromEntries(units.map((u) => [u.unit_id, u.name]));
  const open = (o) => o.state === "open" || o.state === "overdue";
  rows.sort((a, b) => Number(open(b)) - Number(open(a)) || a.due_at - b.due_at);
  return table(
    [
      ["异议", (o) => h("span", { className: "hash", title: o.objection_id, "data-objection": o.objection_id }, o.objection_id.slice(0, 12) + "…")],
      ["目录条目", (o) => h("a", { href: `#/catalog/${o.entry_id}` }, o.entry_id.slice(0, 12) + "…")],
      ["来源", (o) => `${label(OBJECTION_SOURCE, o.source)}（${names[o.raiser_unit] ?? o.raiser_unit}）`],
      ["异议内容", (o) => o.raised?.document?.description ?? "—"],
      ["处理期限", (o) => h("span", { className: o.state === "overdue" ? "bad" : open(o) && o.due_at - now < 86400 ? "warn" : "" },
        when(o.due_at), open(o) ? `（${timeLeft(o.due_at, now)}）` : "")],
      ["状态", (o) => h("span", { "data-objection-state": o.state }, label(OBJECTION_STATE, o.state),
        o.outcome ? `：${label(OBJECTION_OUTCOME, o.outcome)}` : "")],
      ["核实与处理", (o) => (open(o) ? handleCell(o, redraw) : o.handling?.document?.verification ?? "—")],
    ],
    rows,
    `按链上时间 ${when(now)} 计`,
  );
}

function handleCell(o, redraw) {
  const id = o.objection_id.slice(0, 12);
  const outcome = select("outcome", Object.entries(OBJECTION_OUTCOME), "corrected");
  const verification = h("textarea", { name: "verification", rows: 2 });
  const measures = h("textarea", { name: "measures", rows: 2 });
  const status = statusBox();
  const send = async () => {
    const said = { outcome: outcome.value, verification: verification.value.trim(), measures: measures.value.trim() };
    if (!said.verification) return status.replaceChildren(h("span", { className: "error" }, "核实情况：请填写核查了什么、结论如何"));
    try {
      const { status: s } = await handleObjection(o.objection_id, said, (t) => status.replaceChildren(t));
      status.replaceChildren(h("span", { className: "ok", "data-objection-handled": s.tx_hash }, "已上链确认"));
      redrawSoon(redraw);
    } catch (error) {
      status.replaceChildren(h("span", { className: "error" }, `未能提交处理结果：${error.message}`));
    }
  };
  return h(
    "details",
    {},
    h("summary", {}, "核实并处理"),
    field(`处理结论（${id}）`, outcome),
    field(`核实情况（${id}）`, verification),
    field(`更正措施（${id}）`, measures, { hint: "确有错误时写明如何更正、何时重新推送" }),
    h("button", { type: "button", "aria-label": `签名并提交处理结果 ${id}`, onclick: send }, "签名并提交处理结果"),
    status,
  );
}
