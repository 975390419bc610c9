// 单位工作台 (a unit's officer): my entries and their state; compose a new entry by the Art. 11
// elements, checked against the API's own schema as it is typed, signed here, sent, confirmed.
import { h, field, render, select, table, timeLeft, when, statusBox } from "../lib/dom.js";
import { get } from "../lib/api.js";
import { keyPanel } from "../lib/keypanel.js";
import { catalogAction, entryIdFor, session, validateCatalogDocument } from "../lib/officer.js";
import { applyForm, grants, inbox, myDemands } from "./sharing-desk.js";
import { objections } from "./quality-desk.js";
import { unitUses } from "./usage.js";
import { incidents } from "./incident-desk.js";
import { frequencyCell } from "./update-desk.js";
import { plansToAgree, unitPlans } from "./adjustment-desk.js";
import { deletionCell } from "./deletion-desk.js";
import { unitResponsibilities } from "./responsibilities-desk.js";
import { refusalDesk } from "./refusal-desk.js";
import { workingDaysText } from "../lib/workdays.js";
import { FREQUENCY, OPENING, SHARING, SOURCE_METHOD, STATUS, dutyRule, label, subjectType } from "../lib/labels.js";

const opts = (map) => Object.entries(map).filter(([k]) => k);

export function workspacePage(main) {
  const body = h("div", {});
  const refresh = () => drawWorkspace(body);
  render(main, h("h1", {}, "单位工作台"), keyPanel(refresh), body);
  refresh();
}

async function drawWorkspace(body) {
  if (!session.key) {
    body.replaceChildren(h("p", { className: "muted" }, "打开本人密钥后，显示本单位的目录条目，并可编目、提交。"));
    return;
  }
  const mine = h("div", {}, "正在加载……");
  const asking = h("div", {}, "正在加载……");
  const asked = h("div", {}, "正在加载……");
  const granted = h("div", {}, "正在加载……");
  const owed = h("div", {}, "正在加载……");
  const used = h("div", {}, "正在加载……");
  const applied = h("div", {}, "正在加载……");
  const objected = h("div", {}, "正在加载……");
  const incidentBox = h("div", {}, "正在加载……");
  const plans = h("div", {}, "正在加载……");
  const agree = h("div", {}, "正在加载……");
  const listed = h("div", {}, "正在加载……");
  const refused = h("div", {}, "正在加载……");
  const composer = composeForm();
  body.replaceChildren(
    h("h2", {}, "本单位待办职责与期限"), owed,
    h("h2", {}, `${session.unit.name}的目录条目`), mine,
    h("h2", {}, "在用条目的调整方案（第十四条）"), plans,
    h("h2", {}, "本单位职责清单（第十一条）"), listed,
    h("h2", {}, "编目：新建、变更或重新提交（第十一、十三、十四条）"), composer.form,
    h("h2", {}, "待本单位答复的申请（第二十条）"), asked,
    h("h2", {}, "申请使用他单位数据（第十七、十八条）"), asking,
    h("h2", {}, "本单位的申请"), applied,
    h("h2", {}, "本单位获得的共享授权"), granted,
    h("h2", {}, "待本单位同意的调整方案（第十四条）"), agree,
    h("h2", {}, "对本单位数据的异议（第十六条）"), objected,
    h("h2", {}, "数据使用记录（第三十条）"), used,
    h("h2", {}, "本单位的数据安全事件（第二十九条）"), incidentBox,
    h("h2", {}, "本单位拒绝归集的记录（第十一条）"), refused,
  );
  const fill = (box, make) => make().then((el) => box.replaceChildren(el), (error) => box.replaceChildren(h("p", { className: "error" }, error.message)));
  fill(owed, duties);
  fill(asked, () => inbox(() => drawWorkspace(body)));
  fill(asking, applyForm);
  fill(granted, () => grants(() => drawWorkspace(body)));
  fill(used, unitUses);
  const drawApplied = () => fill(applied, () => myDemands(drawApplied));
  drawApplied();
  fill(objected, () => objections(() => drawWorkspace(body)));
  // A confirmed report or handling redraws only its own section (the others keep what is typed).
  const drawIncidents = () => incidents(drawIncidents).then((nodes) => incidentBox.replaceChildren(...nodes), (error) => incidentBox.replaceChildren(h("p", { className: "error" }, error.message)));
  drawIncidents();
  const drawPlans = () => fill(plans, () => unitPlans(drawPlans));
  drawPlans();
  const drawAgree = () => fill(agree, () => plansToAgree(drawAgree));
  drawAgree();
  // Each desk redraws only its own section after a confirmed step.
  const fillAll = (box, make) => make().then((nodes) => box.replaceChildren(...[nodes].flat()), (error) => box.replaceChildren(h("p", { className: "error" }, error.message)));
  const drawDuties = () => fillAll(listed, () => unitResponsibilities(drawDuties));
  drawDuties();
  if (session.unit.kind === "ordinary") fillAll(refused, () => refusalDesk(() => {}));
  else refused.replaceChildren(h("p", { className: "muted" }, "拒绝归集的记录在大数据中心、政务办的页面办理。"));
  try {
    const [page, schedules] = await Promise.all([
      get("/v1/catalog/entries", { unit_id: session.unit.unit_id, limit: 100 }),
      get("/v1/quality/updates", { unit_id: session.unit.unit_id }),
    ]);
    const declared = Object.fromEntries(schedules.map((s) => [s.entry_id, s]));
    mine.replaceChildren(
      table(
        [
          ["名称", (e) => h("a", { href: `#/catalog/${e.entry_id}` }, e.name)],
          ["编码", (e) => e.code],
          ["状态", (e) => label(STATUS, e.status)],
          ["最新版本", (e) => `第 ${e.latest_version} 版`],
          ["归集期限", (e) => when(e.collection_due_at)],
          ["更新频率（第十六条）", (e) => frequencyCell(e, declared[e.entry_id], () => drawWorkspace(body))],
          ["操作", (e) =>
            e.status === "active"
              ? h("div", {},
                  h("button", { type: "button", className: "secondary", "aria-label": `变更 ${e.name}`, onclick: () => composer.load(e, "request_change") }, "变更"),
                  deletionCell(e, () => drawWorkspace(body)))
              : e.status === "returned"
                ? h("button", { type: "button", className: "secondary", "aria-label": `修改后重新提交 ${e.name}`, onclick: () => composer.load(e, "resubmit") }, "修改后重新提交")
                : "—"],
        ],
        page.items,
      ),
    );
  } catch (error) {
    mine.replaceChildren(h("p", { className: "error" }, error.message));
  }
}

