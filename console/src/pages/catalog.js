// 目录 (Catalog): search and filters; an entry laid out by the Art. 11 elements, with its version
// history and each version's on-chain proof.
import { h, field, render, select, table, when } from "../lib/dom.js";
import { get } from "../lib/api.js";
import { BASIS_EVENT, FREQUENCY, OPENING, SHARING, SOURCE_METHOD, STATUS, VERSION_KIND, label } from "../lib/labels.js";

const options = (map) => [["", "全部"], ...Object.entries(map).filter(([k]) => k)];
const short = (hex) => (hex && hex.length > 20 ? `${hex.slice(0, 10)}…${hex.slice(-8)}` : hex);

export async function catalogList(main, query) {
  const q = h("input", { type: "search", name: "q", value: query.get("q") ?? "", placeholder: "如：低保" });
  const sharing = select("sharing", options(SHARING), query.get("sharing") ?? "");
  const grade = select("grade", [["", "全部"], ["L1", "L1"], ["L2", "L2"], ["L3", "L3"], ["L4", "L4"]], query.get("grade") ?? "");
  const status = select("status", options({ under_review: STATUS.under_review, returned: STATUS.returned, active: STATUS.active, change_pending: STATUS.change_pending, delete_pending: STATUS.delete_pending, deleted: STATUS.deleted }), query.get("status") ?? "");
  const results = h("div", { role: "region", "aria-live": "polite", "aria-label": "检索结果" }, "正在加载……");
  const form = h(
    "form",
    {
      className: "filters",
      role: "search",
      onsubmit: (e) => {
        e.preventDefault();
        const params = new URLSearchParams(new FormData(form));
        for (const [k, v] of [...params]) if (!v) params.delete(k);
        location.hash = `#/catalog?${params}`;
      },
    },
    field("关键词（名称或摘要）", q, { wide: true }),
    field("共享属性", sharing),
    field("分级", grade),
    field("状态", status),
    h("div", { className: "field" }, h("button", { type: "submit" }, "检索")),
  );
  render(main, h("h1", {}, "数据资源目录"), form, results);
  try {
    const page = await get("/v1/catalog/entries", {
      q: query.get("q"), sharing: query.get("sharing"), grade: query.get("grade"), status: query.get("status"), limit: 50,
    });
    results.replaceChildren(
      h("p", { className: "muted" }, page.total === null ? `显示 ${page.items.length} 条` : `共 ${page.total} 条`),
      table(
        [
          ["名称", (e) => h("a", { href: `#/catalog/${e.entry_id}` }, e.name)],
          ["编码", (e) => e.code],
          ["分类", (e) => e.category],
          ["分级", (e) => e.grade],
          ["共享属性", (e) => label(SHARING, e.sharing)],
          ["更新频率", (e) => label(FREQUENCY, e.update_frequency)],
          ["状态", (e) => label(STATUS, e.status)],
        ],
        page.items,
      ),
    );
  } catch (error) {
    results.replaceChildren(h("p", { className: "error" }, `无法加载目录：${error.message}`));
  }
}

/** The Art. 11 elements of a catalog document, in the order the measures list them. */
function elements(doc) {
  const rows = [
    ["目录编码", doc.code],
    ["数据资源名称", doc.name],
    ["摘要", doc.description],
    ["来源系统", doc.source?.system],
    ["产生方式", label(SOURCE_METHOD, doc.source?.method)],
    ["更新频率", label(FREQUENCY, doc.update_frequency)],
    ["分类", doc.classification?.category],
    ["分级", doc.classification?.grade],
    ["共享属性", label(SHARING, doc.sharing?.attribute)],
    ["共享条件", doc.sharing?.conditions ?? "—"],
    ["开放属性", label(OPENING, doc.opening?.attribute)],
    ["开放依据", doc.opening?.basis ?? "—"],
    ["覆盖范围", doc.coverage ? `${doc.coverage.area ?? ""} ${doc.coverage.period ?? ""}` : "—"],
    ["管理科室", doc.managing_agency],
    ["依据事件", doc.basis_event ? `${label(BASIS_EVENT, doc.basis_event.kind)} ${doc.basis_event.date}` : "—"],
  ];
  return h("dl", { className: "elements" }, rows.flatMap(([name, value]) => [h("dt", {}, name), h("dd", {}, value ?? "—")]));
}

function proof(p) {
  if (!p) return "—";
  return h(
    "div",
    {},
    h("div", {}, "交易 ", h("span", { className: "hash", title: p.tx_hash }, short(p.tx_hash))),
    h("div", {}, `区块 ${p.block_number}`),
    h("div", {}, "签名者 ", h("span", { className: "hash", title: p.signer }, short(p.signer))),
  );
}

export async function catalogEntry(main, entryId) {
  render(main, h("h1", {}, "目录条目"), h("p", {}, "正在加载……"));
  try {
    const [entry, versions] = await Promise.all([
      get(`/v1/catalog/entries/${entryId}`),
      get(`/v1/catalog/entries/${entryId}/versions`),
    ]);
    const items = entry.document.data_items ?? [];
    render(
      main,
      h("p", {}, h("a", { href: "#/catalog" }, "← 返回目录")),
      h("h1", {}, entry.name),
      h("p", {}, h("span", { className: "badge" }, label(STATUS, entry.status)), ` 条目 `, h("span", { className: "hash" }, entry.entry_id)),
      h("h2", {}, "目录要素（第十一条）"),
      elements(entry.document),
      h("h2", {}, "数据项"),
      table([["名称", (i) => i.name], ["类型", (i) => i.type], ["说明", (i) => i.description ?? "—"]], items),
      h("h2", {}, "版本历史与链上证明"),
      table(
        [
          ["版本", (v) => `第 ${v.version} 版`],
          ["类型", (v) => label(VERSION_KIND, v.kind)],
          ["状态", (v) => label(STATUS, v.status)],
          ["提交", (v) => h("div", {}, when(v.submitted_at), proof(v.submission))],
          ["审核期限", (v) => when(v.due_at)],
          ["审核", (v) => (v.review ? h("div", {}, when(v.reviewed_at), proof(v.review)) : "—")],
          ["文档哈希", (v) => h("span", { className: "hash", title: v.submission.document_hash }, short(v.submission.document_hash))],
          ["核验", (v) => h("button", {
            type: "button", className: "secondary", "aria-label": `在链上核验第 ${v.version} 版`,
            onclick: () => {
              // Handed to the Audit page, which checks it against the chain alone (not the mirror).
              sessionStorage.setItem("audit-document", JSON.stringify(v.document, null, 2));
              location.hash = "#/audit";
            },
          }, "链上核验")],
        ],
        versions,
      ),
    );
  } catch (error) {
    render(main, h("h1", {}, "目录条目"), h("p", { className: "error" }, `无法加载：${error.message}`));
  }
}
