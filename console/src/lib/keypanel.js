// The "open my key" panel every officer page starts with: the keystore file is read in the page
// and decrypted with the password typed here; neither leaves the browser.
import { h, field } from "./dom.js";
import { closeOfficerKey, openOfficerKey, session } from "./officer.js";

export function keyPanel(onChange) {
  const box = h("section", { className: "card", "aria-labelledby": "key-heading" });
  const draw = () => {
    if (session.key) {
      box.replaceChildren(
        h("h2", { id: "key-heading" }, "本人密钥"),
        h("p", { "data-key-open": session.key.keyId }, `已打开：${session.key.name ?? "（未命名）"} `, h("span", { className: "hash" }, session.key.keyId), `（${session.key.scheme.toUpperCase()}），单位：${session.unit.name}`),
        h("button", { type: "button", className: "secondary", onclick: () => { closeOfficerKey(); draw(); onChange(); } }, "关闭密钥"),
      );
      return;
    }
    const file = h("input", { type: "file", name: "keystore", accept: ".json,application/json", required: true });
    const password = h("input", { type: "password", name: "password", autocomplete: "current-password", required: true });
    const status = h("p", { className: "status", role: "status", "aria-live": "polite" });
    const form = h(
      "form",
      {
        className: "filters",
        onsubmit: async (event) => {
          event.preventDefault();
          if (!file.files[0]) return status.replaceChildren(h("span", { className: "error" }, "请选择密钥文件"));
          status.replaceChildren("正在解密密钥……");
          try {
            await openOfficerKey(await file.files[0].text(), password.value);
            password.value = "";
            draw();
            onChange();
          } catch (error) {
            status.replaceChildren(h("span", { className: "error" }, `无法打开密钥：${error.message}`));
          }
        },
      },
      field("密钥文件", file, { hint: "putuo.keystore/1 文件，只在本浏览器内解密" }),
      field("密钥密码", password),
      h("div", { className: "field" }, h("button", { type: "submit" }, "打开密钥")),
    );
    box.replaceChildren(h("h2", { id: "key-heading" }, "本人密钥"), form, status);
  };
  draw();
  return box;
}
