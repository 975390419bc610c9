// 监督 (Art. 29, 32) for the Office and the regulators: the inbox of data security incidents the
// units reported, each acknowledged (签收) signed in the browser as `ledger supervision
// acknowledge` signs it (lib/measures.js); and the Office's published evaluation results and
// notices (通报), each notice line with the duties behind it as the chain recorded them.
import { h, field, table, when, shortId, statusBox } from "../lib/dom.js";
import { get } from "../lib/api.js";
import { redrawSoon, session } from "../lib/officer.js";
import { acknowledge } from "../lib/measures.js";
import { DUTY_STATE, EVALUATION_GROUPS, INCIDENT_STATE, REPORTED_TO, SEVERITY, dutyRule, label } from "../lib/labels.js";

export const OVERSEERS = ["office", "auditor"]; // who acknowledges an incident (Supervision: the Office, a regulator)
// The rules whose subject is a catalog entry (api/services/duties/_model.py RULES, subject_type "entry").
const ENTRY_RULES = ["art11_compile", "art13_review", "art13_resubmit", "art14_review", "art15_collect", "art16_update"];

/** Every incident, those this unit has not acknowledged first. */
export async function incidentInbox(redraw = () => {}) {
  const [rows, units] = await Promise.all([get("/v1/supervision/incidents"), get("/v1/units")]);
  if (!rows.length) return h("p", { className: "muted" }, "尚无单位报告数据安全事件。");
  const names = Object.fromEntries(units.map((u) => [u.unit_id, u.name]));
  const mine = (i) => i.acknowledgements.some((a) => a.unit_id === session.unit.unit_id);
  rows.sort((a, b) => Number(mine(a)) - Number(mine(b)) || b.reported_at - a.reported_at);
  const waiting = rows.filter((i) => !mine(i)).length;
  return h(
    "div",
    {},
    OVERSEERS.includes(session.unit.kind)
      ? h("p", { className: waiting ? "warn" : "ok", "data-unacknowledged": String(waiting) },
          waiting ? `本单位待签收 ${waiting} 起事件。` : "本单位已签收全部事件。")
      : h("p", { className: "muted" }, "事件由政务办和监督单位签收。"),
    table(
      [
        ["事件", (i) => h("span", { "data-incident": i.incident_id }, shortId(i.incident_id))],
        ["报告单位", (i) => names[i.unit_id] ?? i.unit_id],
        ["级别", (i) => h("span", { className: ["major", "especially"].includes(i.severity) ? "bad" : "" }, label(SEVERITY, i.severity))],
        ["发生 / 报告时间", (i) => `${when(i.occurred_at)} / ${when(i.reported_at)}`],
        ["事件概况与已采取措施", (i) => h("div", {}, h("p", {}, i.reported.document.summary), h("p", { className: "muted" }, `措施：${i.reported.document.measures}`))],
        ["报告对象", (i) => (i.reported.document.reported_to ?? []).map((r) => label(REPORTED_TO, r)).join("、")],
        ["涉及授权", (i) => (i.grants.length ? h("ul", { className: "plain" }, i.grants.map((g) => h("li", {}, shortId(g.grant_id), g.suspension && g.suspension !== "none" ? "（已暂停）" : ""))) : "—")],
        ["状态", (i) => `${label(INCIDENT_STATE, i.state)}；处置记录 ${i.handling.length} 条`],
        ["签收", (i) => h("div", {},
          i.acknowledgements.length ? h("p", {}, `已签收：${i.acknowledgements.map((a) => names[a.unit_id] ?? a.unit_id).join("、")}`) : h("p", { className: "warn" }, "尚无单位签收"),
          mine(i) || !OVERSEERS.includes(session.unit.kind) ? "" : acknowledgeCell(i.incident_id, "事件", redraw))],
      ],
      rows,
    ),
  );
}

function acknowledgeCell(subjectId, what, redraw) {
  const id = subjectId.slice(0, 12);
  const note = h("input", { type: "text", name: "note", placeholder: "如：已收悉，请持续报送处置进展" });
  const status = statusBox();
  const send = async () => {
    try {
      const { status: s } = await acknowledge(subjectId, note.value.trim(), (t) => status.replaceChildren(t));
      status.replaceChildren(h("span", { className: "ok", "data-acknowledged": s.tx_hash }, "已签收，已上链确认"));
      redrawSoon(redraw);
    } catch (error) {
      status.replaceChildren(h("span", { className: "error" }, `未能签收：${error.message}`));
    }
  };
  return h("div", {}, field(`签收意见（${id}，可不填）`, note),
    h("button", { type: "button", "aria-label": `签名签收${what} ${id}`, onclick: send }, "签名签收"), status);
}

/** The Data Center's reports (报送) of grants it suspended or terminated for a security risk
 *  (Art. 31), those this unit has not acknowledged first. */
