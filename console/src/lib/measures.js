// Actions of the measures' smaller contracts (DataQuality, Supervision: chain/measure_actions.py;
// DataQuality's message adds `grant`),
// signed in the browser as `ledger quality …` and `ledger supervision …` sign them
// (ledger_cli/quality_cmd.py signed_action): the API's EIP-712 message must carry exactly this
// document, this nonce and the subject, target, code and value derived here from the document,
// under the contract's own domain, before anything is signed.
import { concat, hexlify, keccak256, toUtf8Bytes } from "ethers";
import { post } from "./api.js";
import { canonicalBytes } from "./crypto.js";
import { RefusedToSign, freshNonce, session, waitConfirmed } from "./officer.js";
import { signDigest, typedDataDigest } from "./sign.js";

const ZERO32 = "0x" + "00".repeat(32);

// chain/quality.py and chain/supervision.py: each contract's domain, route and action kinds.
export const QUALITY = {
  domain: "PutuoDataQuality", primaryType: "QualityAction", route: "/v1/quality",
  kinds: { declare_frequency: 0, record_update: 1, record_reconciliation: 2, raise_objection: 3, handle_objection: 4 },
};
export const SUPERVISION = {
  domain: "PutuoSupervision", primaryType: "SupervisionAction", route: "/v1/supervision",
  kinds: { report_incident: 0, acknowledge: 1, record_handling: 2, close_incident: 3, record_evaluation: 4, report_measure: 5, publish_results: 6, publish_notice: 7 },
};
// chain/responsibilities.py: its body names the subject, which a responsibility's or a refusal's
// document does not fix (api/routers/responsibilities.py); the message must carry the same one.
export const RESPONSIBILITIES = {
  domain: "PutuoResponsibilities", primaryType: "ResponsibilityAction", route: "/v1/responsibilities", subjectInBody: true,
  kinds: { record_responsibility: 0, review_responsibility: 1, designate: 2, record_refusal: 3, report_refusal: 4, publish_setting: 5, record_catalog_export: 6 },
};

function checkTyped(contract, typed, kind, document, nonce, expected) {
  if (typed.domain?.name !== contract.domain || typed.domain?.version !== "1" || typed.primaryType !== contract.primaryType) {
    throw new RefusedToSign(`平台给出的签名域不是 ${contract.domain} 第 1 版（${typed.domain?.name}），拒绝签名`);
  }
  const m = typed.message ?? {};
  const wanted = { kind: contract.kinds[kind], nonce, document: hexlify(canonicalBytes(document)), target: ZERO32, code: 0, value: 0, ...expected };
  for (const [field, value] of Object.entries(wanted)) {
    if (String(m[field]).toLowerCase() !== String(value).toLowerCase()) {
      throw new RefusedToSign(`平台给出的待签消息在 ${field} 上与文档不符，拒绝签名`);
    }
  }
}

/** Sign `document` as the `kind` action of `contract` (QUALITY, SUPERVISION or RESPONSIBILITIES)
 *  with the opened key, relay it, and resolve once the chain confirmed it. `expected` holds the
 *  message fields the document derives (subject, and target, code, value where not zero). */
export async function measureAction(contract, kind, document, expected, onStatus = () => {}) {
  if (!session.key) throw new Error("请先打开本人的密钥文件");
  const nonce = freshNonce();
  const body = contract.subjectInBody ? { kind, subject: expected.subject, document, nonce } : { kind, document, nonce };
  const typed = await post(`${contract.route}/typed-data`, body);
  checkTyped(contract, typed, kind, document, nonce, expected);
  const signature = signDigest(session.key, typedDataDigest(typed));
  onStatus("已签名，正在提交……");
  const accepted = await post(`${contract.route}/actions`, { ...body, signature });
  if (accepted.signer.toLowerCase() !== session.key.keyId.toLowerCase()) {
    throw new Error(`平台恢复出的签名者是 ${accepted.signer}，不是本人密钥 ${session.key.keyId}：平台验证的是另一条链或合约`);
  }
  onStatus("平台已受理，等待链上确认……");
  return { accepted, status: await waitConfirmed(accepted.action_id) };
}

export const OBJECTION_OUTCOME_CODES = { corrected: 1, confirmed: 2 };

/** The entry's unit verifies and handles a data objection (Art. 16; putuo.objection-handling/1). */
export function handleObjection(objectionId, { outcome, verification, measures }, onStatus) {
  const document = { schema: "putuo.objection-handling/1", objection_id: objectionId, outcome, verification };
  if (measures) document.measures = measures;
  // DataQuality signs a `grant` too (a using unit's objection's): none for a handling.
  const expected = { subject: objectionId, grant: ZERO32, code: OBJECTION_OUTCOME_CODES[outcome] };
  return measureAction(QUALITY, "handle_objection", document, expected, onStatus);
}

/** The Office or a regulator acknowledges an incident or a measure report (Art. 29, 31;
 *  putuo.acknowledgement/1). */
export function acknowledge(subjectId, note, onStatus) {
  const document = { schema: "putuo.acknowledgement/1", subject_id: subjectId };
  if (note) document.note = note;
  return measureAction(SUPERVISION, "acknowledge", document, { subject: subjectId }, onStatus);
}

export const MEASURE_CODES = { suspension: 1, termination: 2 };

/** The Data Center reports (报送) a grant it suspended or terminated for a security risk to the
 *  Office and the regulators (Art. 31; putuo.measure-report/1), as `ledger supervision
 *  report-measure` does. */
export function reportMeasure(grantId, { measure, reportedTo, summary }, onStatus) {
  const document = { schema: "putuo.measure-report/1", grant_id: grantId, measure, reported_to: reportedTo, summary };
  return measureAction(SUPERVISION, "report_measure", document, { subject: grantId, code: MEASURE_CODES[measure] }, onStatus);
}

