// The supplementary catalog's export for the city platform (Art. 12). The Data Center's officer
// takes the steps since the last recorded export as JSON and CSV from the API, the page hashes both
// files itself (keccak256) and holds the JSON's against the API's header, offers them for download,
// and signs the export's record (putuo.catalog-export/1, `record_catalog_export`) as
// `ledger catalog export` does: the city checks the files it receives against the chain. Every
// recorded export is listed, each rebuilt by the API from the mirror and compared with its hash.
import { keccak256 } from "ethers";
import { h, table, shortId, showError, statusBox } from "../lib/dom.js";
import { get, getFile } from "../lib/api.js";
import { redrawSoon, session, stillOpen } from "../lib/officer.js";
import { recordCatalogExport } from "../lib/responsibilities.js";
import { explain } from "../lib/explain.js";


/** The exports recorded so far, and (for the Data Center) the next one, prepared and signed here. */
export async function exportDesk(redraw) {
  const key = session.key;
  const exports = await get("/v1/catalog/supplementary/exports");
  stillOpen(key);
  const list = exports.length
    ? table(
        [
          ["序号", (x) => String(x.sequence)],
          ["区块范围", (x) => `${x.from_block} 至 ${x.to_block}`],
          ["条目步骤", (x) => String(x.items)],
          ["JSON keccak256", (x) => shortId(x.export_id, 14)],
          ["核对", (x) => h("span", { className: x.verified ? "ok" : "error", "data-export-verified": String(x.verified) }, x.verified ? "与链上记录一致" : "与链上记录不符")],
          ["链上记录", (x) => h("span", {}, "交易 ", shortId(x.proof.tx_hash, 14), `，区块 ${x.proof.block_number}`)],
        ],
        exports,
      )
    : h("p", { className: "muted" }, "尚未记录导出。");
  return session.unit?.kind === "data_center" ? [list, nextExport(redraw)] : [list];
}

function nextExport(redraw) {
  const out = statusBox();
  const error = (text) => showError(out, text);
  const prepare = async () => {
    out.replaceChildren("正在生成导出文件……");
    try {
      const json = await getFile("/v1/catalog/supplementary/export", { format: "json" });
      const from = Number(json.headers.get("x-from-block"));
      const to = Number(json.headers.get("x-to-block"));
      const csv = await getFile("/v1/catalog/supplementary/export", { format: "csv", from_block: from, to_block: to });
      const jsonHash = keccak256(json.bytes);
      if (jsonHash !== json.headers.get("x-export-keccak256")?.toLowerCase()) {
        return error("平台给出的文件与其声明的哈希不符：未签名，请联系平台运维");
      }
      const rows = JSON.parse(new TextDecoder().decode(json.bytes)).items.length; // the steps exported
      const manifest = {
        schema: "putuo.catalog-export/1",
        format: "putuo.supplementary-catalog/1",
        json_keccak256: jsonHash,
        csv_keccak256: keccak256(csv.bytes),
        from_block: from,
        to_block: to,
        entries: rows,
      };
      const link = (bytes, type, name) => h("a", { href: URL.createObjectURL(new Blob([bytes], { type })), download: name }, name);
      const stem = `putuo-supplementary-${from}-${to}`;
      const sign = async () => {
        try {
          const { status } = await recordCatalogExport(manifest, (text) => result.replaceChildren(text));
          result.replaceChildren(h("span", { className: "ok", "data-export-recorded": status.tx_hash, "data-export-id": jsonHash }, "导出已记录上链，可将两个文件报送市级平台"));
          redrawSoon(redraw);
        } catch (e) {
          result.replaceChildren(h("span", { className: "error" }, `未能记录：${explain(e)}`));
        }
      };
      const result = statusBox();
      out.replaceChildren(h("div", { "data-export-prepared": jsonHash },
        h("p", {}, `区块 ${from} 至 ${to}：${rows} 个条目步骤。`, "文件：", link(json.bytes, "application/json", `${stem}.json`), "　", link(csv.bytes, "text/csv", `${stem}.csv`)),
        h("p", { className: "hash" }, `JSON keccak256 ${jsonHash}（本页计算，与平台声明一致）`),
        h("button", { type: "button", onclick: sign }, "签名并记录本次导出"),
        result));
    } catch (e) {
      error(`未能生成：${explain(e)}`);
    }
  };
  return h("div", {}, h("p", {}, h("button", { type: "button", className: "secondary", onclick: prepare }, "生成自上次导出以来的增量导出")), out);
}
