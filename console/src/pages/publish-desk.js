// The Office publishes the Art. 32 evaluation, signed in the browser by its officer's key as
// `ledger supervision publish-results|publish-notice` sign them: a period's results (each unit's
// rank, score and overdue duties as the API evaluates them now, with the keccak256 of the CSV
// computed here from the file itself), then, on published results, the notice (通报) the API drafts
// from the chain's duties, reviewed here line by line before it is signed.
import { keccak256 } from "ethers";
import { h, field, table, when, showError, statusBox } from "../lib/dom.js";
import { credentials, get } from "../lib/api.js";
import { redrawSoon, session } from "../lib/officer.js";
import { publishNotice, publishResults } from "../lib/measures.js";
import { EVALUATION_GROUPS, label } from "../lib/labels.js";
import { explain } from "../lib/explain.js";

// The evaluation's rule groups (api/services/evaluation.py GROUPS): a unit's overdue duties are theirs.
const GROUPS = ["catalogue", "collect", "compile", "confirm", "item_review", "objection", "objection_answer", "plan_review", "reason_review", "resubmit", "review", "serve", "update"];
const shanghaiDate = (seconds) => new Date((Number(seconds) + 8 * 3600) * 1000).toISOString().slice(0, 10);

/** putuo.evaluation-results/1 for the period, as api/services/evaluation_publication.py builds it. */
async function resultsDocument(from, to) {
  const period = { from, to };
  const evaluation = await get("/v1/evaluation", period);
  const answer = await fetch(`/v1/evaluation.csv?${new URLSearchParams(period)}`, { headers: credentials.token ? { authorization: `Bearer ${credentials.token}` } : {} });
  if (!answer.ok) throw new Error(`无法取得考核 CSV（HTTP ${answer.status}）：请稍后重试`);
  const csv = new Uint8Array(await answer.arrayBuffer());
  return {
    schema: "putuo.evaluation-results/1",
    date_from: evaluation.from,
    date_to: evaluation.to,
    period_end: Date.parse(`${evaluation.to}T23:59:59+08:00`) / 1000,
    judged_at: evaluation.now,
    judged_block: evaluation.now_block,
    csv_keccak256: keccak256(csv),
    units: evaluation.units.map((u) => ({
      unit_id: u.unit_id, name: u.name, rank: u.rank, score: u.score,
      overdue: GROUPS.reduce((sum, g) => sum + (u[g]?.overdue ?? 0), 0),
    })),
  };
}

/** The Office's publishing desk: shown to an officer of the Office. */
export async function publishDesk(redraw) {
  const [clock, results, notices, units] = await Promise.all([get("/v1/duties", { limit: 1 }), get("/v1/evaluation/results"), get("/v1/evaluation/notices"), get("/v1/units")]);
  const names = Object.fromEntries(units.map((u) => [u.unit_id, u.name]));
  const today = shanghaiDate(clock.now);
  const yesterday = shanghaiDate(clock.now - 86400);
  const from = h("input", { type: "date", name: "date_from", value: `${today.slice(0, 4)}-01-01`, max: yesterday });
  const to = h("input", { type: "date", name: "date_to", value: yesterday, max: yesterday });
  const out = statusBox();
  const submit = async (event) => {
    event.preventDefault();
    if (!from.value || !to.value) return showError(out, "考核期间：请选择起止日期");
    if (from.value > to.value) return showError(out, "考核期间：开始日期不能晚于截止日期");
    if (to.value >= today) return showError(out, `截止日期：须是已结束的日子（链上日期 ${today} 之前），请改选 ${yesterday} 或更早`);
    try {
      out.replaceChildren("正在计算考核结果……");
      const document = await resultsDocument(from.value, to.value);
      const { status: s, resultsId } = await publishResults(document, (t) => out.replaceChildren(t));
      out.replaceChildren(h("span", { className: "ok", "data-results-published": s.tx_hash, "data-results-id": resultsId }, `已公布 ${document.date_from} 至 ${document.date_to} 的考核结果，已上链确认`));
      redrawSoon(redraw);
    } catch (e) {
      showError(out, `未能公布：${explain(e)}`);
    }
  };
  const noticed = new Set(notices.map((n) => n.results_id));
  const open = results.filter((r) => !noticed.has(r.results_id));
  return [
    h("h3", {}, "公布考核结果（第三十二条）"),
    h("form", { onsubmit: submit, "aria-label": "公布考核结果" },
      h("div", { className: "filters" }, field("考核期间开始", from), field("考核期间截止（已结束的日子）", to)),
      h("p", { className: "muted" }, `按链上时间 ${when(clock.now)} 评判；CSV 文件的 keccak256 在本页计算并一同签名。`),
      h("p", {}, h("button", { type: "submit" }, "签名并公布考核结果")),
      out),
    h("h3", {}, "发布通报（第三十二条）"),
    ...(open.length
      ? open.map((r) => noticeDesk(r, names, redraw))
      : [h("p", { className: "muted" }, results.length ? "已公布的考核结果均已发布通报。" : "先公布考核结果，再据以发布通报。")]),
  ];
}