// What each way of composing signs and where it goes (chain.actions.ActionKind; api/routers/catalog.py).
const MODES = {
  submit: { title: "新建目录条目（第十一条）", path: () => "/v1/catalog/entries", body: (id) => ({ entry_id: id }) },
  request_change: { title: "变更已生效的条目（第十四条）", path: (id) => `/v1/catalog/entries/${id}/change-requests`, body: () => ({}) },
  resubmit: { title: "修改退回的条目后重新提交（第十三条）", path: (id) => `/v1/catalog/entries/${id}/resubmissions`, body: () => ({}) },
};

function composeForm() {
  const state = { mode: "submit", entryId: null };
  const legend = h("p", { className: "badge", "data-mode": "submit" }, MODES.submit.title);
  const input = (name, attrs = {}) => h("input", { type: "text", name, ...attrs });
  const c = {
    code: input("code", { placeholder: "如 MZJ-0101" }),
    name: input("name"),
    description: h("textarea", { name: "description", rows: 2 }),
    system: input("source.system"),
    method: select("source.method", opts(SOURCE_METHOD), "generated"),
    frequency: select("update_frequency", opts(FREQUENCY), "monthly"),
    category: input("classification.category"),
    grade: select("classification.grade", ["L1", "L2", "L3", "L4"].map((g) => [g, g]), "L2"),
    sharing: select("sharing.attribute", opts(SHARING), "unconditional"),
    sharingText: input("sharing.text", { placeholder: "有条件共享填条件，不予共享填依据" }),
    opening: select("opening.attribute", opts(OPENING), "not_open"),
    openingText: input("opening.text", { placeholder: "有条件开放填条件，不予开放填依据" }),
    area: input("coverage.area", { value: "普陀区" }),
    period: input("coverage.period"),
    agency: input("managing_agency"),
    items: h("textarea", { name: "data_items", rows: 3, placeholder: "每行一项：名称,类型（string/integer/decimal/date/datetime/boolean/binary）,说明" }),
    basisKind: select("basis_event.kind", [["system_acceptance", "信息系统验收"], ["business_approval", "业务审批"]], "system_acceptance"),
    basisDate: h("input", { type: "date", name: "basis_event.date" }),
  };
  const check = h("p", { className: "status", role: "status", "aria-live": "polite", id: "compose-check" });
  const result = statusBox();
  const document_ = () => {
    const reason = (attr, conditional, text) => (attr === conditional ? { conditions: text } : attr.startsWith("not_") ? { basis: text } : {});
    const items = c.items.value.split("\n").map((l) => l.trim()).filter(Boolean).map((line) => {
      const [name, type, description] = line.split(/[,，]/).map((s) => s.trim());
      return description ? { name, type, description } : { name, type };
    });
    return {
      schema: "putuo.catalog/1",
      code: c.code.value.trim(),
      name: c.name.value.trim(),
      description: c.description.value.trim(),
      source: { system: c.system.value.trim(), method: c.method.value },
      update_frequency: c.frequency.value,
      classification: { category: c.category.value.trim(), grade: c.grade.value },
      sharing: { attribute: c.sharing.value, ...reason(c.sharing.value, "conditional", c.sharingText.value.trim()) },
      opening: { attribute: c.opening.value, ...reason(c.opening.value, "conditional", c.openingText.value.trim()) },
      coverage: { area: c.area.value.trim(), period: c.period.value.trim() },
      managing_agency: c.agency.value.trim(),
      data_items: items,
      basis_event: { kind: c.basisKind.value, date: c.basisDate.value },
    };
  };
  let timer = null;
  let submit;
  const validate = async () => {
    const doc = document_();
    const entryId = state.entryId ?? entryIdFor(session.unit.unit_id, doc.code || "-");
    const error = await validateCatalogDocument(state.mode, entryId, doc);
    check.replaceChildren(error ? h("span", { className: "error", "data-invalid": error.field ?? "" }, `待补正：${error.message}`) : h("span", { className: "ok", "data-valid": "" }, "文档符合目录规范，可签名提交"));
    submit.disabled = Boolean(error);
    return !error;
  };
  const form = h(
    "form",
    {
      "aria-describedby": "compose-check",
      oninput: () => {
        clearTimeout(timer);
        timer = setTimeout(validate, 300);
      },
      onsubmit: async (event) => {
        event.preventDefault();
        if (!(await validate())) return;
        const doc = document_();
        const mode = MODES[state.mode];
        const entryId = state.entryId ?? entryIdFor(session.unit.unit_id, doc.code);
        submit.disabled = true;
        result.replaceChildren("正在签名……");
        try {
          const { status } = await catalogAction({
            kind: state.mode, entryId, document: doc, path: mode.path(entryId), body: mode.body(entryId),
            onStatus: (text) => result.replaceChildren(text),
          });
          const versions = await get(`/v1/catalog/entries/${entryId}/versions`);
          const latest = versions[versions.length - 1];
          const proof = latest.submission;
          result.replaceChildren(
            h("div", { className: "verdict ok", "data-confirmed": entryId, "data-version": latest.version },
              h("p", {}, h("strong", {}, "已上链确认"), `：${doc.name}（第 ${latest.version} 版），待大数据中心审核，审核期限 ${when(latest.due_at)}。`),
              h("p", {}, "交易 ", h("span", { className: "hash", "data-tx": status.tx_hash }, status.tx_hash), `，区块 ${proof.block_number}，签名者 `, h("span", { className: "hash" }, status.signer)),
              h("p", {}, h("a", { href: `#/catalog/${entryId}` }, "查看条目"))),
          );
        } catch (error) {
          result.replaceChildren(h("p", { className: "error" }, `未能提交：${error.message}`));
        } finally {
          submit.disabled = false;
        }
      },
    },
    legend,
    h("div", { className: "filters" },
      field("目录编码", c.code), field("数据资源名称", c.name, { wide: true }), field("摘要", c.description, { wide: true }),
      field("来源系统", c.system, { wide: true }), field("产生方式", c.method), field("更新频率", c.frequency),
      field("分类", c.category), field("分级", c.grade), field("共享属性", c.sharing), field("共享条件或依据", c.sharingText, { wide: true }),
      field("开放属性", c.opening), field("开放条件或依据", c.openingText, { wide: true }), field("覆盖区域", c.area), field("覆盖时段", c.period),
      field("管理科室", c.agency), field("数据项", c.items, { wide: true }), field("依据事件", c.basisKind), field("依据事件日期", c.basisDate)),
    check,
    h("p", {}, (submit = h("button", { type: "submit" }, "签名并提交"))),
    result,
  );
  const load = async (summary, mode) => {
    // Start from the entry's current document: the officer edits what changes.
    const entry = await get(`/v1/catalog/entries/${summary.entry_id}`);
    const d = entry.document;
    Object.assign(state, { mode, entryId: entry.entry_id });
    legend.textContent = `${MODES[mode].title}：${entry.name}`;
    legend.dataset.mode = mode;
    const set = (control, value) => (control.value = value ?? "");
    set(c.code, d.code); set(c.name, d.name); set(c.description, d.description);
    set(c.system, d.source?.system); set(c.method, d.source?.method); set(c.frequency, d.update_frequency);
    set(c.category, d.classification?.category); set(c.grade, d.classification?.grade);
    set(c.sharing, d.sharing?.attribute); set(c.sharingText, d.sharing?.conditions ?? d.sharing?.basis);
    set(c.opening, d.opening?.attribute); set(c.openingText, d.opening?.conditions ?? d.opening?.basis);
    set(c.area, d.coverage?.area); set(c.period, d.coverage?.period); set(c.agency, d.managing_agency);
    set(c.items, (d.data_items ?? []).map((i) => [i.name, i.type, i.description].filter(Boolean).join(",")).join("\n"));
    set(c.basisKind, d.basis_event?.kind); set(c.basisDate, d.basis_event?.date);
    c.code.readOnly = true; // an entry's code is its id
    result.replaceChildren();
    c.name.focus();
    validate();
  };
  return { form, load };
}

