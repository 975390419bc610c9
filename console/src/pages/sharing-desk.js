// The sharing part of the unit workspace: apply for another unit's data with a signed commitment
// (Art. 17, 18), answer the demands made of my unit before their due time (Art. 20), my grants.
import { h, field, select, table, when, statusBox } from "../lib/dom.js";
import { get } from "../lib/api.js";
import { redrawSoon, session, stillOpen } from "../lib/officer.js";
import { apply, decide, grantStep } from "../lib/sharing.js";
import { disputeCell, historyOf } from "./cases-desk.js";
import { entryNames, grantObjectionCell } from "./grant-objection-desk.js";
import { idleReasonCell } from "./idle-desk.js";

const METHODS = [["interface", "接口调用"], ["batch_comparison", "批量比对"]];
const FREQUENCIES = [["continuous", "持续"], ["daily", "每日"], ["weekly", "每周"], ["monthly", "每月"], ["quarterly", "每季度"]];
const ITEM_STATUS = {
  authorised: "按登记场景授权", pending: "待答复", approved: "已同意", rejected: "已驳回", deemed_approved: "逾期视为同意",
  closed: "已关闭", superseded: "已被替代",
};
const GRANT_STATUS = { active: "有效", suspended: "已暂停", terminated: "已终止" };
const DAY = 86400;

/** Save a JSON value as a file the officer keeps (the commitment and its signature). */
function download(name, value, label) {
  const url = URL.createObjectURL(new Blob([JSON.stringify(value, null, 2) + "\n"], { type: "application/json" }));
  return h("a", { href: url, download: name }, label);
}

export async function applyForm() {
  const active = (await get("/v1/catalog/entries", { status: "active", limit: 100 })).items.filter(
    (e) => e.unit_id !== session.unit.unit_id && e.sharing !== "not_shared",
  );
  const entry = select("entry", active.map((e) => [e.entry_id, `${e.name}（${e.code}）`]));
  const input = (name, value = "") => h("input", { type: "text", name, value });
  const c = {
    no: input("application_no"), items: input("items"), code: input("scenario.code"), name: input("scenario.name"),
    basis: input("legal_basis"), goal: input("business_goal"), method: select("method", METHODS, "interface"),
    frequency: select("frequency", FREQUENCIES, "monthly"), level: select("security_level", ["L1", "L2", "L3", "L4"].map((l) => [l, l]), "L2"),
    safeguards: input("safeguards", "专人专岗"),
    platform: h("input", { type: "checkbox", name: "platform_signing" }),
    platformKey: input("platform_key_id"),
  };
  const result = statusBox();
  const button = h("button", { type: "submit" }, "签署承诺书并申请");
  const form = h(
    "form",
    {
      onsubmit: async (event) => {
        event.preventDefault();
        const chosen = active.find((e) => e.entry_id === entry.value);
        const list = (text) => text.split(/[,，、]/).map((s) => s.trim()).filter(Boolean);
        const application = {
          schema: "putuo.demand/1",
          application_no: c.no.value.trim(),
          demand_unit_id: session.unit.unit_id,
          demand_type: "routine",
          scenario: { code: c.code.value.trim(), name: c.name.value.trim(), class: 0 },
          legal_basis: c.basis.value.trim(),
          business_goal: c.goal.value.trim(),
          resources: [{ entry_id: chosen?.entry_id, version: chosen?.approved_version, owner_unit_id: chosen?.unit_id, items: list(c.items.value) }],
          method: c.method.value,
          frequency: c.frequency.value,
          security_level: c.level.value,
          safeguards: list(c.safeguards.value),
        };
        button.disabled = true;
        result.replaceChildren("正在签署承诺书……");
        try {
          const platformKeyId = c.platform.checked ? c.platformKey.value.trim() : null;
          const done = await apply(application, (t) => result.replaceChildren(t), { platformKeyId });
          result.replaceChildren(
            h("div", { className: "verdict ok", "data-applied": done.demandId },
              h("p", {}, h("strong", {}, "申请已上链确认"), `：需求 `, h("span", { className: "hash" }, done.demandId), `，承诺书由 ${done.commitment.signature.scheme.toUpperCase()} 密钥 ${done.commitment.signature.key_id} 签署。`),
              h("p", {}, "交易 ", h("span", { className: "hash" }, done.status.tx_hash)),
              h("p", {}, download("commitment.json", done.commitment.document, "下载承诺书"), "　", download("commitment.sig.json", done.commitment.signature, "下载承诺书签名")),
              h("textarea", { hidden: true, "data-commitment": "", "aria-label": "承诺书" }, JSON.stringify(done.commitment.document)),
              h("textarea", { hidden: true, "data-commitment-signature": "", "aria-label": "承诺书签名" }, JSON.stringify(done.commitment.signature))),
          );
        } catch (error) {
          result.replaceChildren(h("p", { className: "error" }, `未能申请：${error.message}`));
        } finally {
          button.disabled = false;
        }
      },
    },
    h("div", { className: "filters" },
      field("申请编号", c.no), field("申请的目录条目", entry, { wide: true }), field("申请的数据项", c.items, { wide: true, hint: "用逗号分隔" }),
      field("应用场景编码", c.code), field("应用场景名称", c.name), field("法律法规依据", c.basis, { wide: true }), field("业务目标", c.goal, { wide: true }),
      field("共享方式", c.method), field("使用频率", c.frequency), field("安全等级", c.level), field("安全保障措施", c.safeguards, { wide: true })),
    h("p", { className: "muted" }, "承诺书（第十八条）：需求真实、使用目标合理、使用过程安全合规——由本人密钥在浏览器内签署；或在平台启用签名服务时，以本人身份登录后由平台保管的本单位密钥签署。"),
    h("div", { className: "filters" },
      h("div", { className: "field" }, h("label", { for: "platform-signing" }, "由平台签名服务签署承诺书"), Object.assign(c.platform, { id: "platform-signing" })),
      field("平台保管的密钥编号", c.platformKey, { wide: true, hint: "仅在选用平台签名服务时填写" })),
    h("p", {}, button),
    result,
  );
  return form;
}

