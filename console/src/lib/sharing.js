// Sharing steps signed in the browser (ledger_cli/sharing_steps_cmd.py): an application with its
// commitment (Art. 17, 18) and a responsible unit's decision (Art. 20). The demand id is derived
// here and held against the API's; the commitment is built here, signed as a document, and the
// API's EIP-712 message must carry exactly this document and this commitment before the action
// itself is signed.
import { AbiCoder, getAddress, hexlify, keccak256, toUtf8Bytes } from "ethers";
import { get, post } from "./api.js";
import { canonicalBytes } from "./crypto.js";
import { RefusedToSign, freshNonce, login, session, waitConfirmed } from "./officer.js";
import { signDigest, signDocument, typedDataDigest } from "./sign.js";

export const STEP_KINDS = {
  apply: 0, decide: 1, review_plan: 2, record_served: 3, file_idle_reason: 5, security_suspend: 6, object: 7, reinstate: 8, dismiss_objection: 9, terminate: 10,
  approve_scenario: 11, withdraw_scenario: 12, record_adjustment_plan: 13, open_dispute: 14, resolve_dispute: 15, escalate: 16,
  record_escalation_outcome: 17, confirm_conformity: 21, review_idle_reason: 22, acknowledge_adjustment: 23,
};
export const PROMISES = ["需求真实", "使用目标合理", "使用过程安全合规"];
const RESOURCE_ABI = "(bytes32,uint32,bytes32,bytes32)";
export const COMMITMENT_ABI = "(uint8,address,bytes,bytes)";
export const APPLY_TERMS_ABI = `(uint8,bytes32,uint8,uint8,uint8,bool,bool,uint8,${RESOURCE_ABI}[],${COMMITMENT_ABI})`;
const SCENARIO_TERMS_ABI = "(uint8,bytes32[],bytes32[])"; // chain/sharing.py ScenarioTerms
const coder = AbiCoder.defaultAbiCoder();

/** keccak256(abi.encode(unitId, keccak256(document))), as the Sharing contract derives it. */
export function demandIdFor(unitId, document) {
  return keccak256(coder.encode(["bytes32", "bytes32"], [unitId, keccak256(canonicalBytes(document))]));
}

/** A chain time (unix seconds) as signed_at: YYYY-MM-DDTHH:MM:SS+08:00. */
export function shanghaiTime(seconds) {
  const d = new Date((Number(seconds) + 8 * 3600) * 1000);
  return d.toISOString().slice(0, 19) + "+08:00";
}

function checkSharingTypedData(typed, { kind, document, nonce, subject, commitment, terms }) {
  const m = typed.message ?? {};
  if (typed.domain?.name !== "PutuoSharing" || typed.domain?.version !== "1" || typed.primaryType !== "SharingAction") {
    throw new RefusedToSign(`平台给出的签名域不是 PutuoSharing 第 1 版（${typed.domain?.name}），拒绝签名`);
  }
  const same = (a, b) => String(a).toLowerCase() === String(b).toLowerCase();
  if (!same(m.kind, STEP_KINDS[kind]) || !same(m.nonce, nonce) || !same(m.document, hexlify(canonicalBytes(document)))) {
    throw new RefusedToSign("平台给出的待签消息与文档不符，拒绝签名");
  }
  if (subject && !same(m.subject, subject)) throw new RefusedToSign("平台给出的待签消息指向另一个需求，拒绝签名");
  if (document.item !== undefined && !same(m.item, document.item)) throw new RefusedToSign("平台给出的待签消息指向另一项，拒绝签名");
  if (terms && !same(m.terms, terms)) throw new RefusedToSign("平台给出的待签消息中的条款与文档不符，拒绝签名");
  if (commitment) {
    const [, keyId, doc, signature] = coder.decode([APPLY_TERMS_ABI], m.terms)[0][9];
    if (!same(keyId, commitment.signature.key_id) || !same(doc, hexlify(canonicalBytes(commitment.document))) || !same(signature, commitment.signature.signature)) {
      throw new RefusedToSign("平台给出的待签消息中的承诺书不是本人签署的这一份，拒绝签名");
    }
  }
}

async function signAndSend({ kind, document, path, subject, commitment, terms, onStatus }) {
  const nonce = freshNonce();
  const request = { kind, document, nonce, ...(commitment ? { commitment } : {}) };
  const typed = await post("/v1/sharing/typed-data", request);
  checkSharingTypedData(typed, { kind, document, nonce, subject, commitment, terms });
  const signature = signDigest(session.key, typedDataDigest(typed));
  onStatus("已签名，正在提交……");
  // Steps without a route of their own go in a batch of one (POST /v1/sharing/actions).
  const accepted =
    path === "/v1/sharing/actions"
      ? (await post(path, { actions: [{ kind, document, nonce, signature }] })).accepted[0]
      : await post(path, { document, nonce, signature, ...(commitment ? { commitment } : {}) });
  if (accepted.signer.toLowerCase() !== session.key.keyId.toLowerCase()) {
    throw new Error(`平台恢复出的签名者是 ${accepted.signer}，不是本人密钥 ${session.key.keyId}`);
  }
  onStatus("平台已受理，等待链上确认……");
  return { accepted, status: await waitConfirmed(accepted.action_id) };
}

