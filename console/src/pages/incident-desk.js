// A unit's data security incidents (Art. 29) in its workspace: report one at once — what, when,
// which data and grants, the measures taken, to the Office and the regulators — signed in the
// browser as `ledger supervision report` signs it; then its handling and closure (`ledger
// supervision handle|close`), and who acknowledged it.
import { h, field, select, table, when, shortId, statusBox } from "../lib/dom.js";
import { get } from "../lib/api.js";
import { redrawSoon, session } from "../lib/officer.js";
import { closeIncident, recordHandling, reportIncident } from "../lib/measures.js";
import { INCIDENT_STATE, REPORTED_TO, SEVERITY, label } from "../lib/labels.js";
import { explain } from "../lib/explain.js";

const REGULATORS = ["cyberspace", "public_security", "state_security"];
const fail = (box, what) => (error) => box.replaceChildren(h("span", { className: "error" }, `未能${what}：${explain(error)}`));

/** A chain time as the value of a datetime-local input, Asia/Shanghai. */
const localValue = (seconds) => new Date((Number(seconds) + 8 * 3600) * 1000).toISOString().slice(0, 16);

/** The unit's incidents and the form to report one. */
export async function incidents(redraw) {
  const [rows, units, grants, entries, clock] = await Promise.all([
    get("/v1/supervision/incidents", { unit_id: session.unit.unit_id }),
    get("/v1/units"),
    get(`/v1/units/${session.unit.unit_id}/grants`, { limit: 100 }),
    get("/v1/catalog/entries", { unit_id: session.unit.unit_id, limit: 100 }),
    get("/v1/duties", { limit: 1 }),
  ]);
  const names = Object.fromEntries(units.map((u) => [u.unit_id, u.name]));
  const list = rows.length
    ? table(
        [
          ["事件", (i) => h("span", { "data-own-incident": i.incident_id }, shortId(i.incident_id))],
          ["级别", (i) => label(SEVERITY, i.severity)],
          ["发生 / 报告时间", (i) => `${when(i.occurred_at)} / ${when(i.reported_at)}`],
          ["概况", (i) => i.reported.document.summary],
          ["签收", (i) => (i.acknowledgements.length ? `已签收：${i.acknowledgements.map((a) => names[a.unit_id] ?? a.unit_id).join("、")}` : h("span", { className: "warn" }, "尚无单位签收"))],
          ["涉及授权", (i) => (i.grants.length ? h("ul", { className: "plain" }, i.grants.map((g) => h("li", {}, shortId(g.grant_id), g.suspension === "security" ? "（大数据中心已暂停）" : g.status === "terminated" ? "（已终止）" : ""))) : "—")],
          ["状态", (i) => h("div", { "data-incident-state": i.state },
            h("p", {}, `${label(INCIDENT_STATE, i.state)}；处置记录 ${i.handling.length} 条`),
            i.handling.length ? h("ol", { className: "plain" }, i.handling.map((s) => h("li", {}, `${when(s.at)}：${s.document.progress}`))) : "",
            i.closure ? h("p", {}, `原因：${i.closure.document.cause}；结果：${i.closure.document.outcome}`) : "")],
          ["处置", (i) => (i.state === "open" ? followUp(i.incident_id, redraw) : "—")],
        ],
        rows,
      )
    : h("p", { className: "muted" }, "本单位尚未报告数据安全事件。");
  return [list, h("h3", {}, "报告数据安全事件（第二十九条：立即采取处置措施并报告）"), reportForm(grants.items, entries.items, clock.now, redraw)];
}

