// 单位工作台 (a unit's officer): built in the next step (in-browser signing).
import { h, render } from "../lib/dom.js";

export function workspacePage(main) {
  render(main, h("h1", {}, "单位工作台"), h("p", {}, "打开本人的密钥文件后，可在浏览器内签名提交目录、申请与决定。建设中。"));
}