const DEMAND_STATUS = { open: "办理中", granted: "已授权", rejected: "已驳回", returned: "已退回" };
const ROUTE = { scenario: "按登记场景（第十九条）", owner_review: "数源单位答复（第二十条）" };

/** The unit's own applications (Art. 17) and where each item stands (Art. 19, 20). */
export async function myDemands(redraw = () => {}) {
  const key = session.key;
  const [page, units] = await Promise.all([get(`/v1/units/${session.unit.unit_id}/demands`, { limit: 50 }), get("/v1/units")]);
  if (!page.items.length) return h("p", { className: "muted" }, "本单位尚未提出申请。");
  stillOpen(key);
  const histories = new Map(await Promise.all(page.items.map(async (d) => [d.demand_id, await historyOf(d.demand_id)])));
  const names = Object.fromEntries(units.map((u) => [u.unit_id, u.name]));
  const itemText = (d, i) =>
    `第 ${i.item + 1} 项（${names[i.owner_unit_id] ?? i.owner_unit_id}）：${ITEM_STATUS[i.status] ?? i.status}` +
    (i.status === "pending" && i.due_at ? `，答复期限 ${when(i.due_at)}${i.overdue ? "（已逾期）" : ""}` : "");
  return table(
    [
      ["需求", (d) => h("span", { className: "hash", title: d.demand_id }, d.demand_id.slice(0, 12) + "…")],
      ["申请编号", (d) => d.document?.application_no ?? "—"],
      ["应用场景", (d) => d.scenario_code],
      ["办理方式", (d) => ROUTE[d.route] ?? d.route],
      ["申请时间", (d) => when(d.applied_at)],
      ["状态", (d) => h("span", { "data-demand-status": d.status }, DEMAND_STATUS[d.status] ?? d.status)],
      ["各项", (d) => h("ul", { className: "plain" }, d.items.map((i) => h("li", {}, itemText(d, i))))],
      ["争议（第二十四条）", (d) => disputeCell(d, histories.get(d.demand_id), redraw)],
    ],
    page.items,
  );
}

