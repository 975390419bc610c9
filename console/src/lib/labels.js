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
