// The Data Center's fusion desk (Art. 22): the fusion plans (融合治理方案) awaiting its review,
// due 5 working days after the application, approved or returned with the reason; then each
// approved fusion served (融合供给) within 10 working days — both signed in the browser as
// `ledger sharing step review_plan|record_served` sign them.
import { h, field, table, when, showError, statusBox } from "../lib/dom.js";
import { get } from "../lib/api.js";
import { redrawSoon, session, stillOpen } from "../lib/officer.js";
import { recordServed, reviewPlan } from "../lib/sharing.js";
import { workingDaysText } from "../lib/workdays.js";
import { explain } from "../lib/explain.js";

const open = (d) => d.state === "due" || d.state === "overdue";

/** Plans to review and fusions to serve, oldest due first. */
export async function fusionDesk(redraw) {
  const key = session.key;
  const [plans, serves, units] = await Promise.all([
    get("/v1/duties", { rule: "art22_plan_review", limit: 100 }),
    get("/v1/duties", { rule: "art22_serve", limit: 100 }),
    get("/v1/units"),
  ]);
  const names = Object.fromEntries(units.map((u) => [u.unit_id, u.name]));
  const toReview = plans.items.filter(open).sort((a, b) => a.due_at - b.due_at);
  const toServe = serves.items.filter(open).sort((a, b) => a.due_at - b.due_at);
  stillOpen(key);
  const demands = new Map(await Promise.all([...toReview, ...toServe].map(async (d) => [d.subject_id, await get(`/v1/demands/${d.subject_id}`)])));
  const left = new Map(await Promise.all([...toReview, ...toServe].map(async (d) => [d, await workingDaysText(d.due_at, plans.now)])));
  const dc = session.unit?.kind === "data_center";
  const due = (d) => h("span", { className: d.state === "overdue" ? "bad" : "" }, when(d.due_at), left.get(d) ? `（${left.get(d)}）` : "");
  const demandCell = ["需求", (d) => h("span", { className: "hash", title: d.subject_id, "data-fusion": d.subject_id }, d.subject_id.slice(0, 12) + "…")];
  const applicant = ["申请单位", (d) => names[demands.get(d.subject_id).unit_id] ?? demands.get(d.subject_id).unit_id];
  const number = ["申请编号", (d) => demands.get(d.subject_id).document?.application_no ?? "—"];
  const plan = (d) => demands.get(d.subject_id).document?.fusion_plan ?? {};
  return [
    h("h3", {}, "待审核的融合治理方案（五个工作日）"),
    toReview.length
      ? table([demandCell, applicant, number,
          ["融合治理方案", (d) => h("div", {}, h("p", {}, plan(d).summary ?? "—"),
            h("p", { className: "muted" }, `参与部门：${(plan(d).departments ?? []).map((u) => names[u] ?? u).join("、")}；治理：${plan(d).governance ?? "—"}`))],
          ["期限", due],
          ["审核", (d) => (dc ? planReview(d.subject_id, redraw) : "—")]], toReview)
      : h("p", { className: "ok" }, "没有待审核的融合治理方案。"),
    h("h3", {}, "待供给的融合数据（审核通过后十个工作日）"),
    toServe.length
      ? table([demandCell, applicant, number, ["期限", due],
          ["供给", (d) => (!dc ? "—" : demands.get(d.subject_id).status === "granted" ? serveCell(d.subject_id, redraw) : h("span", { className: "muted" }, "待责任单位审核数据项、授权生效后供给"))]], toServe)
      : h("p", { className: "ok" }, "没有待供给的融合数据。"),
  ];
}

function planReview(demandId, redraw) {
  const id = demandId.slice(0, 12);
  const reason = h("input", { type: "text", name: "plan_reason" });
  const out = statusBox();
  const send = (approve) => async () => {
    if (!approve && !reason.value.trim()) return showError(out, "方案需修改之处：请填写");
    try {
      const { status: s } = await reviewPlan(demandId, approve, reason.value.trim(), (t) => out.replaceChildren(t));
      out.replaceChildren(h("span", { className: "ok", "data-plan-reviewed": s.tx_hash }, `${approve ? "方案已通过" : "方案已退回"}，已上链确认`));
      redrawSoon(redraw);
    } catch (e) {
      showError(out, `未能审核：${explain(e)}`);
    }
  };
  return h("div", {},
    h("button", { type: "button", "aria-label": `签名并通过方案 ${id}`, onclick: send(true) }, "通过方案"),
    h("details", {}, h("summary", {}, "退回（须说明原因）"),
      field(`方案需修改之处（${id}）`, reason),
      h("button", { type: "button", className: "secondary", "aria-label": `签名并退回方案 ${id}`, onclick: send(false) }, "签名并退回")),
    out);
}

function serveCell(grantId, redraw) {
  const id = grantId.slice(0, 12);
  const note = h("input", { type: "text", name: "served_note", placeholder: "如：融合数据已通过接口提供" });
  const out = statusBox();
  const send = async () => {
    if (!note.value.trim()) return showError(out, "供给说明：请写明以何种方式提供了融合数据");
    try {
      const { status: s } = await recordServed(grantId, note.value.trim(), (t) => out.replaceChildren(t));
      out.replaceChildren(h("span", { className: "ok", "data-served": s.tx_hash }, "已记录供给，已上链确认"));
      redrawSoon(redraw);
    } catch (e) {
      showError(out, `未能记录：${explain(e)}`);
    }
  };
  return h("div", {}, field(`供给说明（${id}）`, note),
    h("button", { type: "button", "aria-label": `签名并记录供给 ${id}`, onclick: send }, "签名并记录供给"), out);
}