/** The commitment signed by the platform signing service (Art. 18) with a key the platform holds
 *  for the officer's unit, the officer logged in by the opened key. The platform sets the unit
 *  and the time; the rest must be what the officer asked for. */
async function platformCommitment(demandId, application, platformKeyId) {
  await login();
  const signed = await post("/v1/commitments/sign", { demand_id: demandId, officer_key_id: platformKeyId, scenario: application.scenario.code });
  const d = signed.document;
  if (d.demand_id !== demandId.toLowerCase() || d.scenario !== application.scenario.code || d.signing_unit_id !== application.demand_unit_id) {
    throw new RefusedToSign("平台签名服务签出的承诺书与本次申请不符，拒绝使用");
  }
  return { document: d, signature: signed.signature };
}

/** Apply (Art. 17) with a commitment (Art. 18) signed by the opened key, or by the platform
 *  signing service with the platform-held key `platformKeyId` when given. */
export async function apply(application, onStatus = () => {}, { platformKeyId = null } = {}) {
  if (!session.key) throw new Error("请先打开本人的密钥文件");
  const demandId = demandIdFor(application.demand_unit_id, application);
  const answered = (await post("/v1/demands/id", { document: application })).demand_id;
  if (answered.toLowerCase() !== demandId.toLowerCase()) {
    throw new RefusedToSign(`平台给出的需求编号 ${answered} 与申请书的 ${demandId} 不符，拒绝签署承诺书`);
  }
  // signed_at by the chain's clock, which the contract checks the key's validity against.
  const now = (await get("/v1/duties", { limit: 1 })).now;
  const key = session.key;
  const commitmentDocument = {
    schema: "putuo.commitment/1",
    demand_id: demandId.toLowerCase(),
    signing_unit_id: application.demand_unit_id,
    officer_key_id: key.scheme === "sm2" ? key.keyId.toLowerCase() : getAddress(key.keyId),
    scheme: key.scheme,
    scenario: application.scenario.code,
    promises: PROMISES,
    signed_at: shanghaiTime(now),
  };
  const commitment = platformKeyId
    ? await platformCommitment(demandId, application, platformKeyId)
    : { document: commitmentDocument, signature: signDocument(key, commitmentDocument) };
  const done = await signAndSend({ kind: "apply", document: application, path: "/v1/demands", commitment, onStatus });
  return { ...done, demandId, commitment };
}

/** The responsible unit's decision on one item (Art. 20). */
export async function decide(demandId, item, decision, onStatus = () => {}) {
  if (!session.key) throw new Error("请先打开本人的密钥文件");
  // Art. 20: a decision carries when it was signed, by the chain's clock (the contract judges it by that).
  const now = (await get("/v1/duties", { limit: 1 })).now;
  const document = { schema: "putuo.demand-decision/1", demand_id: demandId, item, ...decision, signed_at: shanghaiTime(now) };
  return signAndSend({ kind: "decide", document, path: `/v1/demands/${demandId}/items/${item}/decision`, subject: demandId, onStatus });
}

const GRANT_STEPS = {
  object: { schema: "putuo.grant-objection/1", route: "objections" }, // Art. 26: within 30 days of a suspension
  terminate: { schema: "putuo.grant-termination/1", route: "terminations" }, // Art. 26: no longer needed
};

/** The demand unit's objection to a suspension, or its ending of a grant it no longer needs. */
export async function grantStep(kind, grantId, reason, onStatus = () => {}) {
  if (!session.key) throw new Error("请先打开本人的密钥文件");
  const step = GRANT_STEPS[kind];
  const document = { schema: step.schema, grant_id: grantId, reason };
  return signAndSend({ kind, document, path: `/v1/grants/${grantId}/${step.route}`, subject: grantId, onStatus });
}

/** The Data Center answers a demand unit's objection to a suspension (Art. 26): upheld, the grant
 *  is reinstated; dismissed (reason code 1: the objection does not hold), it lapses after the
 *  30 days. Either way with the reason, signed here. */
