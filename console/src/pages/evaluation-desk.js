// The Data Center's evaluations (Art. 31): data quality, sharing effectiveness and security, of a
// unit or of a grant, with a score of 0–100 and the findings, signed in the browser as `ledger
// supervision evaluate` signs it; and those recorded so far. The Office's Art. 32 evaluation shows
// each unit's average of them.
import { h, field, select, table, when, showError, statusBox } from "../lib/dom.js";
import { get } from "../lib/api.js";
import { redrawSoon, session, stillOpen } from "../lib/officer.js";
import { recordEvaluation } from "../lib/measures.js";
import { explain } from "../lib/explain.js";

export const EVALUATION_KIND = { quality: "数据质量", effectiveness: "共享成效", security: "数据安全" };

export async function evaluationDesk(redraw) {
  const key = session.key;
  const [rows, units] = await Promise.all([get("/v1/supervision/evaluations"), get("/v1/units")]);
  stillOpen(key);
  const pages = await Promise.all(units.map((u) => get(`/v1/units/${u.unit_id}/grants`, { limit: 100 })));
  const grants = pages.flatMap((p) => p.items);
  const names = Object.fromEntries(units.map((u) => [u.unit_id, u.name]));
  const targetName = (r) => (r.scope === "unit" ? names[r.target] ?? r.target : `授权 ${r.target.slice(0, 12)}…`);
  const list = rows.length
    ? table(
        [
          ["评价", (r) => h("span", { "data-evaluation": r.evaluation_id }, EVALUATION_KIND[r.evaluation] ?? r.evaluation)],
          ["对象", targetName],
          ["期间", (r) => r.document.period],
          ["得分", (r) => String(r.score)],
          ["主要发现", (r) => r.document.findings],
          ["记录", (r) => `${when(r.at)}，区块 ${r.proof.block_number}`],
        ],
        [...rows].sort((a, b) => b.at - a.at),
      )
    : h("p", { className: "muted" }, "大数据中心尚未记录评价。");
  return session.unit?.kind === "data_center" ? [list, evaluationForm(units, grants, names, redraw)] : [list];
}

function evaluationForm(units, grants, names, redraw) {
  const targets = [
    ...units.filter((u) => ["ordinary", "data_center"].includes(u.kind)).map((u) => [u.unit_id, `单位：${u.name}`]),
    ...grants.map((g) => [g.grant_id, `授权：${names[g.unit_id] ?? g.unit_id}，${g.scenario_code}（${g.grant_id.slice(0, 10)}…）`]),
  ];
  const c = {
    kind: select("evaluation", Object.entries(EVALUATION_KIND), "quality"),
    target: select("target_id", targets, targets[0]?.[0]),
    period: h("input", { type: "text", name: "period", placeholder: "如 2026 年第一季度" }),
    score: h("input", { type: "number", name: "score", min: 0, max: 100, step: 1 }),
    findings: h("textarea", { name: "findings", rows: 2 }),
  };
  const out = statusBox();
  const submit = async (event) => {
    event.preventDefault();
    const empty = [[c.period, "评价期间"], [c.findings, "主要发现"], [c.score, "得分"]].filter(([el]) => !el.value.trim()).map(([, n]) => n);
    if (empty.length) return showError(out, `请填写：${empty.join("、")}`);
    const score = Number(c.score.value);
    if (!Number.isInteger(score) || score < 0 || score > 100) return showError(out, "得分：请填 0 至 100 的整数");
    const document = {
      schema: "putuo.supervision-evaluation/1", evaluation: c.kind.value, target_id: c.target.value,
      period: c.period.value.trim(), score, findings: c.findings.value.trim(),
    };
    try {
      const { status: s, evaluationId } = await recordEvaluation(document, (t) => out.replaceChildren(t));
      out.replaceChildren(h("span", { className: "ok", "data-evaluated": s.tx_hash, "data-evaluation-id": evaluationId }, "已记录评价，已上链确认"));
      redrawSoon(redraw);
    } catch (e) {
      showError(out, `未能记录：${explain(e)}`);
    }
  };
  // novalidate: the page says what is wrong, in its own words, rather than the browser's bubble.
  return h("form", { onsubmit: submit, novalidate: true, "aria-label": "记录评价" },
    h("h3", {}, "记录评价"),
    h("div", { className: "filters" },
      field("评价种类", c.kind), field("评价对象", c.target, { wide: true }), field("评价期间", c.period), field("得分（0–100）", c.score),
      field("主要发现", c.findings, { wide: true })),
    h("p", {}, h("button", { type: "submit" }, "签名并记录评价")),
    out);
}
