// 政务办 (the Office): the register of units and officer keys, the working-day calendar years
// published on-chain with their warnings, and the Art. 32 evaluation with its chart and the
// units ranked last. Registering, revoking and rotating officer keys are the Office account's
// transactions: signed here once its keystore is opened (lib/office-account.js), as
// `ledger units add-officer / revoke` sends them.
import { h, field, render, select, table, when, statusBox } from "../lib/dom.js";
import { get } from "../lib/api.js";
import { barChart } from "../lib/chart.js";
import { readHeader } from "../lib/keystore.js";
import { session } from "../lib/officer.js";
import { SEVERITY, label } from "../lib/labels.js";
import { publications } from "./supervision-desk.js";
import { publishDesk } from "./publish-desk.js";
import { casesDesk } from "./cases-desk.js";
import { responsibilityReviews } from "./responsibilities-desk.js";
import { designationDesk } from "./designation-desk.js";
import { refusalDesk } from "./refusal-desk.js";
import { settingsDesk } from "./settings-desk.js";
import { closeOfficeAccount, office, openOfficeAccount, registerOfficer, revokeKey, rotateKey } from "../lib/office-account.js";

const KIND = { office: "政务办", data_center: "大数据中心", ordinary: "业务单位", auditor: "监督单位" };

export async function officePage(main) {
  const units = h("div", {}, "正在加载……");
  const calendar = h("div", {}, "正在加载……");
  const evaluation = h("div", {}, "正在加载……");
  const published = h("div", {}, "正在加载……");
  const cases = h("div", {}, "正在加载……");
  const reviews = h("div", {}, "正在加载……");
  const designations = h("div", {}, "正在加载……");
  const refusals = h("div", {}, "正在加载……");
  const settings = h("div", {}, "正在加载……");
  render(
    main,
    h("h1", {}, "政务办"),
    h("h2", {}, "单位与密钥"), units,
    h("h2", {}, "工作日历（链上公布）"), calendar,
    h("h2", {}, "考核评价（第三十二条）"), evaluation,
    h("h2", {}, "考核结果与通报（链上公布）"), published,
    h("h2", {}, "争议协调与上报市级（第二十三、二十四条）"), cases,
    h("h2", {}, "职责清单审核（第十一条）"), reviews,
    h("h2", {}, "指定责任单位（第五条）"), designations,
    h("h2", {}, "拒绝归集与报告（第十一条）"), refusals,
    h("h2", {}, "政务办设置（期限等）"), settings,
  );
  const fill = (box, make) => make().then((nodes) => box.replaceChildren(...[nodes].flat()), (error) => box.replaceChildren(h("p", { className: "error" }, error.message)));
  const drawUnits = () => fill(units, () => unitsAndKeys(drawUnits));
  drawUnits();
  fill(calendar, calendarYears);
  fill(evaluation, evaluationView);
  // An officer of the Office also publishes the results and the notice here, signed with its key.
  const drawPublished = () => fill(published, async () => [
    ...(session.unit?.kind === "office" ? await publishDesk(drawPublished) : []),
    ...[await publications()].flat(),
  ]);
  if (session.key) drawPublished();
  else published.replaceChildren(h("p", { className: "muted" }, "考核结果与通报只向各单位官员公布：请先在", h("a", { href: "#/inspection" }, "使用监督"), "或", h("a", { href: "#/workspace" }, "单位工作台"), "打开本人密钥，再回到本页。"));
  // Every unit's demands are read by the overseers only (api/auth/access.py); the Office acts on them.
  const drawCases = () => fill(cases, () => casesDesk(drawCases));
  if (["office", "data_center", "auditor"].includes(session.unit?.kind)) drawCases();
  else cases.replaceChildren(h("p", { className: "muted" }, "争议与上报由政务办办理：请政务办官员先在“使用监督”打开本人密钥，再回到本页。"));
  // Art. 5, 11: the lists and designations are public; reviewing and designating are the Office's
  // officers' steps, and refusals are read by the overseers only (api/routers/responsibilities.py).
  const drawReviews = () => fill(reviews, () => responsibilityReviews(drawReviews));
  if (session.unit?.kind === "office") drawReviews();
  else reviews.replaceChildren(h("p", { className: "muted" }, "职责清单由政务办审核：请政务办官员先在“使用监督”打开本人密钥，再回到本页。"));
  const drawDesignations = () => fill(designations, () => designationDesk(drawDesignations));
  drawDesignations();
  const drawRefusals = () => fill(refusals, () => refusalDesk(drawRefusals));
  if (["office", "data_center", "auditor"].includes(session.unit?.kind)) drawRefusals();
  else refusals.replaceChildren(h("p", { className: "muted" }, "拒绝归集的记录只由政务办、大数据中心和监督单位查看：请先在“使用监督”打开本人密钥。"));
  // The settings in force are public; an officer of the Office publishes a new value here.
  const drawSettings = () => fill(settings, () => settingsDesk(drawSettings));
  drawSettings();
}

