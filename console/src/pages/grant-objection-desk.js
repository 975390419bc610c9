// A using unit's data objection (Art. 16): data it received under a grant is wrong, and it tells the
// entry's responsible unit, which must verify and handle it by its due time. Signed in the browser
// as `ledger quality object FILE` signs it: putuo.objection/1, source `using_unit`, the grant named
// (the contract checks that the grant is the signer's unit's and covers the entry).
import { h, field, select, showError, statusBox } from "../lib/dom.js";
import { get } from "../lib/api.js";
import { redrawSoon } from "../lib/officer.js";
import { raiseObjection } from "../lib/measures.js";
import { explain } from "../lib/explain.js";

/** The names of the entries the grants cover, by entry id (the catalog is public). */
export async function entryNames(grants) {
  const ids = [...new Set(grants.flatMap((g) => g.resources.map((r) => r.entry_id)))];
  const entries = await Promise.all(ids.map((id) => get(`/v1/catalog/entries/${id}`).catch(() => null)));
  return Object.fromEntries(entries.filter(Boolean).map((e) => [e.entry_id, e.name]));
}

/** The form that objects to the data of one of `grant`'s entries, folded until opened. */
export function grantObjectionCell(grant, names, redraw) {
  if (!["active", "suspended"].includes(grant.status) || !grant.resources.length) return "—";
  const id = grant.grant_id.slice(0, 12);
  const entry = select("entry_id", grant.resources.map((r) => [r.entry_id, names[r.entry_id] ?? r.entry_id.slice(0, 12) + "…"]), grant.resources[0].entry_id);
  const description = h("textarea", { name: "description", rows: 2, placeholder: "哪些记录、哪些字段有误" });
  const out = statusBox();
  const error = (text) => showError(out, text);
  const send = async () => {
    if (!description.value.trim()) return error("异议内容：请写明哪些记录、哪些字段有误（第十六条）");
    const document = { schema: "putuo.objection/1", entry_id: entry.value, source: "using_unit", description: description.value.trim(), grant_id: grant.grant_id };
    try {
      const { status, objectionId } = await raiseObjection(document, (text) => out.replaceChildren(text));
      out.replaceChildren(h("span", { className: "ok", "data-objection-raised": status.tx_hash, "data-objection-id": objectionId }, "已向数据的责任单位提出异议，已上链确认"));
      redrawSoon(redraw);
    } catch (e) {
      error(`未能提出：${explain(e)}`);
    }
  };
  return h("details", {}, h("summary", {}, "提出数据异议"),
    field(`异议的数据（${id}）`, entry), field(`异议内容（${id}）`, description),
    h("button", { type: "button", "aria-label": `签名并提出数据异议 ${id}`, onclick: send }, "签名并提出异议"),
    out);
}
