// The Chinese words for the API's enum values (the API answers in English codes).
export const SHARING = { unconditional: "无条件共享", conditional: "有条件共享", not_shared: "不予共享", "": "—" };
export const OPENING = { unconditional: "无条件开放", conditional: "有条件开放", not_open: "不予开放" };
export const STATUS = {
  under_review: "审核中", returned: "已退回", active: "已生效", change_pending: "变更待审",
  delete_pending: "删除待审", deleted: "已删除",
  pending: "待审核", approved: "已通过", superseded: "已被替代", rejected: "已驳回",
};
export const FREQUENCY = {
  realtime: "实时", daily: "每日", weekly: "每周", monthly: "每月", quarterly: "每季度",
  semiannual: "每半年", annual: "每年", irregular: "不定期",
};
export const VERSION_KIND = { initial: "首次编目", resubmission: "退回后重新提交", change: "变更", deletion: "删除申请" };
export const SOURCE_METHOD = { collected: "直接收集", generated: "履职产生", entrusted: "委托第三方收集和产生", city_returned: "属地返还" };
export const BASIS_EVENT = { system_acceptance: "信息系统验收", business_approval: "业务审批" };
export const label = (map, value) => map[value] ?? value;

// The duties' rules (api/services/duties/_model.py RULES), in words.
export const DUTY_RULES = {
  art11_compile: "编目（第十一条，10 个工作日）", art13_review: "审核（第十三条，1 个工作日）",
  art13_resubmit: "退回后重新提交（第十三条，3 个工作日）", art14_review: "变更审核（第十四条，1 个工作日）",
  art15_collect: "归集（第十五条，10 个工作日）", art19_confirm: "场景确认（第十九条，1 个工作日）",
  art20_review: "答复申请（第二十条，5 个工作日）", art22_catalogue: "补编目录（第二十二条，15 个工作日）",
  art22_plan_review: "方案审核（第二十二条，5 个工作日）", art22_serve: "融合供给（第二十二条，10 个工作日）",
  art26_reason_review: "闲置理由审核（第二十六条，5 个工作日）", art26_objection_answer: "异议答复（第二十六条，5 个工作日）",
  art16_update: "按更新频率更新数据（第十六条，每个更新周期）", art16_objection: "核实处理数据异议（第十六条，政务办规定的期限）",
};
// What a duty is about (api/services/duties/_model.py SUBJECT_TYPES).
export const SUBJECT_TYPES = { entry: "目录条目", demand_item: "申请中的数据项", demand: "共享申请", grant: "共享授权", objection: "数据异议" };
/** A duty's rule in words; a rule this console does not know yet is still shown, by its code. */
export const dutyRule = (code) => DUTY_RULES[code] ?? `其他职责（${code}）`;
export const subjectType = (type) => SUBJECT_TYPES[type] ?? `其他对象（${type}）`;

// Data objections (异议, Art. 16: api/services/quality.py objections).
export const OBJECTION_SOURCE = { quality_monitoring: "质量监测", reconciliation: "对账", using_unit: "使用单位反馈" };
export const OBJECTION_STATE = { open: "待核实处理", overdue: "已逾期未处理", handled_on_time: "已按期处理", handled_late: "逾期后处理" };
export const OBJECTION_OUTCOME = { corrected: "确有错误，已更正", confirmed: "经核实数据无误" };

// The usage log (usage/records.py; api/services/sharing_queries.py _REFUSALS).
export const USAGE_METHOD = { interface: "接口调用", batch_comparison: "批量比对", other: "其他" };
export const USAGE_OUTCOME = { accepted: "允许", refused: "拒绝" };
export const USAGE_REASON = {
  granted: "授权允许", no_grant: "未获授权", not_grant_holder: "非授权单位使用", scenario_not_granted: "应用场景未获授权",
  method_not_granted: "使用方式未获授权", form_not_granted: "供给形式未获授权", item_not_granted: "数据项未获授权",
  version_not_pinned: "目录版本不符", suspended: "授权已暂停", before_grant: "早于授权", terminated: "授权已终止",
  idle: "授权闲置待暂停", scenario_withdrawn: "应用场景已撤销", document_mismatch: "申请文档与签署条款不符",
  entry_deleted: "目录条目已删除", entry_not_shared: "条目不予共享", entry_invalid: "目录文档无法判定", entry_changed: "目录条目已变更",
};
export const FREQUENCY_OF_USE = { continuous: "持续", daily: "每日", weekly: "每周", monthly: "每月", quarterly: "每季度" };

// Incidents (Art. 29: sharing/supervision_documents.py) and the evaluation's groups (Art. 32:
// api/services/evaluation.py GROUPS; api/schemas.py UnitEvaluation).
export const SEVERITY = { general: "一般", larger: "较大", major: "重大", especially: "特别重大" };
export const INCIDENT_STATE = { open: "处置中", closed: "已结案" };
export const REPORTED_TO = { district_office: "区府办", cyberspace: "区委网信办", public_security: "区公安分局", state_security: "区安全分局" };
export const EVALUATION_GROUPS = {
  compile: "编目（第十一条）", collect: "归集（第十五条）", resubmit: "重新提交（第十三条）", review: "审核（第十三、十四条）",
  item_review: "答复申请（第二十条）", catalogue: "补编目录（第二十二条）", confirm: "场景确认（第十九条）",
  plan_review: "方案审核（第二十二条）", serve: "融合供给（第二十二条）", reason_review: "闲置理由审核（第二十六条）",
  objection_answer: "异议答复（第二十六条）", update: "按期更新（第十六条）", objection: "异议处理（第十六条）",
};
export const DUTY_STATE = {
  due: "未到期", overdue: "已逾期", done_on_time: "按期完成", done_late: "逾期完成", missed: "未履行",
  unknown: "期限未定", cancelled: "已撤销",
};
