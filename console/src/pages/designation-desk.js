// The Office designates an entry's responsible unit where its data falls to several units or to
// none (Art. 5; putuo.designation/1): the entry passes to the designated (ordinary) unit, and the
// old owner's open duties on it move with it or stay, as the Office decides. Signed in the browser
// as the API's `designate` takes it; the designations so far from GET /v1/designations (public).
import { h, field, select, table, when, shortId, showError, statusBox } from "../lib/dom.js";
import { get } from "../lib/api.js";
import { redrawSoon, session, stillOpen } from "../lib/officer.js";
import { designate } from "../lib/responsibilities.js";
import { explain } from "../lib/explain.js";

const DISPOSITION = { move_open_duties: "原单位的在办职责随条目转交", keep_open_duties: "原单位的在办职责由原单位办结" };

/** The designations so far and, for an officer of the Office, the form for one. */
export async function designationDesk(redraw) {
  const key = session.key;
  const [done, units, entries] = await Promise.all([get("/v1/designations"), get("/v1/units"), get("/v1/catalog/entries", { limit: 100 })]);
  stillOpen(key);
  const names = Object.fromEntries(units.map((u) => [u.unit_id, u.name]));
  const byId = Object.fromEntries(entries.items.map((e) => [e.entry_id, e]));
  const entryName = (id) => (byId[id] ? `${byId[id].name}（${byId[id].code}）` : shortId(id));
  const list = done.length
    ? table(
        [
          ["条目", (d) => entryName(d.subject)],
          ["原责任单位", (d) => names[d.from_unit] ?? d.from_unit],
          ["指定的责任单位", (d) => h("span", { "data-designated": d.subject }, names[d.unit_id] ?? d.unit_id)],
          ["在办职责", (d) => DISPOSITION[d.document.disposition]],
          ["依据", (d) => d.document.basis],
          ["指定时间", (d) => when(d.at)],
          ["交易", (d) => shortId(d.proof.tx_hash)],
        ],
        [...done].reverse(),
      )
    : h("p", { className: "muted" }, "区府办尚未指定过责任单位。");
  const form = session.unit?.kind === "office"
    ? designationForm(entries.items.filter((e) => e.status !== "deleted"), units.filter((u) => u.kind === "ordinary"), names, redraw)
    : null;
  return [form, list];
}

function designationForm(entries, units, names, redraw) {
  const entry = select("entry_id", [["", "请选择条目"], ...entries.map((e) => [e.entry_id, `${e.name}（${e.code}，${names[e.unit_id] ?? "—"}）`])], "");
  const unit = select("unit_id", [["", "请选择单位"], ...units.map((u) => [u.unit_id, `${u.name}（${u.code}）`])], "");
  const disposition = select("disposition", Object.entries(DISPOSITION), "move_open_duties");
  const basis = h("textarea", { name: "basis", rows: 2, placeholder: "数据涉及哪些单位，或为何职责不清" });
  const out = statusBox();
  const error = (text) => showError(out, text);
  const send = async () => {
    const empty = [[entry, "条目"], [unit, "指定的责任单位"], [basis, "指定依据"]].filter(([el]) => !el.value.trim()).map(([, n]) => n);
    if (empty.length) return error(`请填写：${empty.join("、")}（第五条）`);
    const document = { schema: "putuo.designation/1", entry_id: entry.value, unit_id: unit.value, disposition: disposition.value, basis: basis.value.trim() };
    try {
      const { status } = await designate(document, (t) => out.replaceChildren(t));
      out.replaceChildren(h("span", { className: "ok", "data-designation": status.tx_hash }, "已指定责任单位，已上链确认"));
      redrawSoon(redraw);
    } catch (e) {
      error(`未能指定：${explain(e)}`);
    }
  };
  return h("details", {}, h("summary", {}, "指定条目的责任单位"),
    field("条目", entry), field("指定的责任单位", unit), field("原单位的在办职责", disposition), field("指定依据", basis, { wide: true }),
    h("button", { type: "button", "aria-label": "签名并指定责任单位", onclick: send }, "签名并指定"), out);
}
