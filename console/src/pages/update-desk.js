// Data quality (Art. 15–16) on the Data Center's page: each entry's declared update frequency
// with the updates received per period and the periods missed; an update received recorded with
// the SM3 of the delivered batch (computed here from the file); a reconciliation (对账) with a unit;
// a data objection raised to an entry's unit — each signed in the browser as `ledger quality
// update|reconcile|object` signs it. And, in a unit's workspace, the declaration of an entry's
// update frequency, the approved version's (`ledger quality declare`).
import { sm3 } from "sm-crypto-v2";
import { h, field, select, table, when, showError, statusBox } from "../lib/dom.js";
import { get } from "../lib/api.js";
import { redrawSoon, session } from "../lib/officer.js";
import { declareFrequency, raiseObjection, recordReconciliation, recordUpdate } from "../lib/measures.js";
import { FREQUENCY, OBJECTION_SOURCE, label } from "../lib/labels.js";
import { explain } from "../lib/explain.js";

const localValue = (seconds) => new Date((Number(seconds) + 8 * 3600) * 1000).toISOString().slice(0, 16);
const RESULT = { consistent: "一致", discrepancies: "发现差异" };

/** The Data Center's quality desk. */
export async function qualityDesk(redraw) {
  const [schedules, reconciliations, units, entries, clock] = await Promise.all([
    get("/v1/quality/updates"), get("/v1/quality/reconciliations"), get("/v1/units"),
    get("/v1/catalog/entries", { status: "active", limit: 100 }), get("/v1/duties", { limit: 1 }),
  ]);
  const names = Object.fromEntries(units.map((u) => [u.unit_id, u.name]));
  const byId = Object.fromEntries(entries.items.map((e) => [e.entry_id, e]));
  const entryName = (id) => (byId[id] ? `${byId[id].name}（${byId[id].code}）` : id.slice(0, 12) + "…");
  const dc = session.unit?.kind === "data_center";
  const last = (s) => s.periods[s.periods.length - 1];
  return [
    h("h3", {}, "按更新频率更新（第十六条）"),
    schedules.length
      ? table([
          ["目录条目", (s) => h("span", { "data-schedule": s.entry_id }, entryName(s.entry_id))],
          ["责任单位", (s) => names[s.unit_id] ?? s.unit_id],
          ["更新频率", (s) => label(FREQUENCY, s.frequency)],
          ["本期", (s) => (last(s) ? `${when(last(s).begins_at)} 起，已收到 ${last(s).updates.length} 次更新` : "—")],
          ["未按期更新", (s) => h("span", { className: s.missed_periods ? "bad" : "" }, `${s.missed_periods} 期`)],
          ["记录更新", (s) => (dc ? updateCell(s.entry_id, clock.now, redraw) : "—")],
        ], schedules)
      : h("p", { className: "muted" }, "尚无单位声明更新频率。"),
    h("h3", {}, "对账（第十六条第三款）"),
    reconciliations.length
      ? table([
          ["对账", (r) => h("span", { "data-reconciliation": r.reconciliation_id }, r.document.period)],
          ["单位", (r) => names[r.unit_id] ?? r.unit_id],
          ["核对条目", (r) => r.document.entries.map(entryName).join("、")],
          ["结果", (r) => RESULT[r.result] ?? r.result],
          ["差异", (r) => (r.document.discrepancies?.length ? h("ul", { className: "plain" }, r.document.discrepancies.map((d) => h("li", {}, `${entryName(d.entry_id)}：${d.description}`))) : "—")],
        ], reconciliations)
      : h("p", { className: "muted" }, "尚无对账记录。"),
    ...(dc ? [reconcileForm(units, entries.items, redraw), objectionForm(entries.items, names, reconciliations, redraw)] : []),
  ];
}

