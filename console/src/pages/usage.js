// The usage log in the console (Art. 30; the API's GET /v1/usage…, #11): a unit's uses of other
// units' data and the uses of its own, with the CSV export and each record's evidence bundle
// handed to the Audit page; and the regulators' inspection view for the Office, the Data Center
// and the auditor units. Every request carries the opened key's token (api/auth/access.py).
import { h, field, select, table, when } from "../lib/dom.js";
import { ApiError, credentials, get } from "../lib/api.js";
import { session } from "../lib/officer.js";
import { FREQUENCY_OF_USE, USAGE_METHOD, USAGE_OUTCOME, USAGE_REASON, label } from "../lib/labels.js";

const LIMIT = 50;
const INSPECTORS = ["office", "data_center", "auditor"];
const SIDES = [["user", "本单位使用他单位的数据"], ["owner", "他单位使用本单位的数据"]];

const short = (hex) => (hex && hex.length > 20 ? `${hex.slice(0, 10)}…` : hex);

/** Names of units and catalog entries, fetched once per page. */
async function namer() {
  const units = new Map((await get("/v1/units")).map((u) => [u.unit_id, u.name]));
  const entries = new Map();
  return {
    unit: (id) => units.get(id) ?? short(id),
    async entry(id) {
      if (!entries.has(id)) entries.set(id, get(`/v1/catalog/entries/${id}`).then((e) => e.name, () => short(id)));
      return entries.get(id);
    },
  };
}

/** Fetch with the officer's token and save the answer as a file (a link cannot carry the token). */
async function saveAuthorised(path, query, name) {
  const qs = new URLSearchParams(Object.entries(query).filter(([, v]) => v !== "" && v != null)).toString();
  const answer = await fetch(path + (qs ? `?${qs}` : ""), { headers: credentials.token ? { authorization: `Bearer ${credentials.token}` } : {} });
  if (!answer.ok) throw new ApiError(answer.status, await answer.json().catch(() => null));
  const url = URL.createObjectURL(await answer.blob());
  const link = h("a", { href: url, download: name, hidden: true });
  document.body.append(link);
  link.click();
  link.remove();
  setTimeout(() => URL.revokeObjectURL(url), 60_000);
}

/** A record's evidence bundle, handed to the Audit page, which verifies it from the chain alone. */
async function handToAudit(id) {
  const bundle = await get(`/v1/usage/${id}`);
  sessionStorage.setItem("audit-document", JSON.stringify(bundle, null, 2));
  location.hash = "#/audit";
}

/** The unit workspace's 使用记录: the uses on either side of the opened key's unit. */
export async function unitUses() {
  const names = await namer();
  const side = select("side", SIDES, "user");
  const outcome = select("outcome", [["", "全部"], ["accepted", "允许"], ["refused", "拒绝"]]);
  const from = h("input", { type: "date", name: "from" });
  const to = h("input", { type: "date", name: "to" });
  const list = h("div", {}, "正在加载……");
  const status = h("p", { className: "status", role: "status", "aria-live": "polite" });
  const query = () => ({
    [side.value === "user" ? "unit_id" : "owner_unit_id"]: session.unit.unit_id,
    outcome: outcome.value, from: from.value, to: to.value,
  });
  const draw = async () => {
    list.replaceChildren("正在加载……");
    try {
      const page = await get("/v1/usage", { ...query(), limit: LIMIT });
      const entryNames = new Map(await Promise.all([...new Set(page.items.map((r) => r.entry_id))].map(async (id) => [id, await names.entry(id)])));
      list.replaceChildren(
        h("p", { className: "muted", "data-uses": String(page.total) }, `共 ${page.total} 条${page.has_more ? `，显示最近 ${LIMIT} 条；全部记录请导出 CSV` : ""}。`),
        page.items.length
          ? table(
              [
                ["序号", (r) => String(r.id)],
                ["使用时间", (r) => when(r.used_at)],
                ["使用单位", (r) => names.unit(r.unit_id)],
                ["目录条目", (r) => `${entryNames.get(r.entry_id)} 第 ${r.version} 版`],
                ["数据项", (r) => r.items.join("、")],
                ["应用场景", (r) => r.scenario],
                ["方式", (r) => label(USAGE_METHOD, r.method)],
                ["结果", (r) => (r.outcome === "accepted" ? h("span", { className: "ok" }, "允许") : h("span", { className: "bad" }, `拒绝：${label(USAGE_REASON, r.reason)}`))],
                ["证据", (r) => h("button", {
                  type: "button", className: "secondary", "aria-label": `在链上核验使用记录 ${r.id}`,
                  onclick: () => handToAudit(r.id).catch((error) => status.replaceChildren(h("span", { className: "error" }, `无法取得证据包：${error.message}`))),
                }, "链上核验")],
              ],
              page.items,
            )
          : h("p", {}, "没有符合条件的使用记录。"),
      );
    } catch (error) {
      list.replaceChildren(h("p", { className: "error" }, error.message));
    }
  };
  const form = h(
    "form",
    { className: "filters", "aria-label": "筛选使用记录", onsubmit: (event) => { event.preventDefault(); draw(); } },
    field("范围", side), field("结果", outcome), field("起始日期", from), field("截止日期", to),
    h("div", { className: "field" }, h("button", { type: "submit" }, "查询")),
    h("div", { className: "field" }, h("button", {
      type: "button", className: "secondary",
      onclick: () => saveAuthorised("/v1/usage.csv", query(), "usage.csv").then(
        () => status.replaceChildren("已导出 usage.csv（UTF-8，Excel 可直接打开）"),
        (error) => status.replaceChildren(h("span", { className: "error" }, `导出失败：${error.message}`)),
      ),
    }, "导出 CSV")),
  );
  draw();
  return h("div", {}, form, status, list);
}

