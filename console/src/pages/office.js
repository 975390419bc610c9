// 政务办 (the Office): the register of units and officer keys, the working-day calendar years
// published on-chain with their warnings, and the Art. 32 evaluation with its chart and the
// units ranked last. Registering, revoking and rotating keys are the Office account's
// transactions (`ledger units …` on the Office's machine); this page shows their result.
import { h, render, table, when } from "../lib/dom.js";
import { get } from "../lib/api.js";
import { barChart } from "../lib/chart.js";

const KIND = { office: "政务办", data_center: "大数据中心", ordinary: "业务单位", auditor: "监督单位" };

export async function officePage(main) {
  const units = h("div", {}, "正在加载……");
  const calendar = h("div", {}, "正在加载……");
  const evaluation = h("div", {}, "正在加载……");
  render(
    main,
    h("h1", {}, "政务办"),
    h("h2", {}, "单位与密钥"), units,
    h("h2", {}, "工作日历（链上公布）"), calendar,
    h("h2", {}, "考核评价（第三十二条）"), evaluation,
  );
  const fill = (box, make) => make().then((nodes) => box.replaceChildren(...[nodes].flat()), (error) => box.replaceChildren(h("p", { className: "error" }, error.message)));
  fill(units, unitsAndKeys);
  fill(calendar, calendarYears);
  fill(evaluation, evaluationView);
}

async function unitsAndKeys() {
  const units = await get("/v1/units");
  const keys = await Promise.all(units.map((u) => get(`/v1/units/${u.unit_id}/keys`)));
  const rows = units.flatMap((u, i) => (keys[i].length ? keys[i].map((k) => ({ u, k })) : [{ u, k: null }]));
  return [
    table(
      [
        ["单位", ({ u }) => `${u.name}（${u.code}）`],
        ["类别", ({ u }) => KIND[u.kind] ?? u.kind],
        ["密钥", ({ k }) => (k ? h("span", { className: "hash" }, k.scheme === "sm2" ? k.key_id.toLowerCase() : k.key_id) : "—")],
        ["算法", ({ k }) => (k ? k.scheme.toUpperCase() : "—")],
        ["登记时间", ({ k }) => (k ? when(k.registered_at) : "—")],
        ["状态", ({ k }) => (k ? (k.active ? h("span", { className: "ok" }, "有效") : h("span", { className: "bad" }, `已吊销 ${when(k.revoked_at)}`)) : "—")],
      ],
      rows,
    ),
    h("p", { className: "muted" }, "登记、吊销、轮换密钥由政务办账户在链上办理：ledger units add-officer / revoke-key（见 ledger units --help）。"),
  ];
}

async function calendarYears() {
  const health = await get("/healthz");
  const c = health.calendar;
  return [
    h("p", {}, `链上日期 ${c.chain_date}；已公布年份：${c.published.join("、") || "无"}`, c.provisional.length ? `（临时日历：${c.provisional.join("、")}）` : ""),
    c.warnings.length
      ? h("ul", { "data-calendar-warnings": "" }, c.warnings.map((w) => h("li", { className: "warn" }, `${w.year} 年：${w.message}（命令：${w.command}）`)))
      : h("p", { className: "ok" }, "无需提醒：期限所及的年份均已公布。"),
  ];
}

async function evaluationView() {
  const e = await get("/v1/evaluation");
  const ranked = e.units.filter((u) => u.rank !== null);
  const worst = ranked.length ? Math.min(...ranked.map((u) => u.score)) : null;
  const laggards = ranked.length > 1 ? ranked.filter((u) => u.score === worst) : [];
  const pct = (r) => (r.rate === null ? "—" : `${(r.rate * 100).toFixed(0)}%（${r.on_time}/${r.judged}）`);
  return [
    h("p", {}, `评价期间 ${e.from} 至 ${e.to}，按链上时间 ${when(e.now)}（区块 ${e.now_block}）评判。`),
    barChart(e.units.map((u) => ({ label: u.name, value: u.score })), { title: `各单位得分（${e.from} 至 ${e.to}）` }),
    h("p", {}, h("a", { href: `/v1/evaluation.csv` }, "下载 CSV"), "　", h("a", { href: `/v1/evaluation/chart.png` }, "服务器绘制的排名图（PNG）")),
    table(
      [
        ["名次", (u) => u.rank ?? "—"],
        ["单位", (u) => u.name],
        ["得分", (u) => (u.score === null ? "—" : u.score.toFixed(1))],
        ["编目（第十一条）", (u) => pct(u.compile)],
        ["归集（第十五条）", (u) => pct(u.collect)],
        ["审核（第十三、十四条）", (u) => pct(u.review)],
        ["答复申请（第二十条）", (u) => pct(u.item_review)],
      ],
      e.units,
    ),
    h("h3", {}, "末位通报"),
    laggards.length
      ? h("p", { className: "warn", "data-laggards": "" }, `得分最低：${laggards.map((u) => `${u.name}（${u.score.toFixed(1)} 分）`).join("、")}。`)
      : h("p", {}, "期间内可评单位不足两个，无末位通报。"),
  ];
}