function updateCell(entryId, now, redraw) {
  const id = entryId.slice(0, 12);
  const received = h("input", { type: "datetime-local", name: "received_at", value: localValue(now) });
  const records = h("input", { type: "number", name: "records", min: 0, step: 1 });
  const file = h("input", { type: "file", name: "batch" });
  const out = statusBox();
  const send = async () => {
    if (!file.files[0]) return showError(out, "交付的数据文件：请选择文件（本页计算其 SM3，文件不上传）");
    const count = Number(records.value);
    if (records.value === "" || !Number.isInteger(count) || count < 0) return showError(out, "记录条数：请填非负整数");
    const receivedAt = Date.parse(`${received.value}:00+08:00`) / 1000;
    if (!(receivedAt > 0)) return showError(out, "收到时间：请选择");
    const document = {
      schema: "putuo.update-receipt/1", entry_id: entryId, received_at: receivedAt, records: count,
      content_sm3: sm3(new Uint8Array(await file.files[0].arrayBuffer())),
    };
    try {
      const { status: s, updateId } = await recordUpdate(document, (t) => out.replaceChildren(t));
      out.replaceChildren(h("span", { className: "ok", "data-update-recorded": s.tx_hash, "data-update-id": updateId }, `已记录（SM3 ${document.content_sm3.slice(0, 12)}…），已上链确认`));
      redrawSoon(redraw);
    } catch (e) {
      showError(out, `未能记录：${explain(e)}`);
    }
  };
  return h("details", {}, h("summary", {}, "记录收到的更新"),
    field(`收到时间（${id}）`, received), field(`记录条数（${id}）`, records),
    field(`交付的数据文件（${id}）`, file, { hint: "只在本浏览器内计算 SM3" }),
    h("button", { type: "button", "aria-label": `签名并记录更新 ${id}`, onclick: send }, "签名并记录"), out);
}

function reconcileForm(units, entries, redraw) {
  const ordinary = units.filter((u) => u.kind === "ordinary");
  const unit = select("unit_id", ordinary.map((u) => [u.unit_id, u.name]), ordinary[0]?.unit_id);
  const checked = h("select", { name: "entries", multiple: true, size: 4 });
  const fillEntries = () => checked.replaceChildren(...entries.filter((e) => e.unit_id === unit.value).map((e) => h("option", { value: e.entry_id, selected: true }, `${e.name}（${e.code}）`)));
  unit.addEventListener("change", fillEntries);
  fillEntries();
  const period = h("input", { type: "text", name: "period", placeholder: "如 2026-Q1" });
  const result = select("result", Object.entries(RESULT), "consistent");
  const found = h("textarea", { name: "discrepancies", rows: 2, placeholder: "每行一项：目录编码，差异说明" });
  const out = statusBox();
  const submit = async (event) => {
    event.preventDefault();
    const chosen = [...checked.selectedOptions].map((o) => o.value);
    if (!period.value.trim()) return showError(out, "对账期间：请填写");
    if (!chosen.length) return showError(out, "核对的目录条目：至少选一个");
    const codes = Object.fromEntries(entries.map((e) => [e.code, e.entry_id]));
    const lines = found.value.split("\n").map((l) => l.trim()).filter(Boolean).map((l) => l.split(/[,，]/));
    const unknown = lines.filter(([code]) => !codes[code.trim()]).map(([code]) => code.trim());
    if (unknown.length) return showError(out, `差异：没有编码为 ${unknown.join("、")} 的已生效条目，请按“目录编码，差异说明”填写`);
    const discrepancies = lines.map(([code, ...rest]) => ({ entry_id: codes[code.trim()], description: rest.join("，").trim() }));
    if (result.value === "discrepancies" && !discrepancies.length) return showError(out, "差异：结果为“发现差异”时请逐行写明");
    if (discrepancies.some((d) => !d.description)) return showError(out, "差异：每行的差异说明不能为空");
    const document = { schema: "putuo.reconciliation/1", unit_id: unit.value, period: period.value.trim(), entries: chosen, result: result.value, ...(discrepancies.length ? { discrepancies } : {}) };
    try {
      const { status: s, reconciliationId } = await recordReconciliation(document, (t) => out.replaceChildren(t));
      out.replaceChildren(h("span", { className: "ok", "data-reconciled": s.tx_hash, "data-reconciliation-id": reconciliationId }, "已记录对账，已上链确认"));
      redrawSoon(redraw);
    } catch (e) {
      showError(out, `未能记录：${explain(e)}`);
    }
  };
  return h("form", { onsubmit: submit, "aria-label": "记录对账" },
    h("h3", {}, "记录对账"),
    h("div", { className: "filters" }, field("对账单位", unit), field("对账期间", period), field("核对的目录条目", checked, { wide: true }),
      field("对账结果", result), field("差异（每行：目录编码，差异说明）", found, { wide: true })),
    h("p", {}, h("button", { type: "submit" }, "签名并记录对账")), out);
}