export async function answerObjection(grantId, uphold, reason, onStatus = () => {}) {
  if (!session.key) throw new Error("请先打开本人的密钥文件");
  const document = uphold
    ? { schema: "putuo.grant-reinstatement/1", grant_id: grantId, reason }
    : { schema: "putuo.objection-dismissal/1", grant_id: grantId, reason_code: 1, reason };
  const kind = uphold ? "reinstate" : "dismiss_objection";
  return signAndSend({ kind, document, path: "/v1/sharing/actions", subject: grantId, onStatus });
}

/** The Data Center's confirmation that a scenario-route application conforms (Art. 19), which
 *  grants it, or its return with the reason (reason code 1: the application does not conform). */
export async function reviewConformity(demandId, confirm, reason, onStatus = () => {}) {
  if (!session.key) throw new Error("请先打开本人的密钥文件");
  const document = confirm
    ? { schema: "putuo.conformity-review/1", demand_id: demandId, decision: "confirm" }
    : { schema: "putuo.conformity-review/1", demand_id: demandId, decision: "return", reason_code: 1, reason };
  return signAndSend({ kind: "confirm_conformity", document, path: "/v1/sharing/actions", subject: demandId, onStatus });
}

/** A scenario's on-chain id: keccak256 of its code (chain/sharing.py scenario_id_for). */
export const scenarioIdFor = (code) => keccak256(toUtf8Bytes(code));

/** The Data Center registers a scenario for the scenario route with its basis (Art. 19 (1)–(3);
 *  putuo.scenario-evaluation/1), as `ledger sharing step approve_scenario` does. */
export async function registerScenario(evaluation, onStatus = () => {}) {
  if (!session.key) throw new Error("请先打开本人的密钥文件");
  const subject = scenarioIdFor(evaluation.scenario_code);
  // The class, units and entries the contract keeps are signed as terms: they must be this document's.
  const terms = coder.encode([SCENARIO_TERMS_ABI], [[evaluation.class, evaluation.units ?? [], evaluation.entries ?? []]]);
  return signAndSend({ kind: "approve_scenario", document: evaluation, path: "/v1/sharing/actions", subject, terms, onStatus });
}

/** The Data Center suspends a grant at once for a security risk and reports it (Art. 31;
 *  putuo.grant-suspension/1), as `ledger sharing step security_suspend` does. */
export async function suspendGrant(grantId, risk, reportedTo, onStatus = () => {}) {
  if (!session.key) throw new Error("请先打开本人的密钥文件");
  const document = { schema: "putuo.grant-suspension/1", grant_id: grantId, risk, reported_to: reportedTo };
  return signAndSend({ kind: "security_suspend", document, path: "/v1/sharing/actions", subject: grantId, onStatus });
}

/** The Data Center withdraws a scenario from the register (Art. 19; putuo.scenario-withdrawal/1),
 *  as `ledger sharing step withdraw_scenario` does: final, no new demand or use under it. */
export async function withdrawScenario(code, reason, onStatus = () => {}) {
  if (!session.key) throw new Error("请先打开本人的密钥文件");
  const document = { schema: "putuo.scenario-withdrawal/1", scenario_code: code, reason };
  return signAndSend({ kind: "withdraw_scenario", document, path: "/v1/sharing/actions", subject: scenarioIdFor(code), onStatus });
}

/** The Data Center accepts or refuses a demand unit's reason for leaving a grant idle (Art. 26;
 *  putuo.idle-reason-review/1), with its own reason. */
export async function reviewIdleReason(grantId, accept, reason, onStatus = () => {}) {
  if (!session.key) throw new Error("请先打开本人的密钥文件");
  const document = { schema: "putuo.idle-reason-review/1", grant_id: grantId, decision: accept ? "accept" : "refuse", reason };
  return signAndSend({ kind: "review_idle_reason", document, path: "/v1/sharing/actions", subject: grantId, onStatus });
}

/** The Data Center's review of a fusion plan (Art. 22; putuo.plan-review/1): approved, or returned
 *  with the reason (reason code 1: the plan does not hold). */
export async function reviewPlan(demandId, approve, reason, onStatus = () => {}) {
  if (!session.key) throw new Error("请先打开本人的密钥文件");
  const document = approve
    ? { schema: "putuo.plan-review/1", demand_id: demandId, decision: "approve" }
    : { schema: "putuo.plan-review/1", demand_id: demandId, decision: "return", reason_code: 1, reason };
  return signAndSend({ kind: "review_plan", document, path: "/v1/sharing/actions", subject: demandId, onStatus });
}

// The steps that only apply the passage of time (Art. 26): never signed (the contract refuses a
// signature on them, SharingNotSignedStep); the platform's account sends them once the time has come.
const TIME_STEPS = { suspend_idle: "suspend-idle", finalise_lapse: "finalise-lapse" };

