// 大数据中心: the review queue (Art. 13: one working day), oldest due first, each version approved
// or returned with its reason, signed in the browser by a Data Center officer.
import { h, field, render, select, table, when } from "../lib/dom.js";
import { get } from "../lib/api.js";
import { keyPanel } from "../lib/keypanel.js";
import { catalogAction, session } from "../lib/officer.js";
import { SHARING, label } from "../lib/labels.js";

const RETURN_REASONS = [["1", "要素不完整"], ["2", "不符合编制规范"], ["3", "重复编目"], ["9", "其他"]];

const RULES = {
  art11_compile: "编目（第十一条，10 个工作日）", art13_review: "审核（第十三条，1 个工作日）",
  art13_resubmit: "退回后重新提交（第十三条，3 个工作日）", art14_review: "变更审核（第十四条，1 个工作日）",
  art15_collect: "归集（第十五条，10 个工作日）", art19_confirm: "场景确认（第十九条，1 个工作日）",
  art20_review: "答复申请（第二十条，5 个工作日）", art22_catalogue: "补编目录（第二十二条，15 个工作日）",
  art22_plan_review: "方案审核（第二十二条，5 个工作日）", art22_serve: "融合供给（第二十二条，10 个工作日）",
  art26_reason_review: "闲置理由审核（第二十六条，5 个工作日）", art26_objection_answer: "异议答复（第二十六条，5 个工作日）",
};

export function dataCenterPage(main) {
  const body = h("div", {});
  const overdue = h("div", {}, "正在加载……");
  const refresh = () => drawQueue(body);
  render(
    main,
    h("h1", {}, "大数据中心"),
    keyPanel(refresh),
    h("h2", {}, "目录审核队列（一个工作日内）"),
    body,
    h("h2", {}, "各单位逾期职责"),
    overdue,
  );
  refresh();
  drawOverdue(overdue);
}

async function drawOverdue(box) {
  try {
    const [page, units] = await Promise.all([get("/v1/duties", { state: "overdue", limit: 100 }), get("/v1/units")]);
    const names = Object.fromEntries(units.map((u) => [u.unit_id, u.name]));
    box.replaceChildren(
      page.items.length
        ? table(
            [
              ["应办单位", (d) => (d.owed_by === "data_center" ? "大数据中心" : names[d.owed_by] ?? d.owed_by)],
              ["职责", (d) => RULES[d.rule] ?? d.rule],
              ["对象", (d) => h("span", { className: "hash", title: d.subject_id }, d.subject_id.slice(0, 12) + "…")],
              ["期限", (d) => h("span", { className: "bad" }, when(d.due_at))],
            ],
            page.items,
            `按链上时间 ${when(page.now)} 评判，共 ${page.total ?? page.items.length} 项`,
          )
        : h("p", { className: "ok" }, "没有逾期职责。"),
    );
  } catch (error) {
    box.replaceChildren(h("p", { className: "error" }, error.message));
  }
}

async function drawQueue(body) {
  body.replaceChildren("正在加载……");
  let entries;
  try {
    entries = (await get("/v1/catalog/entries", { status: "under_review", limit: 100 })).items;
    const changes = (await get("/v1/catalog/entries", { status: "change_pending", limit: 100 })).items;
    entries = [...entries, ...changes];
    // What the Data Center looks at (Art. 13): the pending version's due time and possible duplicates.
    const data = await Promise.all(entries.map((e) => get(`/v1/catalog/entries/${e.entry_id}/review-data`)));
    entries.forEach((e, i) => Object.assign(e, { due_at: data[i].pending_version?.due_at ?? 0, duplicates: data[i].duplicates }));
    entries.sort((a, b) => a.due_at - b.due_at);
  } catch (error) {
    body.replaceChildren(h("p", { className: "error" }, error.message));
    return;
  }
  if (!entries.length) {
    body.replaceChildren(h("p", {}, "队列为空：没有待审核的目录版本。"));
    return;
  }
  const now = Date.now() / 1000;
  body.replaceChildren(
    table(
      [
        ["名称", (e) => h("a", { href: `#/catalog/${e.entry_id}` }, e.name)],
        ["版本", (e) => `第 ${e.pending_version} 版`],
        ["共享属性", (e) => label(SHARING, e.sharing)],
        ["可能重复", (e) => (e.duplicates.length ? h("ul", {}, e.duplicates.map((d) => h("li", {}, h("a", { href: `#/catalog/${d.entry_id}` }, `${d.name}（${d.code}）`)))) : "—")],
        ["审核期限", (e) => h("span", { className: e.due_at && e.due_at < now ? "bad" : "" }, when(e.due_at))],
        ["审核", (e) => reviewCell(e, () => drawQueue(body))],
      ],
      entries,
    ),
  );
}

function reviewCell(entry, done) {
  const status = h("div", { className: "status", role: "status", "aria-live": "polite" });
  const reason = select("reason_code", RETURN_REASONS, "1");
  const text = h("input", { type: "text", name: "reason" });
  const review = async (document) => {
    if (!session.key) return status.replaceChildren(h("span", { className: "error" }, "请先打开大数据中心的密钥"));
    try {
      const { status: s } = await catalogAction({
        kind: "review", entryId: entry.entry_id, version: entry.pending_version, document,
        path: `/v1/catalog/entries/${entry.entry_id}/versions/${entry.pending_version}/review`,
        onStatus: (t) => status.replaceChildren(t),
      });
      status.replaceChildren(h("span", { className: "ok", "data-reviewed": s.tx_hash }, `已上链确认：交易 ${s.tx_hash}`));
      setTimeout(done, 1500);
    } catch (error) {
      status.replaceChildren(h("span", { className: "error" }, `未能审核：${error.message}`));
    }
  };
  return h(
    "div",
    {},
    h("button", { type: "button", "aria-label": `通过 ${entry.name}`, onclick: () => review({ schema: "putuo.catalog-review/1", decision: "approve" }) }, "通过"),
    h("details", {}, h("summary", {}, "退回"),
      field("退回原因", reason), field("退回说明", text),
      h("button", { type: "button", className: "secondary", onclick: () => review({ schema: "putuo.catalog-review/1", decision: "return", reason_code: Number(reason.value), reason: text.value.trim() }) }, "签名并退回")),
    status,
  );
}
