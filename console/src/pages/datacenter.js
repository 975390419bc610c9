// 大数据中心: the review queue (Art. 13: one working day), oldest due first, each version approved
// or returned with its reason, signed in the browser by a Data Center officer.
import { h, field, render, select, table, when, statusBox } from "../lib/dom.js";
import { get } from "../lib/api.js";
import { keyPanel } from "../lib/keypanel.js";
import { catalogAction, redrawSoon, session } from "../lib/officer.js";
import { answerObjection, registerScenario, reviewConformity, suspendGrant } from "../lib/sharing.js";
import { workingDaysText } from "../lib/workdays.js";
import { REPORTED_TO, SHARING, dutyRule, label } from "../lib/labels.js";
import { reportMeasure } from "../lib/measures.js";
import { idleGrants, withdrawCell } from "./idle-desk.js";
import { fusionDesk } from "./plan-desk.js";
import { evaluationDesk } from "./evaluation-desk.js";
import { qualityDesk } from "./update-desk.js";
import { plansToAgree } from "./adjustment-desk.js";
import { refusalDesk } from "./refusal-desk.js";
import { exportDesk } from "./export-desk.js";

const RETURN_REASONS = [["1", "要素不完整"], ["2", "不符合编制规范"], ["3", "重复编目"], ["9", "其他"]];



// The units that read every unit's records (api/auth/access.py `oversees_all`).
const OVERSEERS = ["data_center", "office", "auditor"];

export function dataCenterPage(main) {
  const body = h("div", {});
  const overdue = h("div", {}, "正在加载……");
  const collecting = h("div", {}, "正在加载……");
  const scenarios = h("div", {}, "正在加载……");
  const grantsBox = h("div", {}, "正在加载……");
  const conformity = h("div", {}, "正在加载……");
  const idle = h("div", {}, "正在加载……");
  const fusion = h("div", {}, "正在加载……");
  const evaluations = h("div", {}, "正在加载……");
  const quality = h("div", {}, "正在加载……");
  const adjustments = h("div", {}, "正在加载……");
  const refusals = h("div", {}, "正在加载……");
  const exportsBox = h("div", {}, "正在加载……");
  // Every unit's duties and grants are read by an overseer's officer (api/auth/access.py).
  const overseen = () => {
    const note = !session.key
      ? "打开大数据中心的密钥后显示。"
      : !OVERSEERS.includes(session.unit.kind)
        ? `当前密钥属于${session.unit.name}：各单位的职责与授权只由大数据中心、政务办和监督单位查看。`
        : null;
    if (note) {
      for (const box of [overdue, grantsBox, conformity, idle, fusion, evaluations, quality, adjustments, refusals]) box.replaceChildren(h("p", { className: "muted" }, note));
      return;
    }
    drawOverdue(overdue);
    const drawGrants = () => fillWith(grantsBox, () => grantsOverview(drawGrants));
    drawGrants();
    const drawConformity = () => fillWith(conformity, () => conformityQueue(() => { drawConformity(); drawGrants(); }));
    drawConformity();
    const drawIdle = () => fillWith(idle, () => idleGrants(() => { drawIdle(); drawGrants(); }));
    drawIdle();
    const drawFusion = () => fillWith(fusion, () => fusionDesk(drawFusion));
    drawFusion();
    const drawEvaluations = () => fillWith(evaluations, () => evaluationDesk(drawEvaluations));
    drawEvaluations();
    const drawQuality = () => fillWith(quality, () => qualityDesk(drawQuality));
    drawQuality();
    const drawRefusals = () => fillWith(refusals, () => refusalDesk(drawRefusals));
    drawRefusals();
    if (session.unit.kind === "data_center") {
      const drawAdjustments = () => fillWith(adjustments, () => plansToAgree(drawAdjustments));
      drawAdjustments();
    } else adjustments.replaceChildren(h("p", { className: "muted" }, "调整方案由大数据中心同意。"));
  };
  const drawScenarios = () => fillWith(scenarios, () => scenarioRegister(drawScenarios));
  // The exports recorded are public (the city checks its files against them); the Data Center makes the next.
  const drawExports = () => fillWith(exportsBox, () => exportDesk(drawExports));
  const refresh = () => {
    drawQueue(body);
    overseen();
    drawScenarios();
    drawExports();
  };
  render(
    main,
    h("h1", {}, "大数据中心"),
    keyPanel(refresh),
    h("h2", {}, "目录审核队列（一个工作日内）"),
    body,
    h("h2", {}, "在用条目变更的调整方案（第十四条）"),
    adjustments,
    h("h2", {}, "各单位逾期职责"),
    overdue,
    h("h2", {}, "数据归集（第十五条）"),
    collecting,
    h("h2", {}, "数据质量：更新、对账与异议（第十六条）"),
    quality,
    h("h2", {}, "拒绝归集（第十一条）"),
    refusals,
    h("h2", {}, "补充目录导出（第十二条）"),
    exportsBox,
    h("h2", {}, "应用场景登记（第十九条）"),
    scenarios,
    h("h2", {}, "按场景申请的符合性确认（第十九条，一个工作日）"),
    conformity,
    h("h2", {}, "融合治理方案与融合供给（第二十二条）"),
    fusion,
    h("h2", {}, "闲置授权（第二十六条）"),
    idle,
    h("h2", {}, "共享授权：暂停与异议（第二十六条）"),
    grantsBox,
    h("h2", {}, "质量、成效与安全评价（第三十一条）"),
    evaluations,
  );
  refresh();
  drawCollection(collecting);
}