/** Take a time step on a grant; resolves with {kind, tx_hash, block_number} once it is mined. */
export function timeStep(kind, grantId) {
  return post(`/v1/grants/${grantId}/${TIME_STEPS[kind]}`, {});
}

/** The Data Center records that it fused and served a fusion grant's data (Art. 22;
 *  putuo.fusion-served/1), within 10 working days of the plan's approval. */
export async function recordServed(grantId, note, onStatus = () => {}) {
  if (!session.key) throw new Error("请先打开本人的密钥文件");
  const document = { schema: "putuo.fusion-served/1", grant_id: grantId, note };
  return signAndSend({ kind: "record_served", document, path: "/v1/sharing/actions", subject: grantId, onStatus });
}

/** A party to a demand item — the demand unit or the item's responsible unit — takes a dispute
 *  to the Office after its own negotiation failed (Art. 24; putuo.dispute/1). */
export async function openDispute(demandId, item, { about, statement, negotiation }, onStatus = () => {}) {
  if (!session.key) throw new Error("请先打开本人的密钥文件");
  const document = { schema: "putuo.dispute/1", demand_id: demandId, item, about, statement, negotiation };
  return signAndSend({ kind: "open_dispute", document, path: "/v1/sharing/actions", subject: demandId, onStatus });
}

/** The Office records the outcome of its coordination of a dispute (Art. 24; putuo.dispute-resolution/1). */
export async function resolveDispute(demandId, item, outcome, text, onStatus = () => {}) {
  if (!session.key) throw new Error("请先打开本人的密钥文件");
  const document = { schema: "putuo.dispute-resolution/1", demand_id: demandId, item, outcome, text };
  return signAndSend({ kind: "resolve_dispute", document, path: "/v1/sharing/actions", subject: demandId, onStatus });
}

/** The Office sends a demand the district cannot serve to the city platform (Art. 23; putuo.escalation/1). */
export async function escalate(demandId, reason, cityRequest, onStatus = () => {}) {
  if (!session.key) throw new Error("请先打开本人的密钥文件");
  const document = { schema: "putuo.escalation/1", demand_id: demandId, reason, city_request: cityRequest };
  return signAndSend({ kind: "escalate", document, path: "/v1/sharing/actions", subject: demandId, onStatus });
}

/** The Office records what the city answered (Art. 23; putuo.escalation-outcome/1). */
export async function escalationOutcome(demandId, outcome, text, onStatus = () => {}) {
  if (!session.key) throw new Error("请先打开本人的密钥文件");
  const document = { schema: "putuo.escalation-outcome/1", demand_id: demandId, outcome, text };
  return signAndSend({ kind: "record_escalation_outcome", document, path: "/v1/sharing/actions", subject: demandId, onStatus });
}

/** The demand unit files why a grant may stay unused, and until which day (Art. 26;
 *  putuo.idle-reason/1): pending the Data Center's review, the grant is not suspended as idle. */
export async function fileIdleReason(grantId, reason, until, onStatus = () => {}) {
  if (!session.key) throw new Error("请先打开本人的密钥文件");
  const document = { schema: "putuo.idle-reason/1", grant_id: grantId, reason, until };
  return signAndSend({ kind: "file_idle_reason", document, path: "/v1/sharing/actions", subject: grantId, onStatus });
}

const ADJUSTMENT_TERMS_ABI = "(uint8)"; // chain/sharing.py AdjustmentTerms: 1 move, 2 end
const DISPOSITIONS = { move: 1, end: 2 };

/** The entry's unit records how a change to an entry live grants use is handled (Art. 14;
 *  putuo.adjustment-plan/1): the grants affected, the units notified, and whether the grants move
 *  to the new version or end — the contract keeps the last as terms, signed with the document. */
export async function recordAdjustmentPlan(plan, onStatus = () => {}) {
  if (!session.key) throw new Error("请先打开本人的密钥文件");
  const terms = coder.encode([ADJUSTMENT_TERMS_ABI], [[DISPOSITIONS[plan.disposition]]]);
  return signAndSend({ kind: "record_adjustment_plan", document: plan, path: "/v1/sharing/actions", subject: plan.entry_id, terms, onStatus });
}

/** The Data Center or a unit holding a live grant on the entry agrees to its adjustment plan (Art. 14). */
export async function acknowledgeAdjustment(entryId, note, onStatus = () => {}) {
  if (!session.key) throw new Error("请先打开本人的密钥文件");
  const document = { schema: "putuo.adjustment-acknowledgement/1", entry_id: entryId, ...(note ? { note } : {}) };
  return signAndSend({ kind: "acknowledge_adjustment", document, path: "/v1/sharing/actions", subject: entryId, onStatus });
}