function objectionForm(entries, names, reconciliations, redraw) {
  const entry = select("entry_id", entries.map((e) => [e.entry_id, `${e.name}（${e.code}，${names[e.unit_id] ?? ""}）`]), entries[0]?.entry_id);
  const source = select("source", Object.entries(OBJECTION_SOURCE).filter(([k]) => k !== "using_unit"), "quality_monitoring");
  const from = select("reconciliation_id", [["", "（不涉及）"], ...reconciliations.map((r) => [r.reconciliation_id, `${names[r.unit_id] ?? r.unit_id} ${r.document.period}`])], "");
  const description = h("textarea", { name: "description", rows: 2, placeholder: "哪些记录、哪些字段有误" });
  const out = statusBox();
  const submit = async (event) => {
    event.preventDefault();
    if (!entry.value) return showError(out, "目录条目：请选择");
    if (!description.value.trim()) return showError(out, "异议内容：请写明哪些记录、哪些字段有误");
    if (source.value === "reconciliation" && !from.value) return showError(out, "来源对账：来源为对账时请选择该次对账");
    const document = { schema: "putuo.objection/1", entry_id: entry.value, source: source.value, description: description.value.trim(), ...(from.value ? { reconciliation_id: from.value } : {}) };
    try {
      const { status: s, objectionId } = await raiseObjection(document, (t) => out.replaceChildren(t));
      out.replaceChildren(h("span", { className: "ok", "data-objection-raised": s.tx_hash, "data-objection-id": objectionId }, "已向责任单位提出异议，已上链确认"));
      redrawSoon(redraw);
    } catch (e) {
      showError(out, `未能提出：${explain(e)}`);
    }
  };
  return h("form", { onsubmit: submit, "aria-label": "提出数据异议" },
    h("h3", {}, "提出数据异议（第十六条）"),
    h("div", { className: "filters" }, field("异议的目录条目", entry, { wide: true }), field("异议来源", source), field("来源对账（可不选）", from),
      field("异议内容", description, { wide: true })),
    h("p", {}, h("button", { type: "submit" }, "签名并提出异议")), out);
}

/** In the unit's entries: the update frequency it declared, or the declaration of the approved
 *  version's, signed here. */
export function frequencyCell(entry, declared, redraw) {
  if (entry.status !== "active") return "—";
  if (declared) return h("span", { "data-declared": declared.frequency }, `已声明：${label(FREQUENCY, declared.frequency)}`);
  const out = statusBox();
  const send = async () => {
    try {
      const approved = (await get(`/v1/catalog/entries/${entry.entry_id}`)).document?.update_frequency;
      if (!approved) return showError(out, "未能读取已生效版本的更新频率：请刷新页面重试");
      const { status: s } = await declareFrequency(entry.entry_id, approved, (t) => out.replaceChildren(t));
      out.replaceChildren(h("span", { className: "ok", "data-frequency-declared": s.tx_hash }, `已声明${label(FREQUENCY, approved)}更新，已上链确认`));
      redrawSoon(redraw);
    } catch (e) {
      showError(out, `未能声明：${explain(e)}`);
    }
  };
  return h("div", {}, h("button", { type: "button", className: "secondary", "aria-label": `签名并声明更新周期 ${entry.name}`, onclick: send }, "声明更新周期"), out);
}
