// The Office's settings (the deadlines the measures leave to it): each one's value in force, its
// range and the notice that published it; the Office's officer publishes a new value with its reason
// (putuo.setting/1), signed in the browser as `ledger responsibilities` signs it (publish_setting).
import { h, field, select, table, when, showError, statusBox } from "../lib/dom.js";
import { get } from "../lib/api.js";
import { redrawSoon, session, stillOpen } from "../lib/officer.js";
import { publishSetting } from "../lib/responsibilities.js";
import { explain } from "../lib/explain.js";

// chain/responsibilities.py SETTINGS, in words.
export const SETTING = {
  refusalReportDays: "拒绝归集的报告期限（工作日，第十一条）",
  responsibilityRequired: "目录条目须注明所依职责（1 是，0 否）",
  objectionHandlingDays: "数据异议的处理期限（工作日，第十六条）",
};

/** The settings in force, and the Office's form to publish a new value. */
export async function settingsDesk(redraw) {
  const key = session.key;
  const settings = await get("/v1/settings");
  stillOpen(key);
  const list = table(
    [
      ["设置", (s) => SETTING[s.name] ?? s.name],
      ["现行值", (s) => h("span", { "data-setting": s.name, "data-value": s.value }, String(s.value))],
      ["取值范围", (s) => `${s.min} 至 ${s.max}`],
      ["公布", (s) => (s.published ? h("span", {}, `${when(s.published.at)}公布：${s.published.document?.reason ?? ""}；交易 `, h("span", { className: "hash" }, s.published.proof.tx_hash.slice(0, 14) + "…")) : "默认值，未另行公布")],
    ],
    settings,
  );
  return session.unit?.kind === "office" ? [list, settingForm(settings, redraw)] : [list];
}

function settingForm(settings, redraw) {
  const byName = Object.fromEntries(settings.map((s) => [s.name, s]));
  const name = select("name", settings.map((s) => [s.name, SETTING[s.name] ?? s.name]), settings[0]?.name);
  const value = h("input", { type: "number", name: "value", step: "1", inputMode: "numeric" });
  const reason = h("textarea", { name: "reason", rows: 2, placeholder: "为何调整：依据、会议或文件" });
  const out = statusBox();
  const error = (text) => showError(out, text);
  const send = async (event) => {
    event.preventDefault();
    const { min, max } = byName[name.value];
    const n = Number(value.value);
    if (value.value.trim() === "" || !Number.isInteger(n) || n < min || n > max) return error(`新的取值：须为 ${min} 至 ${max} 之间的整数`);
    if (!reason.value.trim()) return error("调整理由：请写明为何调整");
    try {
      const document = { schema: "putuo.setting/1", name: name.value, value: n, reason: reason.value.trim() };
      const { status } = await publishSetting(document, (text) => out.replaceChildren(text));
      out.replaceChildren(h("span", { className: "ok", "data-setting-published": status.tx_hash }, "已公布新的取值，已上链确认"));
      redrawSoon(redraw);
    } catch (e) {
      error(`未能公布：${explain(e)}`);
    }
  };
  return h("form", { onsubmit: send, "aria-label": "公布设置" },
    h("div", { className: "filters" }, field("设置项", name, { wide: true }), field("新的取值", value), field("调整理由", reason, { wide: true })),
    h("p", {}, h("button", { type: "submit" }, "签名并公布设置")), out);
}
