// Refusals to collect data to the Data Center (Art. 11): a unit may refuse only on a legal basis.
// The Data Center records a refusal on its page (putuo.refusal/1: the unit, the data, the ground
// and the basis it cited); one without a legal basis the Office reports (区府办应当及时报告) on its
// page by the due time the chain set (putuo.refusal-report/1). GET /v1/refusals is read by the
// refusing unit (its own, in its workspace) and by the Office, the Data Center and the regulators.
import { h, field, select, table, timeLeft, when, shortId, showError, statusBox } from "../lib/dom.js";
import { get } from "../lib/api.js";
import { redrawSoon, session, stillOpen } from "../lib/officer.js";
import { recordRefusal, reportRefusal } from "../lib/responsibilities.js";
import { explain } from "../lib/explain.js";

const GROUND = { no_legal_basis: "未提出法律、法规依据", legal_basis_cited: "已提出法律、法规依据" };
const REPORT_TO = ["中共上海市普陀区委", "上海市普陀区人民政府"];

/** The refusals the caller may read; the Data Center's form, the Office's report of each one due. */
export async function refusalDesk(redraw) {
  const key = session.key;
  const [refusals, units, { now }] = await Promise.all([get("/v1/refusals"), get("/v1/units"), get("/v1/duties", { limit: 1 })]);
  stillOpen(key);
  const names = Object.fromEntries(units.map((u) => [u.unit_id, u.name]));
  const kind = session.unit.kind;
  const reportCell = (f) => {
    if (f.report) return h("span", { className: "ok", "data-refusal-reported": f.refusal_id }, `已报告 ${when(f.reported_at)}：${f.report.document.reported_to.join("、")}`);
    if (f.ground !== "no_legal_basis") return "无需报告";
    const due = h("span", { className: "warn" }, `报告期限 ${when(f.report_due_at)}（${timeLeft(f.report_due_at, now)}）`);
    return kind === "office" ? h("div", {}, due, reportForm(f, names, redraw)) : due;
  };
  const list = refusals.length
    ? table(
        [
          ["编号", (f) => shortId(f.refusal_id)],
          ["单位", (f) => names[f.unit_id] ?? f.unit_id],
          ["拒绝归集的数据", (f) => f.recorded.document.data],
          ["依据", (f) => (f.ground === "legal_basis_cited" ? `${GROUND.legal_basis_cited}：${f.recorded.document.legal_basis}` : GROUND.no_legal_basis)],
          ["记录时间", (f) => when(f.recorded.at)],
          ["区府办报告", reportCell],
        ],
        [...refusals].reverse(),
      )
    : h("p", { className: "muted" }, kind === "ordinary" ? "本单位没有拒绝归集的记录。" : "尚无拒绝归集的记录。");
  if (kind !== "data_center") return [list];
  const entries = await get("/v1/catalog/entries", { limit: 100 });
  stillOpen(key);
  return [recordForm(units.filter((u) => u.kind === "ordinary"), entries.items.filter((e) => e.status !== "deleted"), redraw), list];
}

function recordForm(units, entries, redraw) {
  const unit = select("unit_id", [["", "请选择单位"], ...units.map((u) => [u.unit_id, `${u.name}（${u.code}）`])], "");
  const data = h("textarea", { name: "data", rows: 2, placeholder: "拒绝归集的是哪些数据" });
  const ground = select("ground", Object.entries(GROUND), "no_legal_basis");
  const basis = h("textarea", { name: "legal_basis", rows: 2, placeholder: "单位援引的法律、法规条款" });
  const entry = select("entry_id", [["", "不涉及具体条目"], ...entries.map((e) => [e.entry_id, `${e.name}（${e.code}）`])], "");
  const out = statusBox();
  const send = async () => {
    const cited = ground.value === "legal_basis_cited";
    const needed = [[unit, "拒绝归集的单位"], [data, "拒绝归集的数据"], ...(cited ? [[basis, "单位援引的依据"]] : [])];
    const empty = needed.filter(([el]) => !el.value.trim()).map(([, n]) => n);
    if (empty.length) return showError(out, `请填写：${empty.join("、")}（第十一条）`);
    const document = { schema: "putuo.refusal/1", unit_id: unit.value, data: data.value.trim(), ground: ground.value };
    if (cited) document.legal_basis = basis.value.trim();
    if (entry.value) document.entry_id = entry.value;
    try {
      const { status: s, refusalId } = await recordRefusal(document, (t) => out.replaceChildren(t));
      out.replaceChildren(h("span", { className: "ok", "data-refusal-recorded": s.tx_hash, "data-refusal-id": refusalId },
        cited ? "已记录拒绝归集，已上链确认" : "已记录拒绝归集，待区府办报告，已上链确认"));
      redrawSoon(redraw);
    } catch (e) {
      showError(out, `未能记录：${explain(e)}`);
    }
  };
  return h("details", {}, h("summary", {}, "记录单位拒绝归集"),
    field("拒绝归集的单位", unit), field("拒绝归集的数据", data, { wide: true }), field("拒绝的依据", ground),
    field("单位援引的依据（已提出依据时填写）", basis, { wide: true }), field("涉及的条目（可不选）", entry),
    h("button", { type: "button", "aria-label": "签名并记录拒绝归集", onclick: send }, "签名并记录"), out);
}

function reportForm(f, names, redraw) {
  const id = f.refusal_id.slice(0, 12);
  const boxes = REPORT_TO.map((to) => h("input", { type: "checkbox", name: "reported_to", value: to, checked: true }));
  const summary = h("textarea", { name: "summary", rows: 2, placeholder: `如：${names[f.unit_id] ?? "该单位"}未提出法律、法规依据，拒绝归集……` });
  const out = statusBox();
  const send = async () => {
    const reportedTo = boxes.filter((b) => b.checked).map((b) => b.value);
    if (!reportedTo.length) return showError(out, "报告对象：请至少选择一个");
    if (!summary.value.trim()) return showError(out, "报告内容：请写明拒绝归集的情况（第十一条）");
    try {
      const { status: s } = await reportRefusal(f.refusal_id, { reportedTo, summary: summary.value.trim() }, (t) => out.replaceChildren(t));
      out.replaceChildren(h("span", { className: "ok", "data-refusal-report": s.tx_hash }, "已报告，已上链确认"));
      redrawSoon(redraw);
    } catch (e) {
      showError(out, `未能报告：${explain(e)}`);
    }
  };
  return h("details", {}, h("summary", {}, `报告 ${id}`),
    h("fieldset", {}, h("legend", {}, `报告对象（${id}）`), REPORT_TO.map((to, i) => h("label", {}, boxes[i], ` ${to}`))),
    field(`报告内容（${id}）`, summary, { wide: true }),
    h("button", { type: "button", "aria-label": `签名并报告拒绝归集 ${id}`, onclick: send }, "签名并报告"), out);
}
