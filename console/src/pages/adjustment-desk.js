// Catalog adjustment plans (Art. 14): before an entry that live grants use is changed or deleted,
// its unit records how the grants are handled (they move to the new version, or end), naming every
// live grant and notifying their units; the Data Center and each of those units agree to it; only
// then does the Catalog take the change request (SharingAdjustmentPlanRequired, …NotAgreed), and
// the request uses the plan up. Each step signed in the browser as `ledger sharing step
// record_adjustment_plan|acknowledge_adjustment` signs it. GET /v1/catalog/entries/{id}/adjustment
// answers the live grants a plan must name and the plans so far; a plan is used once a version was
// submitted after it.
import { h, field, select, table, when, shortId, showError, statusBox } from "../lib/dom.js";
import { get } from "../lib/api.js";
import { redrawSoon, session, stillOpen } from "../lib/officer.js";
import { acknowledgeAdjustment, recordAdjustmentPlan } from "../lib/sharing.js";
import { explain } from "../lib/explain.js";

const DISPOSITION = { move: "授权迁移到变更后的版本", end: "授权终止" };

/** The entry's live grants (those the caller may see) and its plan not yet used by a change or
 *  deletion request, with the units that agreed to it (null if none). */
export async function adjustmentOf(entryId) {
  const [view, versions] = await Promise.all([get(`/v1/catalog/entries/${entryId}/adjustment`), get(`/v1/catalog/entries/${entryId}/versions`)]);
  const plans = view.steps.filter((s) => s.kind === "record_adjustment_plan");
  const plan = plans[plans.length - 1];
  const submitted = Math.max(0, ...versions.map((v) => v.submission?.block_number ?? 0));
  // A change or deletion request after the plan used it up (the contract's AdjustmentPlanUsed).
  if (!plan || submitted > plan.block_number) return { grants: view.live_grants, current: null };
  const after = (s) => s.block_number > plan.block_number || (s.block_number === plan.block_number && s.log_index > plan.log_index);
  const agreed = view.steps.filter((s) => s.kind === "acknowledge_adjustment" && after(s)).map((s) => s.unit_id);
  return { grants: view.live_grants, current: { plan, agreed } };
}

/** In the unit's workspace: its active entries in live use, each with its plan or the form for one. */
export async function unitPlans(redraw) {
  const key = session.key;
  const [entries, units] = await Promise.all([
    get("/v1/catalog/entries", { unit_id: session.unit.unit_id, status: "active", limit: 100 }),
    get("/v1/units"),
  ]);
  stillOpen(key);
  const names = Object.fromEntries(units.map((u) => [u.unit_id, u.name]));
  const kinds = Object.fromEntries(units.map((u) => [u.unit_id, u.kind]));
  const rows = (await Promise.all(entries.items.map(async (e) => ({ e, ...(await adjustmentOf(e.entry_id)) })))).filter((r) => r.grants.length);
  if (!rows.length) return h("p", { className: "muted" }, "本单位已生效的条目均无在用的共享授权：变更或删除无需调整方案。");
  return table(
    [
      ["条目", ({ e }) => `${e.name}（${e.code}）`],
      ["在用授权", ({ grants }) => h("ul", { className: "plain" }, grants.map((g) => h("li", {}, shortId(g.grant_id), `（${names[g.unit_id] ?? g.unit_id}）`)))],
      ["调整方案", ({ e, grants, current }) => (current ? planState(current, names, kinds) : planForm(e, grants, redraw))],
    ],
    rows,
  );
}

function planState({ plan, agreed }, names, kinds) {
  const d = plan.document;
  const all = agreed.some((u) => kinds[u] === "data_center") && d.notified_units.every((u) => agreed.includes(u));
  return h("div", { "data-adjustment-plan": d.entry_id },
    h("p", {}, `${DISPOSITION[d.disposition]}：${d.plan}`),
    h("p", { className: "muted" }, `记录于 ${when(plan.block_time)}；已同意：${agreed.map((u) => names[u] ?? u).join("、") || "尚无"}`),
    all
      ? h("p", { className: "ok", "data-plan-agreed": "" }, "大数据中心与各需求单位均已同意：可提出变更或删除")
      : h("p", { className: "warn" }, "待大数据中心和各需求单位同意后，方可提出变更或删除"));
}

