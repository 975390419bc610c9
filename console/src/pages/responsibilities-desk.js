// Responsibilities lists (职责清单, Art. 11): a unit records from its workspace each duty under which
// it collects data, with its legal basis (putuo.responsibility/1), and sees each entry's review;
// the Office approves it, or returns it with the reason (putuo.responsibility-review/1), on its
// page. A returned entry is revised by recording the same code again. Signed in the browser
// (lib/responsibilities.js) as the API's `record_responsibility`, `review_responsibility` take them.
import { h, field, select, table, when, showError, statusBox } from "../lib/dom.js";
import { get } from "../lib/api.js";
import { redrawSoon, session, stillOpen } from "../lib/officer.js";
import { recordResponsibility, reviewResponsibility } from "../lib/responsibilities.js";
import { explain } from "../lib/explain.js";

const STATE = { pending: "待区府办审核", approved: "已审核通过", returned: "已退回" };
const RETURN_REASONS = [["1", "依据不充分"], ["2", "职责表述不清"], ["3", "与他单位职责交叉"], ["9", "其他"]];
const CODE = /^[A-Za-z0-9][A-Za-z0-9._-]*$/;

/** The last review of `r`'s current version (a row of GET /v1/responsibilities), if any. */
const lastReview = (r) => r.steps.filter((s) => s.step === "responsibility_reviewed" && s.value === r.version).at(-1);

function stateCell(r) {
  const review = lastReview(r);
  const text = r.status === "returned" && review
    ? `${STATE.returned}：${review.document.reason}（可按同一编码修改后重新记录）`
    : STATE[r.status] ?? r.status;
  const kept = r.status !== "approved" && r.approved_version ? `；第 ${r.approved_version} 版仍有效` : "";
  return h("span", { className: r.status === "approved" ? "ok" : r.status === "returned" ? "warn" : "", "data-responsibility-state": r.status }, text + kept);
}

/** In a unit's workspace: its list with each entry's review state, and the form for an entry. */
export async function unitResponsibilities(redraw) {
  const key = session.key;
  const mine = await get("/v1/responsibilities", { unit_id: session.unit.unit_id });
  stillOpen(key);
  const form = recordForm(redraw);
  const list = mine.length
    ? table(
        [
          ["编码", (r) => r.document.code],
          ["职责", (r) => r.document.name],
          ["依据", (r) => r.document.basis],
          ["版本", (r) => `第 ${r.version} 版`],
          ["审核", stateCell],
          ["修改", (r) => (r.status === "pending" ? "—" : h("button", { type: "button", className: "secondary", "aria-label": `修改职责 ${r.document.code}`, onclick: () => form.load(r.document) }, "修改"))],
        ],
        mine,
      )
    : h("p", { className: "muted" }, "本单位尚未记录职责清单。");
  return [list, form.element];
}

function recordForm(redraw) {
  const code = h("input", { type: "text", name: "code", placeholder: "如 MZJ-ZZ-01" });
  const name = h("input", { type: "text", name: "name" });
  const basis = h("textarea", { name: "basis", rows: 2, placeholder: "法律、法规或“三定”规定" });
  const description = h("textarea", { name: "description", rows: 2 });
  const out = statusBox();
  const send = async () => {
    const empty = [[code, "职责编码"], [name, "职责名称"], [basis, "职责依据"]].filter(([el]) => !el.value.trim()).map(([, n]) => n);
    if (empty.length) return showError(out, `请填写：${empty.join("、")}`);
    if (!CODE.test(code.value.trim())) return showError(out, "职责编码：以字母或数字开头，只含字母、数字和 . _ -");
    const document = { schema: "putuo.responsibility/1", code: code.value.trim(), name: name.value.trim(), basis: basis.value.trim() };
    if (description.value.trim()) document.description = description.value.trim();
    try {
      const { status: s, responsibilityId } = await recordResponsibility(session.unit.unit_id, document, (t) => out.replaceChildren(t));
      out.replaceChildren(h("span", { className: "ok", "data-responsibility-recorded": s.tx_hash, "data-responsibility-id": responsibilityId }, "职责已记录，待区府办审核，已上链确认"));
      redrawSoon(redraw);
    } catch (e) {
      showError(out, `未能记录：${explain(e)}`);
    }
  };
  const element = h("details", {}, h("summary", {}, "记录职责清单的一项"),
    field("职责编码", code), field("职责名称", name), field("职责依据", basis, { wide: true }), field("说明（可不填）", description, { wide: true }),
    h("button", { type: "button", "aria-label": "签名并记录职责", onclick: send }, "签名并记录"), out);
  const load = (d) => {
    code.value = d.code;
    name.value = d.name;
    basis.value = d.basis;
    description.value = d.description ?? "";
    element.open = true;
    basis.focus();
  };
  return { element, load };
}

/** On the Office's page: every unit's responsibilities awaiting review, each approved or returned. */
export async function responsibilityReviews(redraw) {
  const key = session.key;
  const [all, units] = await Promise.all([get("/v1/responsibilities"), get("/v1/units")]);
  stillOpen(key);
  const names = Object.fromEntries(units.map((u) => [u.unit_id, u.name]));
  const pending = all.filter((r) => r.status === "pending");
  if (!pending.length) return h("p", { className: "ok" }, "没有待审核的职责。");
  return table(
    [
      ["单位", (r) => names[r.unit_id] ?? r.unit_id],
      ["编码", (r) => r.document.code],
      ["职责", (r) => r.document.name],
      ["依据", (r) => r.document.basis],
      ["版本", (r) => `第 ${r.version} 版（${when(r.steps.at(-1)?.at)}）`],
      ["审核", (r) => reviewCell(r, redraw)],
    ],
    pending,
  );
}

function reviewCell(r, redraw) {
  const code = r.document.code;
  const decision = select("decision", [["approve", "审核通过"], ["return", "退回"]], "approve");
  const reasonCode = select("reason_code", RETURN_REASONS, "1");
  const reason = h("textarea", { name: "reason", rows: 2 });
  const out = statusBox();
  const send = async () => {
    const returned = decision.value === "return";
    if (returned && !reason.value.trim()) return showError(out, "退回理由：请写明退回的原因，便于单位修改");
    try {
      const review = returned ? { decision: "return", reasonCode: Number(reasonCode.value), reason: reason.value.trim() } : { decision: "approve" };
      const { status: s } = await reviewResponsibility(r.responsibility_id, review, (t) => out.replaceChildren(t));
      out.replaceChildren(h("span", { className: "ok", "data-responsibility-reviewed": s.tx_hash }, returned ? "已退回，已上链确认" : "已审核通过，已上链确认"));
      redrawSoon(redraw);
    } catch (e) {
      showError(out, `未能审核：${explain(e)}`);
    }
  };
  return h("div", {}, field(`审核意见（${code}）`, decision), field(`退回原因（${code}）`, reasonCode), field(`退回理由（${code}，退回时填写）`, reason),
    h("button", { type: "button", "aria-label": `签名并审核职责 ${code}`, onclick: send }, "签名并审核"), out);
}
