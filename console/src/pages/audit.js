// 核验 (Audit): drop a document and get the chain's verdict. Needs only a chain RPC URL and the
// deployment (the answer of GET /v1/deployment): served by the platform it fills both in; saved
// as audit.html and opened as a local file it asks for them.
import { h, field, render, table, when, statusBox } from "../lib/dom.js";
import { Rpc, addressesOf } from "../lib/rpc.js";
import { parseStrict } from "../lib/crypto.js";
import { auditCatalogDocument, auditCommitment } from "../lib/audit.js";
import { EVIDENCE_SCHEMA, auditUsageBundle } from "../lib/usage-audit.js";
import { USAGE_METHOD, USAGE_OUTCOME, USAGE_REASON, label } from "../lib/labels.js";

const short = (hex) => (hex && hex.length > 20 ? `${hex.slice(0, 10)}…${hex.slice(-8)}` : hex);

export function auditPage(main, { rpcUrl = "", deployment = null, served = false } = {}) {
  const state = { deployment };
  const rpc = h("input", { type: "url", name: "rpc", value: rpcUrl, placeholder: "http://127.0.0.1:8545", required: true });
  const deploymentFile = h("input", { type: "file", name: "deployment", accept: ".json,application/json" });
  const deploymentStatus = h("p", { className: "status", role: "status" });
  const documentFile = h("input", { type: "file", name: "document", accept: ".json,application/json" });
  const documentText = h("textarea", { name: "document-text", spellcheck: "false" });
  const signatureFile = h("input", { type: "file", name: "signature", accept: ".json,application/json" });
  const signatureText = h("textarea", { name: "signature-text", spellcheck: "false", rows: 4 });
  signatureFile.addEventListener("change", async () => {
    if (signatureFile.files[0]) signatureText.value = await signatureFile.files[0].text();
  });
  const verdict = statusBox();
  const drop = h(
    "div",
    { className: "drop" },
    h("p", {}, "把目录文档、承诺书或使用记录证据包（JSON 文件）拖到这里，或"),
    field("选择文档文件", documentFile),
  );

  const showDeployment = () => {
    if (!state.deployment) {
      deploymentStatus.replaceChildren("尚未载入部署信息（平台 GET /v1/deployment 的应答文件）。");
      return;
    }
    const a = addressesOf(state.deployment);
    deploymentStatus.replaceChildren(`已载入部署信息：链 ID ${a.chainId}，目录合约 ${a.Catalog}，单位登记合约 ${a.UnitRegistry}`);
  };
  deploymentFile.addEventListener("change", async () => {
    try {
      state.deployment = JSON.parse(await deploymentFile.files[0].text());
      showDeployment();
    } catch (error) {
      state.deployment = null;
      deploymentStatus.replaceChildren(h("span", { className: "error" }, `部署信息文件无效：${error.message}`));
    }
  });
  const load = async (file) => {
    documentText.value = await file.text();
  };
  documentFile.addEventListener("change", () => documentFile.files[0] && load(documentFile.files[0]));
  drop.addEventListener("dragover", (e) => {
    e.preventDefault();
    drop.classList.add("over");
  });
  drop.addEventListener("dragleave", () => drop.classList.remove("over"));
  drop.addEventListener("drop", (e) => {
    e.preventDefault();
    drop.classList.remove("over");
    if (e.dataTransfer.files[0]) load(e.dataTransfer.files[0]);
  });

  const check = async (event) => {
    event.preventDefault();
    verdict.replaceChildren("正在从链上核验……");
    let document;
    try {
      document = parseStrict(documentText.value);
    } catch (error) {
      verdict.replaceChildren(h("p", { className: "error" }, `文档：不是有效的 JSON（${error.message}）`));
      return;
    }
    let signature = null;
    if (signatureText.value.trim()) {
      try {
        signature = parseStrict(signatureText.value);
      } catch (error) {
        verdict.replaceChildren(h("p", { className: "error" }, `签名文件：不是有效的 JSON（${error.message}）`));
        return;
      }
    }
    try {
      const addresses = addressesOf(state.deployment);
      const chain = new Rpc(rpc.value.trim());
      if (document?.schema === EVIDENCE_SCHEMA) {
        verdict.replaceChildren(...describeUsage(await auditUsageBundle(chain, addresses, document)));
      } else if (document?.schema === "putuo.commitment/1") {
        verdict.replaceChildren(...describeCommitment(await auditCommitment(chain, addresses, document, signature)));
      } else {
        verdict.replaceChildren(...describe(await auditCatalogDocument(chain, addresses, document)));
      }
    } catch (error) {
      verdict.replaceChildren(h("p", { className: "error" }, `无法核验：${error.message}`));
    }
  };

  const handed = globalThis.sessionStorage?.getItem("audit-document");
  if (handed) {
    documentText.value = handed;
    sessionStorage.removeItem("audit-document");
  }
  render(
    main,
    h("h1", {}, "链上核验"),
    h("p", {}, "只凭链：拖入一份目录文档、承诺书或使用记录的证据包（GET /v1/usage/{id}），页面直接向链节点读取事件和交易回执，给出谁签的、哪个单位、哪个区块、是否有效及原因。不经过平台接口。"),
    h(
      "form",
      { className: "filters", onsubmit: check, "aria-label": "核验" },
      field("链节点 RPC 地址", rpc, { wide: true }),
      field("部署信息文件", deploymentFile, { hint: "平台 /v1/deployment 的应答，另存为文件" }),
      deploymentStatus,
    ),
    served
      ? h(
          "p",
          { className: "muted" },
          "离线使用：",
          h("a", { href: "audit.html", download: "audit.html" }, "下载本核验页（单个文件）"),
          "和",
          h("a", { href: "/v1/deployment", download: "deployment.json" }, "部署信息"),
          "，平台接口停止后，用浏览器打开本地文件并填入链节点地址即可核验。",
        )
      : null,
    h("h2", {}, "文档"),
    drop,
    h(
      "form",
      { onsubmit: check },
      field("或粘贴文档 JSON", documentText, { wide: true }),
      h("h2", {}, "承诺书的签名（可选）"),
      h("p", { className: "muted" }, "核验承诺书时可附上其签名文件（putuo.signature/1）；不附则核验链上记录的签名。"),
      field("签名文件", signatureFile),
      field("或粘贴签名 JSON", signatureText, { wide: true }),
      h("p", {}, h("button", { type: "submit" }, "核验")),
    ),
    h("h2", {}, "结论"),
    verdict,
  );
  showDeployment();
}