function fillWith(box, make) {
  make().then((nodes) => box.replaceChildren(...[nodes].flat()), (error) => box.replaceChildren(h("p", { className: "error" }, error.message)));
}

/** Approved entries whose data is not yet collected to the platform, each with its due time. */
async function drawCollection(box) {
  try {
    const active = (await get("/v1/catalog/entries", { status: "active", limit: 100 })).items.filter((e) => !e.collected_at);
    if (!active.length) return box.replaceChildren(h("p", { className: "ok" }, "已生效条目的数据均已归集。"));
    box.replaceChildren(
      table(
        [
          ["名称", (e) => h("a", { href: `#/catalog/${e.entry_id}` }, e.name)],
          ["归集期限", (e) => when(e.collection_due_at)],
          ["记录", (e) => collectCell(e, () => drawCollection(box))],
        ],
        active.sort((a, b) => a.collection_due_at - b.collection_due_at),
      ),
    );
  } catch (error) {
    box.replaceChildren(h("p", { className: "error" }, error.message));
  }
}

function collectCell(entry, done) {
  const status = statusBox();
  const text = h("input", { type: "text", name: "description", value: "已归集至区大数据资源分平台" });
  return h(
    "div",
    {},
    field(`归集说明（${entry.name}）`, text),
    h("button", {
      type: "button",
      onclick: async () => {
        if (!session.key) return status.replaceChildren(h("span", { className: "error" }, "请先打开大数据中心的密钥"));
        try {
          const { status: s } = await catalogAction({
            kind: "record_collection", entryId: entry.entry_id, document: { schema: "putuo.catalog-collection/1", description: text.value.trim() },
            path: `/v1/catalog/entries/${entry.entry_id}/collection`, onStatus: (t) => status.replaceChildren(t),
          });
          status.replaceChildren(h("span", { className: "ok", "data-collected": s.tx_hash }, "已上链确认"));
          setTimeout(done, 1000);
        } catch (error) {
          status.replaceChildren(h("span", { className: "error" }, `未能记录：${error.message}`));
        }
      },
    }, "签名并记录归集"),
    status,
  );
}

const CLASSES = { 1: "第十九条第（一）项", 2: "第十九条第（二）项", 3: "第十九条第（三）项" };