export async function measureReportInbox(redraw = () => {}) {
  const [rows, units] = await Promise.all([get("/v1/supervision/measure-reports"), get("/v1/units")]);
  if (!rows.length) return h("p", { className: "muted" }, "大数据中心尚无暂停或终止授权的报送。");
  const names = Object.fromEntries(units.map((u) => [u.unit_id, u.name]));
  const mine = (r) => r.acknowledgements.some((a) => a.unit_id === session.unit.unit_id);
  rows.sort((a, b) => Number(mine(a)) - Number(mine(b)) || b.taken_at - a.taken_at);
  return table(
    [
      ["授权", (r) => h("span", { "data-report": r.report_id }, shortId(r.grant_id))],
      ["措施", (r) => (r.measure === "suspension" ? "暂停" : r.measure === "termination" ? "终止" : r.measure)],
      ["采取时间", (r) => when(r.taken_at)],
      ["报送内容", (r) => r.reported.document.summary],
      ["报送对象", (r) => (r.reported.document.reported_to ?? []).map((t) => label(REPORTED_TO, t)).join("、")],
      ["签收", (r) => h("div", {},
        r.acknowledgements.length ? h("p", {}, `已签收：${r.acknowledgements.map((a) => names[a.unit_id] ?? a.unit_id).join("、")}`) : h("p", { className: "warn" }, "尚无单位签收"),
        mine(r) || !OVERSEERS.includes(session.unit.kind) ? "" : acknowledgeCell(r.report_id, "报送", redraw))],
    ],
    rows,
  );
}

/** The Office's published results and notices (Art. 32), for an opened officer key. */
export async function publications() {
  const [results, notices, units] = await Promise.all([get("/v1/evaluation/results"), get("/v1/evaluation/notices"), get("/v1/units")]);
  const names = Object.fromEntries(units.map((u) => [u.unit_id, u.name]));
  const proof = (p) => h("span", {}, "交易 ", h("span", { className: "hash", "data-tx": p.tx_hash }, p.tx_hash.slice(0, 14) + "…"), `，区块 ${p.block_number}`);
  const resultsView = results.length
    ? table(
        [
          ["评价期间", (r) => `${r.document.date_from} 至 ${r.document.date_to}`],
          ["评判时点", (r) => `${when(r.document.judged_at)}（区块 ${r.document.judged_block}）`],
          ["名次", (r) => h("ol", { className: "plain" }, [...r.document.units].sort((a, b) => (a.rank ?? 1e9) - (b.rank ?? 1e9)).map((u) =>
            h("li", {}, `${u.rank ?? "—"}. ${u.name}：${u.score === null ? "无可评职责" : `${u.score.toFixed(1)} 分`}，逾期 ${u.overdue} 项`)))],
          ["链上公布", (r) => h("div", { "data-results": r.results_id }, proof(r.proof), h("p", { className: "hash" }, `CSV keccak256 ${r.document.csv_keccak256}`))],
        ],
        results,
      )
    : h("p", { className: "muted" }, "政务办尚未公布考核结果。");
  const evidence = (e) => h("li", { "data-evidence": e.start_tx },
    `${dutyRule(e.rule)}：`, ENTRY_RULES.includes(e.rule) ? h("a", { href: `#/catalog/${e.subject_id}` }, e.subject_id.slice(0, 12) + "…") : shortId(e.subject_id),
    e.item !== null && e.item !== undefined ? `（第 ${e.item + 1} ${e.rule === "art16_update" ? "个更新周期" : "项"}）` : "",
    `，期限 ${when(e.due_at)}，${label(DUTY_STATE, e.state ?? "unknown")}；期限记录于交易 `, h("span", { className: "hash" }, e.start_tx.slice(0, 14) + "…"),
    e.done_tx ? h("span", {}, "，履行于交易 ", h("span", { className: "hash" }, e.done_tx.slice(0, 14) + "…")) : "");
  const noticeView = notices.length
    ? notices.map((n) => h("div", { className: "verdict", "data-notice": n.notice_id },
        h("p", {}, h("strong", {}, `通报（范围：${n.scope}）`), "：", proof(n.proof), n.results_proof ? h("span", {}, "；所依据的考核结果 ", proof(n.results_proof)) : ""),
        table(
          [
            ["单位", (l) => names[l.unit_id] ?? l.unit_id],
            ["事项", (l) => label(EVALUATION_GROUPS, l.group)],
            ["通报内容", (l) => l.finding],
            ["依据（链上职责）", (l) => h("ul", { className: "plain" }, l.evidence.map(evidence))],
          ],
          n.lines,
        )))
    : h("p", { className: "muted" }, "政务办尚未发布通报。");
  return [h("h3", {}, "已公布的考核结果"), resultsView, h("h3", {}, "通报"), ...[noticeView].flat()];
}