function planForm(entry, grants, redraw) {
  const id = entry.code;
  const change = h("textarea", { name: "change", rows: 2, placeholder: "拟作的变更或删除" });
  const plan = h("textarea", { name: "plan", rows: 2, placeholder: "在用授权如何处置、何时切换、如何通知" });
  const disposition = select("disposition", Object.entries(DISPOSITION), "move");
  const out = statusBox();
  const send = async () => {
    const empty = [[change, "拟作的变更"], [plan, "处置方案"]].filter(([el]) => !el.value.trim()).map(([, n]) => n);
    if (empty.length) return showError(out, `请填写：${empty.join("、")}`);
    const document = {
      schema: "putuo.adjustment-plan/1", entry_id: entry.entry_id, change: change.value.trim(),
      affected_grants: grants.map((g) => g.grant_id).sort(), notified_units: [...new Set(grants.map((g) => g.unit_id))].sort(),
      plan: plan.value.trim(), disposition: disposition.value,
    };
    try {
      const { status: s } = await recordAdjustmentPlan(document, (t) => out.replaceChildren(t));
      out.replaceChildren(h("span", { className: "ok", "data-plan-recorded": s.tx_hash }, "已记录调整方案，待各方同意，已上链确认"));
      redrawSoon(redraw);
    } catch (e) {
      showError(out, `未能记录：${explain(e)}`);
    }
  };
  return h("details", {}, h("summary", {}, "变更或删除前：记录调整方案"),
    field(`拟作的变更（${id}）`, change), field(`处置方案（${id}）`, plan), field(`在用授权的处置（${id}）`, disposition),
    h("button", { type: "button", "aria-label": `签名并记录调整方案 ${id}`, onclick: send }, "签名并记录"), out);
}

/** The plans awaiting this unit's agreement: for the Data Center every entry's, for a demand unit
 *  those on entries its live grants use. */
export async function plansToAgree(redraw) {
  const me = session.unit;
  const key = session.key;
  let entryIds;
  if (me.kind === "data_center") {
    entryIds = (await get("/v1/catalog/entries", { status: "active", limit: 100 })).items.map((e) => e.entry_id);
  } else {
    const grants = (await get(`/v1/units/${me.unit_id}/grants`, { limit: 100 })).items.filter((g) => g.status !== "terminated");
    entryIds = [...new Set(grants.flatMap((g) => g.resources.map((r) => r.entry_id)))];
  }
  stillOpen(key);
  const [units, entries] = await Promise.all([get("/v1/units"), get("/v1/catalog/entries", { status: "active", limit: 100 })]);
  stillOpen(key);
  const names = Object.fromEntries(units.map((u) => [u.unit_id, u.name]));
  const byId = Object.fromEntries(entries.items.map((e) => [e.entry_id, e]));
  const plans = (await Promise.all(entryIds.map(async (id) => ({ id, current: (await adjustmentOf(id)).current }))))
    .filter(({ current }) => current && !current.agreed.includes(me.unit_id) && (me.kind === "data_center" || current.plan.document.notified_units.includes(me.unit_id)));
  if (!plans.length) return h("p", { className: "ok" }, "没有待本单位同意的调整方案。");
  return table(
    [
      ["条目", ({ id }) => (byId[id] ? `${byId[id].name}（${byId[id].code}）` : id.slice(0, 12) + "…")],
      ["责任单位", ({ current }) => names[current.plan.unit_id] ?? current.plan.unit_id],
      ["拟作的变更", ({ current }) => current.plan.document.change],
      ["处置", ({ current }) => `${DISPOSITION[current.plan.document.disposition]}：${current.plan.document.plan}`],
      ["涉及授权", ({ current }) => `${current.plan.document.affected_grants.length} 项`],
      ["同意", ({ id }) => agreeCell(id, byId[id]?.code ?? id.slice(0, 12), redraw)],
    ],
    plans,
  );
}

function agreeCell(entryId, code, redraw) {
  const note = h("input", { type: "text", name: "note" });
  const out = statusBox();
  const send = async () => {
    try {
      const { status: s } = await acknowledgeAdjustment(entryId, note.value.trim(), (t) => out.replaceChildren(t));
      out.replaceChildren(h("span", { className: "ok", "data-plan-acknowledged": s.tx_hash }, "已同意，已上链确认"));
      redrawSoon(redraw);
    } catch (e) {
      showError(out, `未能办理：${explain(e)}`);
    }
  };
  return h("div", {}, field(`意见（${code}，可不填）`, note),
    h("button", { type: "button", "aria-label": `签名并同意调整方案 ${code}`, onclick: send }, "签名并同意"), out);
}
