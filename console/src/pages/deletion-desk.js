// Asking to delete an approved entry (Art. 14). The unit's officer states why; the request is a
// version of the entry (schema putuo.catalog-deletion/1) that the Data Center reviews as any other,
// signed in the browser as `ledger catalog delete FILE` signs it. While live grants use the entry,
// the contract refuses it until the adjustment plan is agreed (the section above records one).
import { h, field, showError, statusBox } from "../lib/dom.js";
import { catalogAction, redrawSoon } from "../lib/officer.js";
import { explain } from "../lib/explain.js";

/** The form that asks to delete `entry` (a row of GET /v1/catalog/entries), folded until opened. */
export function deletionCell(entry, redraw) {
  const reason = h("textarea", { name: "reason", rows: 2, placeholder: "如：该信息系统已下线，数据资源不再产生" });
  const out = statusBox();
  const error = (text) => showError(out, text);
  const send = async () => {
    if (!reason.value.trim()) return error("删除理由：请写明为何删除该条目（第十四条）");
    try {
      const document = { schema: "putuo.catalog-deletion/1", reason: reason.value.trim() };
      const { status } = await catalogAction({
        kind: "request_delete",
        entryId: entry.entry_id,
        document,
        path: `/v1/catalog/entries/${entry.entry_id}/delete-requests`,
        onStatus: (text) => out.replaceChildren(text),
      });
      out.replaceChildren(h("span", { className: "ok", "data-deletion-requested": status.tx_hash }, "删除申请已上链确认，待大数据中心审核"));
      redrawSoon(redraw);
    } catch (e) {
      error(`未能申请删除：${explain(e)}`);
    }
  };
  return h("details", {}, h("summary", {}, "申请删除"),
    field(`删除理由（${entry.name}）`, reason),
    h("button", { type: "button", "aria-label": `签名并申请删除 ${entry.name}`, onclick: send }, "签名并申请删除"),
    out);
}
