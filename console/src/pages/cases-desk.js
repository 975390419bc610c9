// Disputes (Art. 24) and escalations to the city (Art. 23). A party to a demand item — here the
// demand unit, from its applications — takes a dispute to the Office after its own negotiation
// failed; the Office records the outcome of its coordination; the Office sends a demand the district
// could not serve to the city platform and records the city's answer. Each signed in the browser as
// `ledger sharing step open_dispute|resolve_dispute|escalate|record_escalation_outcome` signs it.
// The Office's desk reads its open cases from GET /v1/sharing/cases, one kind at a time; a party's
// cell reads the disputes over its demand from the demand's history (GET /v1/grants/{id}/history).
import { h, field, select, table, when, shortId, showError, statusBox } from "../lib/dom.js";
import { get } from "../lib/api.js";
import { redrawSoon, session, stillOpen } from "../lib/officer.js";
import { escalate, escalationOutcome, openDispute, resolveDispute } from "../lib/sharing.js";
import { explain } from "../lib/explain.js";

export const DISPUTE_ABOUT = { reasonableness: "需求的合理性", shareability: "数据的可共享性", rejection: "审核未通过的理由" };
const DISPUTE_OUTCOME = { settled: "协商一致", upheld: "维持原审核结果", overturned: "改变原审核结果" };
const ESCALATION_OUTCOME = { served: "市级已提供数据", refused: "市级未能提供" };

/** A demand's history, or no steps when it cannot be read. */
export const historyOf = (demandId) => get(`/v1/grants/${demandId}/history`).then((x) => x.steps, () => []);

/** Each item's disputes in a demand's history, oldest first: [{item, opened, resolved}]. */
export function disputesOf(steps) {
  const disputes = [];
  for (const s of steps) {
    if (s.kind === "open_dispute") disputes.push({ item: s.item, opened: s, resolved: null });
    if (s.kind === "resolve_dispute") {
      const open = disputes.find((d) => d.item === s.item && !d.resolved);
      if (open) open.resolved = s;
    }
  }
  return disputes;
}

const disputeLine = (d) =>
  h("li", { "data-dispute-item": `${d.opened.document.demand_id}:${d.item}` },
    `第 ${d.item + 1} 项：就${DISPUTE_ABOUT[d.opened.document.about] ?? d.opened.document.about}提出争议（${when(d.opened.block_time)}）；`,
    d.resolved ? `区府办已协调：${DISPUTE_OUTCOME[d.resolved.document.outcome] ?? d.resolved.document.outcome}，${d.resolved.document.text}` : h("span", { className: "warn" }, "待区府办协调"));

/** For a party to a demand — the demand unit on its applications, a responsible unit on the items
 *  asked of it (`demand.items` those items only) — the disputes over those items, and the form to
 *  take one to the Office. */
export function disputeCell(demand, steps, redraw) {
  const mine = new Set(demand.items.map((i) => i.item));
  const disputes = disputesOf(steps).filter((d) => mine.has(d.item));
  const open = new Set(disputes.filter((d) => !d.resolved).map((d) => d.item));
  const free = demand.items.filter((i) => !open.has(i.item));
  const id = demand.items.length === 1 ? `${demand.demand_id.slice(0, 12)} 第 ${demand.items[0].item + 1} 项` : demand.demand_id.slice(0, 12);
  const shown = disputes.length ? h("ul", { className: "plain" }, disputes.map(disputeLine)) : "";
  if (!free.length) return h("div", {}, shown);
  const c = {
    item: select("item", free.map((i) => [String(i.item), `第 ${i.item + 1} 项`]), String(free[0].item)),
    about: select("about", Object.entries(DISPUTE_ABOUT), demand.items.some((i) => i.status === "rejected") ? "rejection" : "reasonableness"),
    statement: h("textarea", { name: "statement", rows: 2 }),
    negotiation: h("textarea", { name: "negotiation", rows: 2, placeholder: "双方已如何协商、为何未能一致" }),
  };
  const out = statusBox();
  const send = async () => {
    const empty = [[c.statement, "争议事项与本单位意见"], [c.negotiation, "先行协商情况"]].filter(([el]) => !el.value.trim()).map(([, n]) => n);
    if (empty.length) return showError(out, `请填写：${empty.join("、")}（第二十四条：双方应当先行协商）`);
    try {
      const fields = { about: c.about.value, statement: c.statement.value.trim(), negotiation: c.negotiation.value.trim() };
      const { status: s } = await openDispute(demand.demand_id, Number(c.item.value), fields, (t) => out.replaceChildren(t));
      out.replaceChildren(h("span", { className: "ok", "data-dispute-opened": s.tx_hash }, "已提请区府办协调，已上链确认"));
      redrawSoon(redraw);
    } catch (e) {
      showError(out, `未能提出：${explain(e)}`);
    }
  };
  return h("div", {}, shown,
    h("details", {}, h("summary", {}, "协商不成，提请区府办协调"),
      field(`争议的数据项（${id}）`, c.item), field(`争议事由（${id}）`, c.about),
      field(`争议事项与本单位意见（${id}）`, c.statement), field(`先行协商情况（${id}）`, c.negotiation),
      h("button", { type: "button", "aria-label": `签名并提请协调 ${id}`, onclick: send }, "签名并提请协调"),
      out));
}

/** Every open case of `kind` (GET /v1/sharing/cases), page after page. */
async function allCases(kind) {
  const out = [];
  for (let offset = 0; ; offset += 100) {
    const page = await get("/v1/sharing/cases", { kind, limit: 100, offset });
    out.push(...page.items);
    if (!page.has_more) return out;
  }
}