function describe(result) {
  if (!result.found) {
    return [
      h(
        "div",
        { className: "verdict bad", "data-verdict": "invalid" },
        h("p", {}, h("strong", {}, "无效"), "：链上没有这份文档。"),
        h("p", {}, `原因：文档哈希 ${result.documentHash} 不是任何已上链目录版本的哈希——文档在上链后被改动过，或从未上链。`),
      ),
    ];
  }
  const valid = result.steps.every((s) => s.problems.length === 0);
  const first = result.steps[0];
  return [
    h(
      "div",
      { className: `verdict ${valid ? "ok" : "bad"}`, "data-verdict": valid ? "valid" : "invalid" },
      h("p", {}, h("strong", {}, valid ? "有效" : "无效"), `：目录条目 ${result.entryId} 第 ${result.version} 版。`),
      h("p", {}, `由${first.unit}的密钥 ${first.signer}（${first.scheme ?? "?"}）签名，记录于区块 ${first.block}。`),
      valid ? null : h("ul", {}, result.steps.flatMap((s) => s.problems.map((p) => h("li", {}, `${s.step}：${p}`)))),
    ),
    table(
      [
        ["步骤", (s) => s.step],
        ["签名者", (s) => h("span", { className: "hash", title: s.signer }, short(s.signer))],
        ["单位", (s) => s.unit],
        ["区块", (s) => String(s.block)],
        ["时间", (s) => when(s.at)],
        ["交易", (s) => h("span", { className: "hash", title: s.tx }, short(s.tx))],
        ["结论", (s) => (s.problems.length ? h("span", { className: "bad" }, "无效：" + s.problems.join("；")) : h("span", { className: "ok" }, "有效"))],
      ],
      result.steps,
      `文档哈希 ${result.documentHash}`,
    ),
  ];
}

function describeCommitment(r) {
  const where = r.found ? `记录于区块 ${r.block}（交易 ${short(r.tx)}）` : "";
  return [
    h(
      "div",
      { className: `verdict ${r.valid ? "ok" : "bad"}`, "data-verdict": r.valid ? "valid" : "invalid" },
      h("p", {}, h("strong", {}, r.valid ? "有效" : "无效"), `：需求 ${r.demandId} 的承诺书（第十八条）。`),
      r.keyId ? h("p", {}, `由${r.unit ?? "?"}的 ${String(r.scheme).toUpperCase()} 密钥 ${r.keyId} 签署，${where}。`) : null,
      r.valid ? null : h("ul", {}, r.problems.map((p) => h("li", {}, `原因：${p}`))),
      h("p", { className: "hash" }, `承诺书哈希 ${r.documentHash}`),
    ),
  ];
}

function describeUsage(r) {
  const rec = r.record ?? {};
  const anchoredBy = r.signer ? `检查点由${r.signerUnit ?? "未登记单位"}的密钥 ${r.signer} 签署，锚定于区块 ${r.block}（${when(r.at)}，交易 ${short(r.tx)}）。` : null;
  const rows = [
    ["使用时间", when(rec.used_at)],
    ["请求编号", rec.request_id],
    ["使用单位", rec.unit_id],
    ["调用系统", rec.system],
    ["共享授权", rec.grant_id],
    ["目录条目", rec.entry_id ? `${rec.entry_id} 第 ${rec.version} 版` : undefined],
    ["数据项", Array.isArray(rec.items) ? rec.items.join("、") : undefined],
    ["应用场景", rec.scenario],
    ["使用方式", label(USAGE_METHOD, rec.method)],
    ["核验结果", rec.outcome ? `${label(USAGE_OUTCOME, rec.outcome)}（${label(USAGE_REASON, rec.reason)}）` : undefined],
    ["返回记录数", rec.result?.count],
  ].filter(([, v]) => v !== undefined && v !== null);
  return [
    h(
      "div",
      { className: `verdict ${r.valid ? "ok" : "bad"}`, "data-verdict": r.valid ? "valid" : "invalid" },
      h(
        "p",
        {},
        h("strong", {}, r.valid ? "有效" : "无效"),
        r.size != null ? `：使用记录 ${r.index} 是检查点（大小 ${r.size}）的第 ${r.index} 个叶子（第三十条使用日志）。` : `：使用记录 ${r.index ?? "?"}。`,
      ),
      anchoredBy ? h("p", {}, anchoredBy) : null,
      r.valid ? null : h("ul", {}, r.problems.map((p) => h("li", {}, `原因：${p}`))),
      r.root ? h("p", { className: "hash" }, `检查点根（SM3）${r.root}`) : null,
    ),
    rows.length ? h("dl", { className: "elements" }, rows.flatMap(([k, v]) => [h("dt", {}, k), h("dd", {}, String(v))])) : null,
  ];
}