/** The regulators' inspection view (Art. 30): for the Office, the Data Center and auditor units. */
export async function inspectionView() {
  const refused = h("p", { className: "muted" }, "使用监督仅对政务办、大数据中心和监督单位的密钥开放。");
  if (!INSPECTORS.includes(session.unit?.kind)) return refused; // the API would answer 403 (api/routers/usage.py)
  let v;
  try {
    v = await get("/v1/usage/inspection");
  } catch (error) {
    if (error.status === 403) return refused;
    throw error;
  }
  const names = await namer();
  const reasons = Object.entries(v.refused_by_reason);
  return h(
    "div",
    { "data-inspection": "" },
    h("p", {}, `按平台时间 ${when(v.now)} 统计。`),
    h("h3", {}, "被拒绝的使用（按原因）"),
    reasons.length
      ? table([["原因", ([r]) => label(USAGE_REASON, r)], ["次数", ([, n]) => String(n)]], reasons)
      : h("p", { className: "ok" }, "没有被拒绝的使用。"),
    v.latest_refused.length
      ? table(
          [
            ["序号", (r) => String(r.id)],
            ["时间", (r) => when(r.used_at)],
            ["使用单位", (r) => names.unit(r.unit_id)],
            ["应用场景", (r) => r.scenario],
            ["原因", (r) => label(USAGE_REASON, r.reason)],
          ],
          v.latest_refused,
          "最近被拒绝的使用",
        )
      : null,
    h("h3", {}, "暂停或终止后仍被调用的授权"),
    v.on_suspended_or_terminated.length
      ? table(
          [
            ["授权", (g) => h("span", { className: "hash", title: g.grant_id }, short(g.grant_id))],
            ["状态", (g) => label(USAGE_REASON, g.reason)],
            ["调用次数", (g) => String(g.uses)],
            ["最近一次", (g) => when(g.last_at)],
          ],
          v.on_suspended_or_terminated,
        )
      : h("p", { className: "ok" }, "无。"),
    h("h3", {}, "近 30 天使用远超申报频率的授权"),
    v.above_frequency.length
      ? table(
          [
            ["授权", (g) => h("span", { className: "hash", title: g.grant_id }, short(g.grant_id))],
            ["使用单位", (g) => names.unit(g.unit_id)],
            ["申报频率", (g) => label(FREQUENCY_OF_USE, g.frequency)],
            ["近 30 天次数", (g) => String(g.uses_30_days)],
            ["按申报约", (g) => String(g.expected_30_days)],
          ],
          v.above_frequency,
        )
      : h("p", { className: "ok" }, "无。"),
    h("h3", {}, "30 天内将闲置的授权（第二十六条）"),
    v.idle_soon.length
      ? table(
          [
            ["授权", (g) => h("span", { className: "hash", title: g.grant_id }, short(g.grant_id))],
            ["使用单位", (g) => names.unit(g.unit_id)],
            ["最近使用", (g) => when(g.last_used_at)],
            ["闲置起算", (g) => (g.idle ? h("span", { className: "bad" }, `已闲置（${when(g.idle_from)}）`) : when(g.idle_from))],
          ],
          v.idle_soon,
        )
      : h("p", { className: "ok" }, "无。"),
  );
}