export async function inbox(redraw) {
  const key = session.key;
  const page = await get(`/v1/units/${session.unit.unit_id}/incoming-demands`, { limit: 50 });
  if (!page.items.length) return h("p", { className: "muted" }, "没有待本单位答复的申请。");
  stillOpen(key);
  const ids = [...new Set(page.items.map((d) => d.demand_id))];
  const histories = new Map(await Promise.all(ids.map(async (id) => [id, await historyOf(id)])));
  return table(
    [
      ["需求", (d) => h("span", { className: "hash", title: d.demand_id }, d.demand_id.slice(0, 12) + "…")],
      ["应用场景", (d) => d.scenario_code],
      ["状态", (d) => ITEM_STATUS[d.status] ?? d.status],
      ["答复期限", (d) => {
        const left = d.due_at - page.now;
        const warn = d.status === "pending" && left < DAY;
        return h("span", { className: d.overdue ? "bad" : warn ? "warn" : "" }, when(d.due_at), d.overdue ? "（已逾期）" : warn ? "（即将视为同意）" : "");
      }],
      ["答复", (d) => (d.status === "pending" ? decideCell(d, redraw) : "—")],
      ["争议（第二十四条）", (d) => disputeCell({ demand_id: d.demand_id, items: [{ item: d.item, status: d.status }] }, histories.get(d.demand_id), redraw)],
    ],
    page.items,
  );
}

function decideCell(d, redraw) {
  const status = statusBox();
  const basis = h("input", { type: "text", name: "legal_basis" });
  const reason = h("input", { type: "text", name: "reason" });
  const send = async (decision) => {
    try {
      const { status: s } = await decide(d.demand_id, d.item, decision, (t) => status.replaceChildren(t));
      status.replaceChildren(h("span", { className: "ok", "data-decided": s.tx_hash }, "已上链确认"));
      redrawSoon(redraw);
    } catch (error) {
      status.replaceChildren(h("span", { className: "error" }, `未能答复：${error.message}`));
    }
  };
  return h(
    "div",
    {},
    h("button", { type: "button", "aria-label": `同意需求 ${d.demand_id.slice(0, 12)} 第 ${d.item + 1} 项`, onclick: () => send({ decision: "approve" }) }, "同意"),
    h("details", {}, h("summary", {}, "驳回（须附法律法规依据）"),
      field("驳回依据", basis), field("驳回说明", reason),
      h("button", { type: "button", className: "secondary", onclick: () => send({ decision: "reject", reason_code: "legal_basis", legal_basis: basis.value.trim(), reason: reason.value.trim() }) }, "签名并驳回")),
    status,
  );
}

function grantCell(g, redraw) {
  const kind = g.status === "active" ? "terminate" : g.status === "suspended" && !g.objection_pending ? "object" : null;
  if (!kind) return g.objection_pending ? h("span", { className: "warn" }, `异议待大数据中心答复（期限 ${when(g.objection_answer_due_at)}）`) : "—";
  const words = kind === "terminate" ? { label: "终止授权的理由", button: "签名并终止" } : { label: "异议理由", button: "签名并提出异议" };
  const reason = h("input", { type: "text", name: "reason" });
  const status = statusBox();
  return h(
    "details",
    {},
    h("summary", {}, kind === "terminate" ? "不再使用：终止" : "对暂停提出异议"),
    field(words.label, reason),
    h("button", {
      type: "button",
      className: "secondary",
      onclick: async () => {
        try {
          const { status: s } = await grantStep(kind, g.grant_id, reason.value.trim(), (t) => status.replaceChildren(t));
          status.replaceChildren(h("span", { className: "ok", "data-grant-step": s.tx_hash }, "已上链确认"));
          redrawSoon(redraw);
        } catch (error) {
          status.replaceChildren(h("span", { className: "error" }, `未能办理：${error.message}`));
        }
      },
    }, words.button),
    status,
  );
}

export async function grants(redraw = () => {}) {
  const [page, clock] = await Promise.all([get(`/v1/units/${session.unit.unit_id}/grants`, { limit: 50 }), get("/v1/duties", { limit: 1 })]);
  if (!page.items.length) return h("p", { className: "muted" }, "本单位尚无共享授权。");
  const names = await entryNames(page.items);
  return table(
    [
      ["授权", (g) => h("span", { className: "hash", title: g.grant_id, "data-grant": g.grant_id }, g.grant_id.slice(0, 12) + "…")],
      ["应用场景", (g) => g.scenario_code],
      ["方式", (g) => Object.fromEntries(METHODS)[g.method] ?? g.method],
      ["状态", (g) => GRANT_STATUS[g.status] ?? g.status],
      ["授予时间", (g) => when(g.issued_at)],
      ["最近使用", (g) => when(g.last_used_at)],
      ["办理", (g) => grantCell(g, redraw)],
      ["闲置（第二十六条）", (g) => idleReasonCell(g, clock.now, redraw)],
      ["数据异议（第十六条）", (g) => grantObjectionCell(g, names, redraw)],
    ],
    page.items,
  );
}