/** An incident's, evaluation's, results' or notice's id: keccak256 of its kind's tag and its
 *  canonical document (chain/supervision.py record_id). */
export function recordId(kind, document) {
  return keccak256(concat([toUtf8Bytes(`putuo.supervision.${kind}:`), canonicalBytes(document)]));
}

export const SEVERITY_CODES = { general: 1, larger: 2, major: 3, especially: 4 };

/** A unit reports a data security incident at once (Art. 29; putuo.incident/1), as `ledger
 *  supervision report` does; resolves with the incident id among the rest. */
export async function reportIncident(document, onStatus) {
  const incidentId = recordId("report_incident", document);
  const expected = { subject: incidentId, code: SEVERITY_CODES[document.severity], value: document.occurred_at };
  return { ...(await measureAction(SUPERVISION, "report_incident", document, expected, onStatus)), incidentId };
}

/** The reporting unit records a step of its handling (putuo.incident-handling/1). */
export function recordHandling(incidentId, progress, onStatus) {
  const document = { schema: "putuo.incident-handling/1", incident_id: incidentId, progress };
  return measureAction(SUPERVISION, "record_handling", document, { subject: incidentId }, onStatus);
}

/** The reporting unit closes its incident: cause, outcome, what changes (putuo.incident-closure/1). */
export function closeIncident(incidentId, { cause, outcome, improvements }, onStatus) {
  const document = { schema: "putuo.incident-closure/1", incident_id: incidentId, cause, outcome };
  if (improvements) document.improvements = improvements;
  return measureAction(SUPERVISION, "close_incident", document, { subject: incidentId }, onStatus);
}

/** The Office publishes a period's Art. 32 results (putuo.evaluation-results/1), as `ledger
 *  supervision publish-results` does; the signed value is the period's last second. */
export async function publishResults(document, onStatus) {
  const resultsId = recordId("publish_results", document);
  const expected = { subject: resultsId, value: document.period_end };
  return { ...(await measureAction(SUPERVISION, "publish_results", document, expected, onStatus)), resultsId };
}

/** The Office publishes its notice (通报, Art. 32; putuo.evaluation-notice/1) on published results. */
export async function publishNotice(document, onStatus) {
  const noticeId = recordId("publish_notice", document);
  const expected = { subject: noticeId, target: document.results_id };
  return { ...(await measureAction(SUPERVISION, "publish_notice", document, expected, onStatus)), noticeId };
}

export const EVALUATION_CODES = { quality: 1, effectiveness: 2, security: 3 };

/** The Data Center records a data quality, sharing effectiveness or security evaluation of a unit
 *  or a grant with its score (Art. 31; putuo.supervision-evaluation/1), as `ledger supervision
 *  evaluate` does. */
export async function recordEvaluation(document, onStatus) {
  const evaluationId = recordId("record_evaluation", document);
  const expected = { subject: evaluationId, target: document.target_id, code: EVALUATION_CODES[document.evaluation], value: document.score };
  return { ...(await measureAction(SUPERVISION, "record_evaluation", document, expected, onStatus)), evaluationId };
}

// DataQuality's record ids: keccak256 of the kind's tag and the canonical document (chain/quality.py record_id).
const qualityRecordId = (kind, document) => keccak256(concat([toUtf8Bytes(`putuo.quality.${kind}:`), canonicalBytes(document)]));
export const FREQUENCY_CODES = { realtime: 1, daily: 2, weekly: 3, monthly: 4, quarterly: 5, semiannual: 6, annual: 7, irregular: 8 };
const RECONCILIATION_CODES = { consistent: 1, discrepancies: 2 };
const OBJECTION_SOURCE_CODES = { quality_monitoring: 1, reconciliation: 2, using_unit: 3 };

/** The entry's unit declares its update frequency, the approved version's (Art. 16;
 *  putuo.update-frequency/1), as `ledger quality declare` does: the update periods count from it. */
export function declareFrequency(entryId, frequency, onStatus) {
  const document = { schema: "putuo.update-frequency/1", entry_id: entryId, update_frequency: frequency };
  return measureAction(QUALITY, "declare_frequency", document, { subject: entryId, grant: ZERO32, code: FREQUENCY_CODES[frequency] }, onStatus);
}

/** The Data Center records an update of an entry's data it received (Art. 15–16; putuo.update-receipt/1). */
export async function recordUpdate(document, onStatus) {
  const updateId = qualityRecordId("record_update", document);
  const expected = { subject: updateId, target: document.entry_id, grant: ZERO32 };
  return { ...(await measureAction(QUALITY, "record_update", document, expected, onStatus)), updateId };
}

/** The Data Center records a reconciliation (对账) with a unit (Art. 16 ¶3; putuo.reconciliation/1). */
export async function recordReconciliation(document, onStatus) {
  const reconciliationId = qualityRecordId("record_reconciliation", document);
  const expected = { subject: reconciliationId, target: document.unit_id, grant: ZERO32, code: RECONCILIATION_CODES[document.result] };
  return { ...(await measureAction(QUALITY, "record_reconciliation", document, expected, onStatus)), reconciliationId };
}

/** The Data Center raises a data objection to an entry's unit (Art. 16; putuo.objection/1). */
export async function raiseObjection(document, onStatus) {
  const objectionId = qualityRecordId("raise_objection", document);
  const expected = { subject: objectionId, target: document.entry_id, grant: document.grant_id ?? ZERO32, code: OBJECTION_SOURCE_CODES[document.source] };
  return { ...(await measureAction(QUALITY, "raise_objection", document, expected, onStatus)), objectionId };
}