async function unitsAndKeys(redraw) {
  const units = await get("/v1/units");
  const keys = await Promise.all(units.map((u) => get(`/v1/units/${u.unit_id}/keys`)));
  const rows = units.flatMap((u, i) => (keys[i].length ? keys[i].map((k) => ({ u, k })) : [{ u, k: null }]));
  const keyId = (k) => (k.scheme === "sm2" ? k.key_id.toLowerCase() : k.key_id);
  const columns = [
    ["单位", ({ u }) => `${u.name}（${u.code}）`],
    ["类别", ({ u }) => KIND[u.kind] ?? u.kind],
    ["密钥", ({ k }) => (k ? h("span", { className: "hash" }, keyId(k)) : "—")],
    ["算法", ({ k }) => (k ? k.scheme.toUpperCase() : "—")],
    ["登记时间", ({ k }) => (k ? when(k.registered_at) : "—")],
    ["状态", ({ k }) => (k ? (k.active ? h("span", { className: "ok" }, "有效") : h("span", { className: "bad" }, `已吊销 ${when(k.revoked_at)}`)) : "—")],
  ];
  if (office.address) columns.push(["办理", ({ k }) => (k?.active ? keyActions(keyId(k), redraw) : "—")]);
  return [
    officeAccountPanel(redraw),
    office.address ? registerForm(units, redraw) : null,
    table(columns, rows),
  ];
}

/** The Office account's keystore, opened in the page: it signs the registry's transactions. */
function officeAccountPanel(redraw) {
  if (office.address) {
    return h(
      "div",
      { className: "card" },
      h("p", { "data-office-open": office.address }, `已打开政务办账户 `, h("span", { className: "hash" }, office.address), "（持有政务办角色）"),
      // The last transaction stays shown across the table's redraws (the mirror catching up).
      office.last
        ? h("p", { className: "ok", "data-office-tx": office.last.hash }, `上一笔交易（${OFFICE_STEPS[office.last.method]}）已上链确认：区块 ${office.last.block}，交易 `, h("span", { className: "hash" }, office.last.hash))
        : null,
      h("button", { type: "button", className: "secondary", onclick: () => { closeOfficeAccount(); redraw(); } }, "关闭政务办账户"),
    );
  }
  const file = h("input", { type: "file", name: "office-keystore", accept: ".json,application/json" });
  const password = h("input", { type: "password", name: "office-password", autocomplete: "current-password" });
  const status = h("p", { className: "status", role: "status", "aria-live": "polite" });
  return h(
    "form",
    {
      className: "filters card",
      "aria-label": "政务办账户",
      onsubmit: async (event) => {
        event.preventDefault();
        if (!file.files[0]) return status.replaceChildren(h("span", { className: "error" }, "政务办账户密钥文件：请选择文件"));
        status.replaceChildren("正在解密……");
        try {
          await openOfficeAccount(await file.files[0].text(), password.value);
          redraw();
        } catch (error) {
          status.replaceChildren(h("span", { className: "error" }, `无法打开政务办账户：${error.message}`));
        }
      },
    },
    h("p", { className: "muted wide" }, "登记、吊销、轮换官员密钥是政务办账户在链上的交易：打开其密钥文件后在本页签名发送（只在本浏览器内解密）。"),
    field("政务办账户密钥文件", file),
    field("政务办账户密码", password),
    h("div", { className: "field" }, h("button", { type: "submit" }, "打开政务办账户")),
    status,
  );
}

/** The public keys in officers' keystore files (no password: only the header is read). */
async function publicKeys(ecdsaInput, sm2Input) {
  const read = async (input, scheme, label) => {
    if (!input.files[0]) return null;
    const { doc } = readHeader(await input.files[0].text());
    if (doc.scheme !== scheme) throw new Error(`${label}：这是 ${doc.scheme.toUpperCase()} 密钥`);
    return scheme === "ecdsa" ? doc.key_id : doc.public_key;
  };
  const ecdsa = await read(ecdsaInput, "ecdsa", "ECDSA 密钥文件");
  const sm2 = await read(sm2Input, "sm2", "SM2 密钥文件");
  if (!ecdsa && !sm2) throw new Error("请至少选择一个官员密钥文件（ECDSA 或 SM2）");
  return { ecdsa, sm2 };
}

const OFFICE_STEPS = { registerOfficer: "登记", revokeKey: "吊销", rotateKey: "轮换" };
const done = (receipt) => h("span", { className: "ok" }, `已上链确认：区块 ${receipt.blockNumber}，正在等待平台同步……`);

/** Wait until the mirror shows what the registry now holds, then redraw the table. */
async function mirrored(check, redraw) {
  for (let i = 0; i < 200 && !(await check()); i += 1) await new Promise((r) => setTimeout(r, 100));
  redraw();
}
const keysOf = (unitId) => get(`/v1/units/${unitId}/keys`);
const hasKey = async (unitId, id, active) =>
  (await keysOf(unitId)).some((k) => k.key_id.toLowerCase() === id.toLowerCase() && k.active === active);