async function scenarioRegister(redraw) {
  const page = await get("/v1/scenarios", { limit: 100 });
  const form = session.unit?.kind === "data_center" ? [h("h3", {}, "登记应用场景"), await scenarioForm(redraw)] : [];
  if (!page.items.length) return [h("p", {}, "尚未登记应用场景。"), ...form];
  return [table(
    [
      ["场景", (s) => `${s.name}（${s.code}）`],
      ["类别", (s) => CLASSES[s.scenario_class] ?? s.scenario_class],
      ["授权单位", (s) => (s.units.length ? `${s.units.length} 个` : "不限")],
      ["授权条目", (s) => (s.entries.length ? `${s.entries.length} 个` : "不限")],
      ["状态", (s) => h("span", { "data-scenario": s.code }, s.withdrawn_at ? `已撤销 ${when(s.withdrawn_at)}` : s.approved ? `已批准 ${when(s.approved_at)}` : "待批准")],
      ...(session.unit?.kind === "data_center" ? [["撤销（第十九条）", (s) => (s.approved && !s.withdrawn_at ? withdrawCell(s, redraw) : "—")]] : []),
    ],
    page.items,
  ), ...form];
}

/** The Data Center's registration of a scenario for the scenario route, with its basis and its
 *  evaluation (Art. 19 (1)–(3): putuo.scenario-evaluation/1), signed in the browser. A key-work
 *  scenario (2) names the key work, the units and the entries it is for. */
async function scenarioForm(redraw) {
  const [units, entries] = await Promise.all([get("/v1/units"), get("/v1/catalog/entries", { status: "active", limit: 100 })]);
  const text = (name, attrs = {}) => h("input", { type: "text", name, ...attrs });
  const c = {
    code: text("scenario_code", { placeholder: "如 PT-SC-2026-007" }),
    name: text("name"),
    klass: select("class", Object.entries(CLASSES), "1"),
    basis: h("textarea", { name: "basis", rows: 2, placeholder: "如：一网通办事项编码、标准化场景清单编号或跨部门系统登记号" }),
    keyWork: h("textarea", { name: "key_work", rows: 2 }),
    units: h("select", { name: "units", multiple: true, size: 4 }, units.filter((u) => u.kind === "ordinary").map((u) => h("option", { value: u.unit_id }, u.name))),
    entries: h("select", { name: "entries", multiple: true, size: 4 }, entries.items.map((e) => h("option", { value: e.entry_id }, `${e.name}（${e.code}）`))),
    plan: h("textarea", { name: "plan", rows: 2, placeholder: "共享方式、数据范围与安全措施" }),
    conclusion: h("textarea", { name: "conclusion", rows: 2 }),
  };
  const status = statusBox();
  const chosen = (sel) => [...sel.selectedOptions].map((o) => o.value);
  const missing = () => {
    const needed = [[c.code, "场景编码"], [c.name, "场景名称"], [c.basis, "登记依据"], [c.plan, "实施方案"], [c.conclusion, "评估结论"]];
    if (c.klass.value === "2") needed.push([c.keyWork, "重点工作"]);
    const empty = needed.filter(([el]) => !el.value.trim()).map(([, name]) => name);
    if (c.klass.value === "2" && !chosen(c.units).length) empty.push("授权单位（至少选一个）");
    if (c.klass.value === "2" && !chosen(c.entries).length) empty.push("授权目录条目（至少选一个）");
    return empty;
  };
  const submit = async (event) => {
    event.preventDefault();
    const empty = missing();
    if (empty.length) return status.replaceChildren(h("span", { className: "error" }, `请填写：${empty.join("、")}`));
    const klass = Number(c.klass.value);
    const evaluation = {
      schema: "putuo.scenario-evaluation/1",
      scenario_code: c.code.value.trim(), name: c.name.value.trim(), class: klass, basis: c.basis.value.trim(),
      ...(klass === 2 ? { key_work: c.keyWork.value.trim(), units: chosen(c.units), entries: chosen(c.entries) } : {}),
      plan: c.plan.value.trim(), conclusion: c.conclusion.value.trim(),
    };
    try {
      const { status: s } = await registerScenario(evaluation, (t) => status.replaceChildren(t));
      status.replaceChildren(h("span", { className: "ok", "data-scenario-registered": s.tx_hash }, `已登记 ${evaluation.scenario_code}，已上链确认`));
      redrawSoon(redraw);
    } catch (error) {
      status.replaceChildren(h("span", { className: "error" }, `未能登记：${error.message}`));
    }
  };
  return h("form", { onsubmit: submit },
    h("div", { className: "filters" },
      field("场景编码", c.code), field("场景名称", c.name, { wide: true }), field("类别", c.klass),
      field("登记依据", c.basis, { wide: true }), field("重点工作（第（二）项必填）", c.keyWork, { wide: true }),
      field("授权单位（第（二）项必选，按住 Ctrl 多选）", c.units, { wide: true }),
      field("授权目录条目（第（二）项必选）", c.entries, { wide: true }),
      field("实施方案", c.plan, { wide: true }), field("评估结论", c.conclusion, { wide: true })),
    h("p", {}, h("button", { type: "submit" }, "签名并登记场景")),
    status);
}