/** Draft the notice on published results, review its lines, sign and publish it. */
function noticeDesk(r, names, redraw) {
  const period = `${r.document.date_from} 至 ${r.document.date_to}`;
  const scope = h("input", { type: "text", name: "scope", value: "全区各街镇、各部门、各单位" });
  const draftBox = h("div", {});
  const out = statusBox();
  const draft = async () => {
    out.replaceChildren("正在起草……");
    draftBox.replaceChildren();
    let doc;
    try {
      doc = await get(`/v1/evaluation/results/${r.results_id}/notice-draft`, { scope: scope.value.trim() });
    } catch (e) {
      return showError(out, `未能起草：${explain(e)}`);
    }
    if (doc.results_id?.toLowerCase() !== r.results_id.toLowerCase() || doc.schema !== "putuo.evaluation-notice/1") {
      return showError(out, "平台起草的通报不是针对这一考核结果的，拒绝使用：请刷新页面重试");
    }
    out.replaceChildren();
    // Each line kept or dropped by the Office before it signs (the draft is the API's; the notice is the Office's).
    const keep = doc.lines.map((l) => h("input", { type: "checkbox", name: "keep", checked: true, "aria-label": `列入通报：${names[l.unit_id] ?? l.unit_id}，${label(EVALUATION_GROUPS, l.group)}` }));
    const publish = async () => {
      const lines = doc.lines.filter((_, i) => keep[i].checked);
      if (!lines.length) return showError(out, "通报事项：至少保留一项；无需通报的，不发布即可");
      try {
        const { status: s, noticeId } = await publishNotice({ ...doc, lines }, (t) => out.replaceChildren(t));
        out.replaceChildren(h("span", { className: "ok", "data-notice-published": s.tx_hash, "data-notice-id": noticeId }, "已发布通报，已上链确认"));
        redrawSoon(redraw);
      } catch (e) {
        showError(out, `未能发布：${explain(e)}`);
      }
    };
    draftBox.replaceChildren(
      table(
        [
          ["列入", (l) => h("label", {}, keep[doc.lines.indexOf(l)], " 列入")],
          ["单位", (l) => names[l.unit_id] ?? l.unit_id],
          ["事项", (l) => label(EVALUATION_GROUPS, l.group)],
          ["通报内容", (l) => l.finding],
          ["依据", (l) => `链上职责 ${l.evidence.length} 项`],
        ],
        doc.lines,
        `通报草稿（范围：${doc.scope}）`,
      ),
      h("p", {}, h("button", { type: "button", "aria-label": `签名并发布通报 ${period}`, onclick: publish }, "签名并发布通报")),
    );
  };
  return h("div", { className: "card", "data-notice-desk": r.results_id },
    h("p", {}, `考核结果 ${period}（公布于区块 ${r.proof.block_number}）`),
    field(`通报范围（${period}）`, scope, { wide: true }),
    h("p", {}, h("button", { type: "button", className: "secondary", "aria-label": `起草通报 ${period}`, onclick: draft }, "起草通报")),
    draftBox, out);
}