/** The Office's desk: open disputes to coordinate, demands to send to the city, escalations awaiting the city's answer. */
export async function casesDesk(redraw) {
  const key = session.key;
  const [units, disputes, sendable, awaiting] = await Promise.all([get("/v1/units"), allCases("dispute"), allCases("sendable"), allCases("escalation")]);
  stillOpen(key);
  const names = Object.fromEntries(units.map((u) => [u.unit_id, u.name]));
  const office = session.unit?.kind === "office";
  const demandCell = ["需求", (c) => shortId(c.demand_id)];
  const unit = ["申请单位", (c) => names[c.unit_id] ?? c.unit_id];
  const number = ["申请编号", (c) => c.application_no ?? "—"];
  return [
    h("h3", {}, "待协调的争议（第二十四条）"),
    disputes.length
      ? table([demandCell, unit, number,
          ["数据项", (c) => `第 ${c.item + 1} 项（${names[c.owner_unit_id] ?? "—"}）`],
          ["争议", ({ step }) => h("div", {}, h("p", {}, `${DISPUTE_ABOUT[step.document.about] ?? step.document.about}：${step.document.statement}`),
            h("p", { className: "muted" }, `先行协商：${step.document.negotiation}；提出单位：${names[step.unit_id] ?? step.unit_id}，${when(step.block_time)}`))],
          ["协调", (c) => (office ? resolveCell(c.demand_id, c.item, redraw) : "—")]], disputes)
      : h("p", { className: "ok" }, "没有待协调的争议。"),
    h("h3", {}, "上报市级平台（第二十三条：本区数据资源未能满足的需求）"),
    sendable.length
      ? table([demandCell, unit, number, ["状态", () => "各项均未获同意"], ["上报", (c) => (office ? escalateCell(c.demand_id, redraw) : "—")]], sendable)
      : h("p", { className: "muted" }, "没有未获满足、尚未上报的申请。"),
    ...(awaiting.length
      ? [h("h3", {}, "已上报、待市级答复"), table([demandCell, unit, number,
          ["上报", ({ step }) => `${when(step.block_time)}：${step.document.city_request}`],
          ["市级答复", (c) => (office ? outcomeCell(c.demand_id, redraw) : "—")]], awaiting)]
      : []),
  ];
}

function resolveCell(demandId, item, redraw) {
  const id = `${demandId.slice(0, 12)} 第 ${item + 1} 项`;
  const outcome = select("outcome", Object.entries(DISPUTE_OUTCOME), "settled");
  const text = h("textarea", { name: "text", rows: 2 });
  const out = statusBox();
  const send = async () => {
    if (!text.value.trim()) return showError(out, "协调意见：请写明协调经过与结论");
    try {
      const { status: s } = await resolveDispute(demandId, item, outcome.value, text.value.trim(), (t) => out.replaceChildren(t));
      out.replaceChildren(h("span", { className: "ok", "data-dispute-resolved": s.tx_hash }, "已记录协调结果，已上链确认"));
      redrawSoon(redraw);
    } catch (e) {
      showError(out, `未能记录：${explain(e)}`);
    }
  };
  return h("div", {}, field(`协调结果（${id}）`, outcome), field(`协调意见（${id}）`, text),
    h("button", { type: "button", "aria-label": `签名并记录协调结果 ${id}`, onclick: send }, "签名并记录"), out);
}

function escalateCell(demandId, redraw) {
  const id = demandId.slice(0, 12);
  const reason = h("textarea", { name: "reason", rows: 2, placeholder: "本区为何不能满足" });
  const request = h("textarea", { name: "city_request", rows: 2, placeholder: "向市大数据资源平台提出的需求" });
  const out = statusBox();
  const send = async () => {
    const empty = [[reason, "未能满足的原因"], [request, "向市级提出的需求"]].filter(([el]) => !el.value.trim()).map(([, n]) => n);
    if (empty.length) return showError(out, `请填写：${empty.join("、")}`);
    try {
      const { status: s } = await escalate(demandId, reason.value.trim(), request.value.trim(), (t) => out.replaceChildren(t));
      out.replaceChildren(h("span", { className: "ok", "data-escalated": s.tx_hash }, "已上报市级，已上链确认"));
      redrawSoon(redraw);
    } catch (e) {
      showError(out, `未能上报：${explain(e)}`);
    }
  };
  return h("details", {}, h("summary", {}, `上报 ${id}`),
    field(`未能满足的原因（${id}）`, reason), field(`向市级提出的需求（${id}）`, request),
    h("button", { type: "button", "aria-label": `签名并上报市级 ${id}`, onclick: send }, "签名并上报"), out);
}

function outcomeCell(demandId, redraw) {
  const id = demandId.slice(0, 12);
  const outcome = select("escalation_outcome", Object.entries(ESCALATION_OUTCOME), "served");
  const text = h("input", { type: "text", name: "outcome_text" });
  const out = statusBox();
  const send = async () => {
    if (!text.value.trim()) return showError(out, "答复情况：请写明市级的答复");
    try {
      const { status: s } = await escalationOutcome(demandId, outcome.value, text.value.trim(), (t) => out.replaceChildren(t));
      out.replaceChildren(h("span", { className: "ok", "data-escalation-outcome": s.tx_hash }, "已记录市级答复，已上链确认"));
      redrawSoon(redraw);
    } catch (e) {
      showError(out, `未能记录：${explain(e)}`);
    }
  };
  return h("div", {}, field(`市级答复（${id}）`, outcome), field(`答复情况（${id}）`, text),
    h("button", { type: "button", "aria-label": `签名并记录市级答复 ${id}`, onclick: send }, "签名并记录"), out);
}