const GRANT_STATUS = { active: "有效", suspended: "已暂停", terminated: "已终止" };

/** Scenario-route applications awaiting the Data Center's confirmation (Art. 19), oldest due first. */
async function conformityQueue(redraw) {
  const duties = await get("/v1/duties", { rule: "art19_confirm", limit: 100 });
  const open = duties.items.filter((d) => d.state === "due" || d.state === "overdue");
  if (!open.length) return h("p", { className: "ok" }, "没有待确认的按场景申请。");
  const [units, demands] = await Promise.all([get("/v1/units"), Promise.all(open.map((d) => get(`/v1/demands/${d.subject_id}`)))]);
  const names = Object.fromEntries(units.map((u) => [u.unit_id, u.name]));
  const left = new Map(await Promise.all(open.map(async (d) => [d.subject_id, await workingDaysText(d.due_at, duties.now)])));
  const due = Object.fromEntries(open.map((d) => [d.subject_id, d]));
  return table(
    [
      ["需求", (d) => h("span", { className: "hash", title: d.demand_id }, d.demand_id.slice(0, 12) + "…")],
      ["申请单位", (d) => names[d.unit_id] ?? d.unit_id],
      ["申请编号", (d) => d.document?.application_no ?? "—"],
      ["应用场景", (d) => `${d.scenario_code}（第十九条第（${["一", "二", "三", "四"][d.scenario_class - 1] ?? d.scenario_class}）项）`],
      ["期限", (d) => h("span", { className: due[d.demand_id].state === "overdue" ? "bad" : "" }, when(due[d.demand_id].due_at), left.get(d.demand_id) ? `（${left.get(d.demand_id)}）` : "")],
      ["确认", (d) => (session.unit?.kind === "data_center" ? conformityAnswer(d, redraw) : "—")],
    ],
    demands,
  );
}

function conformityAnswer(d, redraw) {
  const reason = h("input", { type: "text", name: "reason" });
  const status = statusBox();
  const id = d.demand_id.slice(0, 12);
  const send = (confirm) => async () => {
    if (!confirm && !reason.value.trim()) return status.replaceChildren(h("span", { className: "error" }, "退回理由：请填写"));
    try {
      const { status: s } = await reviewConformity(d.demand_id, confirm, reason.value.trim(), (t) => status.replaceChildren(t));
      status.replaceChildren(h("span", { className: "ok", "data-conformity": s.tx_hash }, "已上链确认"));
      redrawSoon(redraw);
    } catch (error) {
      status.replaceChildren(h("span", { className: "error" }, `未能办理：${error.message}`));
    }
  };
  return h(
    "div",
    {},
    h("button", { type: "button", "aria-label": `确认符合 ${id}`, onclick: send(true) }, "确认符合并授权"),
    h("details", {}, h("summary", {}, "退回（须说明理由）"),
      field(`退回理由（${id}）`, reason),
      h("button", { type: "button", className: "secondary", "aria-label": `退回申请 ${id}`, onclick: send(false) }, "签名并退回")),
    status,
  );
}