/** What my unit owes now (due or overdue), oldest due first, with the time left. The due times
 *  are the chain's (WorkCalendar: the end of the N-th working day); the time left is counted in
 *  calendar time up to that end. */
async function duties() {
  const page = await get(`/v1/units/${session.unit.unit_id}/duties`, { owed_by: "unit", limit: 100 });
  const open = page.items.filter((d) => d.state === "due" || d.state === "overdue");
  if (!open.length) return h("p", { className: "ok" }, "本单位当前没有待办职责。");
  // Working days left, counted on the calendar the contracts count in (lib/workdays.js).
  const working = new Map(await Promise.all(open.map(async (d) => [d, await workingDaysText(d.due_at, page.now)])));
  return table(
    [
      ["职责", (d) => h("span", { "data-rule": d.rule }, dutyRule(d.rule))],
      ["对象", (d) => h("span", {}, `${subjectType(d.subject_type)} `,
        d.subject_type === "entry" && d.entry_id ? h("a", { href: `#/catalog/${d.entry_id}` }, d.entry_id.slice(0, 12) + "…") : h("span", { className: "hash", title: d.subject_id }, d.subject_id.slice(0, 12) + "…"))],
      ["期限", (d) => when(d.due_at)],
      ["剩余时间", (d) => h(
        "span",
        { className: d.state === "overdue" ? "bad" : d.due_at - page.now < 86400 ? "warn" : "", "data-working-days": working.get(d) ?? "" },
        working.get(d) ? `${working.get(d)}，${timeLeft(d.due_at, page.now)}` : timeLeft(d.due_at, page.now),
      )],
    ],
    open,
    `按链上时间 ${when(page.now)} 计`,
  );
}
