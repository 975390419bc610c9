// 使用监督 (Art. 30): the regulators' inspection of the usage log — refused uses, uses on suspended
// or terminated grants, grants used far above their declared frequency, grants about to fall idle —
// for an officer of the Office, the Data Center or an auditor unit (网信办, 公安分局 …), logged in
// with the opened key. Each record's evidence is verified on the Audit page from the chain alone.
import { h, render } from "../lib/dom.js";
import { keyPanel } from "../lib/keypanel.js";
import { session } from "../lib/officer.js";
import { inspectionView } from "./usage.js";

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
  render(main, h("h1", {}, "使用监督（第三十条）"), keyPanel(refresh), h("h2", {}, "使用日志的异常"), body);
  refresh();
}