/** The Data Center's answer to an objection (Art. 26), with its reason, signed in the browser. */
function objectionAnswer(g, redraw) {
  const reason = h("input", { type: "text", name: "reason" });
  const status = statusBox();
  const answer = (uphold) => async () => {
    if (!reason.value.trim()) return status.replaceChildren(h("span", { className: "error" }, "答复理由：请填写"));
    try {
      const { status: s } = await answerObjection(g.grant_id, uphold, reason.value.trim(), (t) => status.replaceChildren(t));
      status.replaceChildren(h("span", { className: "ok", "data-objection-answered": s.tx_hash }, "已上链确认"));
      redrawSoon(redraw);
    } catch (error) {
      status.replaceChildren(h("span", { className: "error" }, `未能办理：${error.message}`));
    }
  };
  const id = g.grant_id.slice(0, 12);
  return h(
    "div",
    {},
    field(`答复理由（${id}）`, reason),
    h("button", { type: "button", "aria-label": `异议成立，恢复授权 ${id}`, onclick: answer(true) }, "异议成立：恢复授权"),
    " ",
    h("button", { type: "button", className: "secondary", "aria-label": `驳回异议 ${id}`, onclick: answer(false) }, "驳回异议"),
    status,
  );
}

// Art. 31: reported to the Office and at least one regulator (sharing/document.py ReportedTo).
const REGULATORS = ["cyberspace", "public_security", "state_security"];

/** The Data Center's suspension of a grant at once for a security risk (Art. 31), reported to
 *  the Office and the regulators chosen, signed in the browser. */
const regulatorBoxes = () => REGULATORS.map((r) => h("input", { type: "checkbox", name: "reported_to", value: r, checked: r === "cyberspace" }));
const recipients = (boxes) => h("fieldset", {}, h("legend", {}, "报送区府办及："),
  ...REGULATORS.map((r, i) => h("label", {}, boxes[i], ` ${label(REPORTED_TO, r)}`)));

function suspensionCell(g, redraw) {
  const id = g.grant_id.slice(0, 12);
  const risk = h("input", { type: "text", name: "risk" });
  const boxes = regulatorBoxes();
  const status = statusBox();
  const send = async () => {
    if (!risk.value.trim()) return status.replaceChildren(h("span", { className: "error" }, "安全风险：请写明发现的风险"));
    const to = boxes.filter((b) => b.checked).map((b) => b.value);
    if (!to.length) return status.replaceChildren(h("span", { className: "error" }, "报送对象：除区府办外，至少选一个监管部门"));
    try {
      const { status: s } = await suspendGrant(g.grant_id, risk.value.trim(), ["district_office", ...to], (t) => status.replaceChildren(t));
      status.replaceChildren(h("span", { className: "ok", "data-suspended": s.tx_hash }, "已暂停，已上链确认"));
      redrawSoon(redraw);
    } catch (error) {
      status.replaceChildren(h("span", { className: "error" }, `未能暂停：${error.message}`));
    }
  };
  return h("details", {}, h("summary", {}, "发现安全风险：立即暂停"),
    field(`安全风险（${id}）`, risk),
    recipients(boxes),
    h("button", { type: "button", className: "secondary", "aria-label": `签名并暂停授权 ${id}`, onclick: send }, "签名并暂停"),
    status);
}

/** The Data Center's report (报送) of a suspension or termination for a security risk to the
 *  Office and the regulators (Art. 31), signed in the browser; then who acknowledged it. */