function reportForm(grants, entries, now, redraw) {
  const c = {
    occurred: h("input", { type: "datetime-local", name: "occurred_at", value: localValue(now), max: localValue(now) }),
    severity: select("severity", Object.entries(SEVERITY), "general"),
    summary: h("textarea", { name: "summary", rows: 2, placeholder: "发生了什么、涉及哪些数据" }),
    measures: h("textarea", { name: "measures", rows: 2, placeholder: "已立即采取的处置措施" }),
    grants: h("select", { name: "grants", multiple: true, size: Math.min(4, Math.max(2, grants.length)) },
      grants.filter((g) => g.status !== "terminated").map((g) => h("option", { value: g.grant_id }, `${g.scenario_code}（${g.grant_id.slice(0, 10)}…）`))),
    entries: h("select", { name: "entries", multiple: true, size: Math.min(4, Math.max(2, entries.length)) },
      entries.map((e) => h("option", { value: e.entry_id }, `${e.name}（${e.code}）`))),
  };
  const boxes = REGULATORS.map((r) => h("input", { type: "checkbox", name: "reported_to", value: r, checked: r === "cyberspace" }));
  const out = statusBox();
  const chosen = (sel) => [...sel.selectedOptions].map((o) => o.value);
  const submit = async (event) => {
    event.preventDefault();
    const empty = [[c.summary, "事件概况"], [c.measures, "已采取的处置措施"], [c.occurred, "发生时间"]].filter(([el]) => !el.value.trim()).map(([, n]) => n);
    if (empty.length) return out.replaceChildren(h("span", { className: "error" }, `请填写：${empty.join("、")}`));
    const occurredAt = Date.parse(`${c.occurred.value}:00+08:00`) / 1000;
    const latest = (await get("/v1/duties", { limit: 1 })).now;
    if (!(occurredAt > 0) || occurredAt > latest) {
      return out.replaceChildren(h("span", { className: "error" }, `发生时间：不能晚于链上当前时间 ${when(latest)}，请改为事件实际发生的时间`));
    }
    const to = boxes.filter((b) => b.checked).map((b) => b.value);
    if (!to.length) return out.replaceChildren(h("span", { className: "error" }, "报告对象：除区府办外，至少选一个数据安全监管部门"));
    const document = {
      schema: "putuo.incident/1", occurred_at: occurredAt, severity: c.severity.value, summary: c.summary.value.trim(),
      ...(chosen(c.entries).length ? { entries: chosen(c.entries) } : {}),
      ...(chosen(c.grants).length ? { grants: chosen(c.grants) } : {}),
      measures: c.measures.value.trim(), reported_to: ["district_office", ...to],
    };
    try {
      const { status: s, incidentId } = await reportIncident(document, (t) => out.replaceChildren(t));
      out.replaceChildren(h("span", { className: "ok", "data-incident-reported": s.tx_hash, "data-incident-id": incidentId }, `已报告事件 ${incidentId.slice(0, 12)}…，已上链确认`));
      redrawSoon(redraw);
    } catch (error) {
      fail(out, "报告")(error);
    }
  };
  return h("form", { onsubmit: submit, "aria-label": "报告数据安全事件" },
    h("div", { className: "filters" },
      field("发生时间（北京时间）", c.occurred), field("事件级别", c.severity),
      field("事件概况", c.summary, { wide: true }), field("已采取的处置措施", c.measures, { wide: true }),
      field("涉及的共享授权（可多选，可不选）", c.grants, { wide: true }),
      field("涉及的目录条目（可多选，可不选）", c.entries, { wide: true })),
    h("fieldset", {}, h("legend", {}, "报告区府办及："), ...REGULATORS.map((r, i) => h("label", {}, boxes[i], ` ${label(REPORTED_TO, r)}`))),
    h("p", {}, h("button", { type: "submit" }, "签名并报告")),
    out);
}

/** Record a step of the handling, or close the incident with its cause and outcome. */
function followUp(incidentId, redraw) {
  const id = incidentId.slice(0, 12);
  const progress = h("input", { type: "text", name: "progress" });
  const cause = h("input", { type: "text", name: "cause" });
  const outcome = h("input", { type: "text", name: "outcome" });
  const improvements = h("input", { type: "text", name: "improvements" });
  const out = statusBox();
  const handle = async () => {
    if (!progress.value.trim()) return out.replaceChildren(h("span", { className: "error" }, "处置进展：请填写"));
    try {
      const { status: s } = await recordHandling(incidentId, progress.value.trim(), (t) => out.replaceChildren(t));
      out.replaceChildren(h("span", { className: "ok", "data-handling": s.tx_hash }, "已记录处置进展，已上链确认"));
      redrawSoon(redraw);
    } catch (error) {
      fail(out, "记录")(error);
    }
  };
  const close = async () => {
    const empty = [[cause, "事件原因"], [outcome, "处置结论"]].filter(([el]) => !el.value.trim()).map(([, n]) => n);
    if (empty.length) return out.replaceChildren(h("span", { className: "error" }, `请填写：${empty.join("、")}`));
    try {
      const done = await closeIncident(incidentId, { cause: cause.value.trim(), outcome: outcome.value.trim(), improvements: improvements.value.trim() }, (t) => out.replaceChildren(t));
      out.replaceChildren(h("span", { className: "ok", "data-closed": done.status.tx_hash }, "已结案，已上链确认"));
      redrawSoon(redraw);
    } catch (error) {
      fail(out, "结案")(error);
    }
  };
  return h("div", {},
    field(`处置进展（${id}）`, progress),
    h("button", { type: "button", "aria-label": `签名并记录处置进展 ${id}`, onclick: handle }, "签名并记录"),
    h("details", {}, h("summary", {}, "结案"),
      field(`事件原因（${id}）`, cause), field(`处置结论（${id}）`, outcome), field(`整改措施（${id}，可不填）`, improvements),
      h("button", { type: "button", className: "secondary", "aria-label": `签名并结案 ${id}`, onclick: close }, "签名并结案")),
    out);
}
