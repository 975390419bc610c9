// 使用监督 (Art. 30): the regulators' inspection of the usage log — refused uses, uses on suspended
// or terminated grants, grants used far above their declared frequency, grants about to fall idle —
// for an officer of the Office, the Data Center or an auditor unit (网信办, 公安分局 …), logged in
// with the opened key. Each record's evidence is verified on the Audit page from the chain alone.
import { h, render, statusBox } from "../lib/dom.js";
import { keyPanel } from "../lib/keypanel.js";
import { session } from "../lib/officer.js";
import { inspectionView } from "./usage.js";
import { incidentInbox, measureReportInbox } from "./supervision-desk.js";
import { WitnessRefusal, cosignLatest, witnessState } from "../lib/witness.js";

export function inspectionPage(main) {
  const body = h("div", {});
  const refresh = async () => {
    if (!session.key) {
      body.replaceChildren(h("p", { className: "muted" }, "打开政务办、大数据中心或监督单位的本人密钥后，显示使用日志的监督视图。"));
      return;
    }
    body.replaceChildren("正在加载……");
    try {
      body.replaceChildren(await inspectionView());
    } catch (error) {
      body.replaceChildren(h("p", { className: "error" }, error.message));
    }
  };
  const witness = h("div", {});
  const incidents = h("div", {});
  const drawIncidents = () => {
    if (!session.key) {
      incidents.replaceChildren(h("p", { className: "muted" }, "打开政务办或监督单位的本人密钥后，显示各单位报告的数据安全事件，并可签收。"));
      return;
    }
    incidents.replaceChildren("正在加载……");
    incidentInbox(drawIncidents).then((el) => incidents.replaceChildren(el), (error) => incidents.replaceChildren(h("p", { className: "error" }, error.message)));
  };
  const reports = h("div", {});
  const drawReports = () => {
    if (!session.key) {
      reports.replaceChildren(h("p", { className: "muted" }, "打开政务办或监督单位的本人密钥后，显示大数据中心暂停或终止授权的报送，并可签收。"));
      return;
    }
    reports.replaceChildren("正在加载……");
    measureReportInbox(drawReports).then((el) => reports.replaceChildren(el), (error) => reports.replaceChildren(h("p", { className: "error" }, error.message)));
  };
  const refreshAll = () => {
    refresh();
    drawWitness(witness);
    drawIncidents();
    drawReports();
  };
  render(
    main,
    h("h1", {}, "使用监督（第三十条）"),
    keyPanel(refreshAll),
    h("h2", {}, "数据安全事件（第二十九条）"), incidents,
    h("h2", {}, "暂停、终止授权的报送（第三十一条）"), reports,
    h("h2", {}, "使用日志的异常"), body,
    h("h2", {}, "见证检查点"), witness,
  );
  refreshAll();
}

const WITNESSES = ["office", "auditor"]; // UsageLog takes co-signatures of these units' officers

/** The witness's view: the newest checkpoint on-chain, the last one this unit co-signed, and the
 *  co-signature after the consistency check (lib/witness.js). */
async function drawWitness(box) {
  if (!session.key || !WITNESSES.includes(session.unit.kind)) {
    box.replaceChildren(h("p", { className: "muted" }, "政务办和监督单位的官员核对每个新检查点与本单位上次联署的一致后联署（打开其本人密钥后显示）。"));
    return;
  }
  box.replaceChildren("正在读取链上检查点……");
  let state;
  try {
    state = await witnessState();
  } catch (error) {
    box.replaceChildren(h("p", { className: "error" }, `无法读取链上检查点：${error.message}`));
    return;
  }
  if (!state.latest) {
    box.replaceChildren(h("p", {}, "使用日志尚无锚定的检查点。"));
    return;
  }
  const status = statusBox();
  const { latest, seen } = state;
  box.replaceChildren(
    h("p", { "data-witness": String(latest.size) }, `链上最新检查点：大小 ${latest.size}，已有 ${latest.cosignatures} 个单位联署。`),
    h("p", { className: "hash" }, `根（SM3）${latest.root}`),
    h("p", {}, seen ? `本单位上次联署：大小 ${seen.size}（区块 ${seen.block}）。` : "本单位尚未联署过检查点。"),
    seen && seen.size >= latest.size
      ? h("p", { className: "ok" }, "本单位已联署最新检查点。")
      : h("button", {
          type: "button",
          onclick: async () => {
            try {
              const done = await cosignLatest(state, (t) => status.replaceChildren(t));
              status.replaceChildren(h("span", { className: "ok", "data-cosigned": done.tx_hash }, `${done.checked}；已联署，现有 ${done.cosignatures} 个单位联署。`));
            } catch (error) {
              const kind = error instanceof WitnessRefusal ? "拒绝联署" : "未能联署";
              status.replaceChildren(h("span", { className: "error" }, `${kind}：${error.message}`));
            }
          },
        }, "核对一致性并联署"),
    status,
  );
}