function reportCell(g, reports, names, redraw) {
  const mine = reports.filter((r) => r.grant_id === g.grant_id);
  if (mine.length) {
    return h("ul", { className: "plain" }, mine.map((r) => h("li", { "data-measure-report": r.report_id },
      `已报送（${r.measure === "suspension" ? "暂停" : "终止"}）；`,
      r.acknowledgements.length ? `已签收：${r.acknowledgements.map((a) => names[a.unit_id] ?? a.unit_id).join("、")}` : h("span", { className: "warn" }, "尚无单位签收"))));
  }
  const measure = g.status === "suspended" && g.suspension === "security" ? "suspension" : g.status === "terminated" && g.termination === "data_center" ? "termination" : null;
  if (!measure || session.unit?.kind !== "data_center") return "—";
  const id = g.grant_id.slice(0, 12);
  const summary = h("input", { type: "text", name: "summary" });
  const boxes = regulatorBoxes();
  const status = statusBox();
  const send = async () => {
    if (!summary.value.trim()) return status.replaceChildren(h("span", { className: "error" }, "报送内容：请写明风险与已采取的措施"));
    const to = boxes.filter((b) => b.checked).map((b) => b.value);
    if (!to.length) return status.replaceChildren(h("span", { className: "error" }, "报送对象：除区府办外，至少选一个监管部门"));
    try {
      const { status: s } = await reportMeasure(g.grant_id, { measure, reportedTo: ["district_office", ...to], summary: summary.value.trim() }, (t) => status.replaceChildren(t));
      status.replaceChildren(h("span", { className: "ok", "data-reported": s.tx_hash }, "已报送，已上链确认"));
      redrawSoon(redraw);
    } catch (error) {
      status.replaceChildren(h("span", { className: "error" }, `未能报送：${error.message}`));
    }
  };
  return h("div", {}, h("p", { className: "warn" }, "尚未报送"), field(`报送内容（${id}）`, summary), recipients(boxes),
    h("button", { type: "button", "aria-label": `签名并报送 ${id}`, onclick: send }, "签名并报送"), status);
}

/** Every unit's grants, the suspended ones and those with an objection to answer first. */
async function grantsOverview(redraw) {
  const [units, reports] = await Promise.all([get("/v1/units"), get("/v1/supervision/measure-reports")]);
  const pages = await Promise.all(units.map((u) => get(`/v1/units/${u.unit_id}/grants`, { limit: 100 })));
  const names = Object.fromEntries(units.map((u) => [u.unit_id, u.name]));
  const grants = pages.flatMap((p) => p.items);
  if (!grants.length) return h("p", {}, "尚无共享授权。");
  const weight = (g) => (g.objection_pending ? 0 : g.status === "suspended" ? 1 : 2);
  return table(
    [
      ["授权", (g) => h("span", { className: "hash", title: g.grant_id }, g.grant_id.slice(0, 12) + "…")],
      ["需求单位", (g) => names[g.unit_id] ?? g.unit_id],
      ["应用场景", (g) => g.scenario_code],
      ["状态", (g) => GRANT_STATUS[g.status] ?? g.status],
      ["异议", (g) => (g.objection_pending ? h("span", { className: "warn" }, `待答复，期限 ${when(g.objection_answer_due_at)}`) : "—")],
      ["答复", (g) => (g.objection_pending && session.unit?.kind === "data_center" ? objectionAnswer(g, redraw) : "—")],
      ["安全措施（第三十一条）", (g) => (g.status === "active" && session.unit?.kind === "data_center" ? suspensionCell(g, redraw) : "—")],
      ["报送（第三十一条）", (g) => reportCell(g, reports, names, redraw)],
    ],
    grants.sort((a, b) => weight(a) - weight(b)),
  );
}

