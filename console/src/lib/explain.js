// What a refusal means and what to do next, in Chinese, for the steps whose API messages are
// English (api/errors.py): by the error's stable code; any other error keeps its own message.
const WHAT_TO_DO = {
  not_idle: "该授权 3 个月内有调用，或已有闲置理由在案，尚不能按闲置暂停：待闲置期满后再办理",
  not_lapsed: "自暂停通知起未满 30 日，尚不能终止：请待异议期满后再办理",
  objection_pending: "需求单位已对暂停提出异议：请先在“共享授权：暂停与异议”中答复异议",
  objection_closed: "异议期已过或已有异议：不能再提出异议，闲置暂停的授权可办理终止",
  scenario_state: "该场景已是此状态（已撤销或已登记）：刷新页面查看最新状态",
  excuse_out_of_range: "理由所载期限须晚于现在且在一年之内：请需求单位重新报送理由",
  already_recorded: "同一文档已上链（重复提交）：刷新页面查看，无需再次签名",
  incident_closed: "该事件已结案：不能再记录处置，刷新页面查看结案记录",
  not_reporter: "只有报告该事件的单位可以记录处置或结案：请用本单位官员的密钥办理",
  invalid_time: "发生时间须早于链上当前时间：请改为事件实际发生的时间",
  period_not_ended: "考核期间尚未结束：截止日期请选链上日期之前的日子",
  wrong_unit_kind: "本人密钥所属单位不能办理此事项：请用有权单位官员的密钥",
  unknown_incident: "链上没有这一事件：刷新页面后重试",
  nothing_to_notify: "期间内没有单位未履行可通报的职责：无需通报",
  responsibility_id_mismatch: "职责编号须由本单位和职责编码得出：请用本单位官员的密钥记录本单位的职责",
  subject_mismatch: "待签消息的对象与文档所指不符：刷新页面后重试",
  invalid_status: "该事项当前的状态不允许此操作（如职责待审核时不能再次记录、已审核的不能再审）：刷新页面查看最新状态",
  invalid_unit: "所指单位须为业务单位（不能是政务办、大数据中心或监督单位）：请另选单位",
  designation_refused: "该条目不存在、已删除，或已属于所指定的单位：请核对条目和单位（第五条）",
  refusal_exists: "这一拒绝归集已有记录（同一单位、同一数据、同一依据）：刷新页面查看，无需再次记录",
  unknown_refusal: "链上没有这一拒绝归集的记录：刷新页面后重试",
  nothing_to_report: "该拒绝归集已提出法律依据，或已报告：无需再报告（第十一条）",
  empty_range: "自上次导出以来没有新的区块：暂无可导出的内容",
  adjustment_plan_required: "该条目有在用的共享授权：请先在“在用条目的调整方案”中记录调整方案，待大数据中心和各需求单位同意后再申请（第十四条）",
};

/** The error in words an officer can act on. */
export function explain(error) {
  const told = error?.code && WHAT_TO_DO[error.code];
  if (told) return `${told}（${error.code}）`;
  const field = error?.field ? `（字段 ${error.field}）` : "";
  return `${error?.message ?? error}${field}；请核对后重试，仍不成功请联系平台运维`;
}