const unitOfKey = async (id) => {
  for (const u of await get("/v1/units")) if ((await keysOf(u.unit_id)).some((k) => k.key_id.toLowerCase() === id.toLowerCase())) return u.unit_id;
  return null;
};

function registerForm(units, redraw) {
  const unit = select("unit", units.map((u) => [u.unit_id, `${u.name}（${u.code}）`]));
  const ecdsa = h("input", { type: "file", name: "officer-ecdsa", accept: ".json,application/json" });
  const sm2 = h("input", { type: "file", name: "officer-sm2", accept: ".json,application/json" });
  const status = h("p", { className: "status", role: "status", "aria-live": "polite" });
  return h(
    "form",
    {
      className: "filters card",
      "aria-label": "登记官员密钥",
      onsubmit: async (event) => {
        event.preventDefault();
        try {
          const keys = await publicKeys(ecdsa, sm2);
          status.replaceChildren("正在签名发送……");
          const receipt = await registerOfficer(unit.value, keys.ecdsa, keys.sm2);
          status.replaceChildren(done(receipt));
          const id = keys.ecdsa ?? (await office.registry.sm2KeyId(keys.sm2));
          await mirrored(() => hasKey(unit.value, id, true), redraw);
        } catch (error) {
          status.replaceChildren(h("span", { className: "error" }, `未能登记：${error.message}`));
        }
      },
    },
    h("h3", { className: "wide" }, "登记官员密钥"),
    field("单位", unit),
    field("官员的 ECDSA 密钥文件", ecdsa, { hint: "只读取公钥，不需密码" }),
    field("官员的 SM2 密钥文件", sm2, { hint: "只读取公钥，不需密码" }),
    h("div", { className: "field" }, h("button", { type: "submit" }, "签名并登记")),
    status,
  );
}

function keyActions(id, redraw) {
  const status = statusBox();
  const ecdsa = h("input", { type: "file", name: "new-ecdsa", accept: ".json,application/json" });
  const sm2 = h("input", { type: "file", name: "new-sm2", accept: ".json,application/json" });
  const fail = (what) => (error) => status.replaceChildren(h("span", { className: "error" }, `未能${what}：${error.message}`));
  const revoke = async () => {
    try {
      status.replaceChildren("正在签名发送……");
      const unitId = await unitOfKey(id);
      status.replaceChildren(done(await revokeKey(id)));
      await mirrored(() => hasKey(unitId, id, false), redraw);
    } catch (error) {
      fail("吊销")(error);
    }
  };
  const rotate = async () => {
    try {
      const keys = await publicKeys(ecdsa, sm2);
      status.replaceChildren("正在签名发送……");
      const unitId = await unitOfKey(id);
      status.replaceChildren(done(await rotateKey(id, keys.ecdsa, keys.sm2)));
      await mirrored(() => hasKey(unitId, id, false), redraw);
    } catch (error) {
      fail("轮换")(error);
    }
  };
  const short = id.slice(0, 10);
  return h(
    "details",
    {},
    h("summary", {}, `吊销或轮换 ${short}`),
    h("p", {}, h("button", { type: "button", className: "secondary", "aria-label": `吊销密钥 ${id}`, onclick: revoke }, "吊销")),
    field(`新 ECDSA 密钥文件（${short}）`, ecdsa),
    field(`新 SM2 密钥文件（${short}）`, sm2),
    h("button", { type: "button", "aria-label": `轮换密钥 ${id}`, onclick: rotate }, "签名并轮换"),
    status,
  );
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
  const score = (v) => (v === null || v === undefined ? "—" : String(v));
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
        ["按期更新（第十六条）", (u) => pct(u.update)],
        ["异议处理（第十六条）", (u) => pct(u.objection)],
      ],
      e.units,
    ),
    h("h3", {}, "数据质量、安全与共享成效（第十六、二十九至三十一条）"),
    table(
      [
        ["单位", (u) => u.name],
        ["数据异议 / 确有错误", (u) => `${u.quality.objections} / ${u.quality.corrected}`],
        ["质量评价", (u) => score(u.quality.evaluation)],
        ["安全事件（最高级别）", (u) => (u.security.incidents ? `${u.security.incidents} 起（${label(SEVERITY, u.security.most_severe)}）` : "0")],
        ["未获签收", (u) => h("span", { className: u.security.unacknowledged ? "warn" : "" }, String(u.security.unacknowledged))],
        ["安全评价", (u) => score(u.security.evaluation)],
        ["数据被使用 / 使用他单位数据", (u) => `${u.effectiveness.uses_served} / ${u.effectiveness.uses_made}`],
        ["成效评价", (u) => score(u.effectiveness.evaluation)],
      ],
      e.units,
      "评价为大数据中心按第三十一条所作评价的平均分；“—”为期间内无评价",
    ),
    h("h3", {}, "末位通报"),
    laggards.length
      ? h("p", { className: "warn", "data-laggards": "" }, `得分最低：${laggards.map((u) => `${u.name}（${u.score.toFixed(1)} 分）`).join("、")}。`)
      : h("p", {}, "期间内可评单位不足两个，无末位通报。"),
  ];
}