async function drawOverdue(box) {
  try {
    const [page, units] = await Promise.all([get("/v1/duties", { state: "overdue", limit: 100 }), get("/v1/units")]);
    const names = Object.fromEntries(units.map((u) => [u.unit_id, u.name]));
    box.replaceChildren(
      page.items.length
        ? table(
            [
              ["应办单位", (d) => (d.owed_by === "data_center" ? "大数据中心" : names[d.owed_by] ?? d.owed_by)],
              ["职责", (d) => dutyRule(d.rule)],
              ["对象", (d) => h("span", { className: "hash", title: d.subject_id }, d.subject_id.slice(0, 12) + "…")],
              ["期限", (d) => h("span", { className: "bad" }, when(d.due_at))],
            ],
            page.items,
            `按链上时间 ${when(page.now)} 评判，共 ${page.total ?? page.items.length} 项`,
          )
        : h("p", { className: "ok" }, "没有逾期职责。"),
    );
  } catch (error) {
    box.replaceChildren(h("p", { className: "error" }, error.message));
  }
}

async function drawQueue(body) {
  body.replaceChildren("正在加载……");
  let entries;
  try {
    entries = (await get("/v1/catalog/entries", { status: "under_review", limit: 100 })).items;
    const changes = (await get("/v1/catalog/entries", { status: "change_pending", limit: 100 })).items;
    entries = [...entries, ...changes];
    // What the Data Center looks at (Art. 13): the pending version's due time and possible duplicates.
    const data = await Promise.all(entries.map((e) => get(`/v1/catalog/entries/${e.entry_id}/review-data`)));
    entries.forEach((e, i) => Object.assign(e, { due_at: data[i].pending_version?.due_at ?? 0, duplicates: data[i].duplicates }));
    entries.sort((a, b) => a.due_at - b.due_at);
  } catch (error) {
    body.replaceChildren(h("p", { className: "error" }, error.message));
    return;
  }
  if (!entries.length) {
    body.replaceChildren(h("p", {}, "队列为空：没有待审核的目录版本。"));
    return;
  }
  const now = Date.now() / 1000;
  body.replaceChildren(
    table(
      [
        ["名称", (e) => h("a", { href: `#/catalog/${e.entry_id}` }, e.name)],
        ["版本", (e) => `第 ${e.pending_version} 版`],
        ["共享属性", (e) => label(SHARING, e.sharing)],
        ["可能重复", (e) => (e.duplicates.length ? h("ul", {}, e.duplicates.map((d) => h("li", {}, h("a", { href: `#/catalog/${d.entry_id}` }, `${d.name}（${d.code}）`)))) : "—")],
        ["审核期限", (e) => h("span", { className: e.due_at && e.due_at < now ? "bad" : "" }, when(e.due_at))],
        ["审核", (e) => reviewCell(e, () => drawQueue(body))],
      ],
      entries,
    ),
  );
}

function reviewCell(entry, done) {
  const status = statusBox();
  const reason = select("reason_code", RETURN_REASONS, "1");
  const text = h("input", { type: "text", name: "reason" });
  const review = async (document) => {
    if (!session.key) return status.replaceChildren(h("span", { className: "error" }, "请先打开大数据中心的密钥"));
    try {
      const { status: s } = await catalogAction({
        kind: "review", entryId: entry.entry_id, version: entry.pending_version, document,
        path: `/v1/catalog/entries/${entry.entry_id}/versions/${entry.pending_version}/review`,
        onStatus: (t) => status.replaceChildren(t),
      });
      status.replaceChildren(h("span", { className: "ok", "data-reviewed": s.tx_hash }, `已上链确认：交易 ${s.tx_hash}`));
      setTimeout(done, 1500);
    } catch (error) {
      status.replaceChildren(h("span", { className: "error" }, `未能审核：${error.message}`));
    }
  };
  return h(
    "div",
    {},
    h("button", { type: "button", "aria-label": `通过 ${entry.name}`, onclick: () => review({ schema: "putuo.catalog-review/1", decision: "approve" }) }, "通过"),
    h("details", {}, h("summary", {}, "退回"),
      field("退回原因", reason), field("退回说明", text),
      h("button", { type: "button", className: "secondary", onclick: () => review({ schema: "putuo.catalog-review/1", decision: "return", reason_code: Number(reason.value), reason: text.value.trim() }) }, "签名并退回")),
    status,
  );
}
