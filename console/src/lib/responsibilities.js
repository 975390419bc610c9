// The Responsibilities contract's actions (Art. 5, 11; chain/responsibilities.py), signed in the
// browser through measureAction: the subject, target and code derived here from each document as
// catalog/responsibility_documents.py `fields` derives them, and held against the API's message.
import { concat, keccak256, toUtf8Bytes } from "ethers";
import { canonicalBytes } from "./crypto.js";
import { RESPONSIBILITIES, measureAction } from "./measures.js";

export const DISPOSITION_CODES = { move_open_duties: 1, keep_open_duties: 2 }; // chain Disposition
export const GROUND_CODES = { no_legal_basis: 1, legal_basis_cited: 2 }; // chain RefusalGround

/** A responsibility's id: keccak256("putuo.responsibility:" ‖ unit id ‖ UTF-8 code), the
 *  signer's unit's (chain.responsibilities.responsibility_id_for; the API refuses another). */
export function responsibilityIdFor(unitId, code) {
  return keccak256(concat([toUtf8Bytes("putuo.responsibility:"), unitId, toUtf8Bytes(code)]));
}

/** A refusal's id, which the contract leaves to the recorder: here keccak256 of a tag and the
 *  canonical document, so the same refusal recorded twice is the chain's `refusal_exists`. */
export function refusalIdFor(document) {
  return keccak256(concat([toUtf8Bytes("putuo.refusal:"), canonicalBytes(document)]));
}

/** A unit records (or, returned, revises) an entry of its list (职责清单; putuo.responsibility/1). */
export async function recordResponsibility(unitId, document, onStatus) {
  const responsibilityId = responsibilityIdFor(unitId, document.code);
  const done = await measureAction(RESPONSIBILITIES, "record_responsibility", document, { subject: responsibilityId }, onStatus);
  return { ...done, responsibilityId };
}

/** The Office approves a pending responsibility, or returns it with a reason code and the reason
 *  (putuo.responsibility-review/1): the signed code is 0 for an approval, the reason code otherwise. */
export function reviewResponsibility(responsibilityId, { decision, reasonCode, reason }, onStatus) {
  const document = { schema: "putuo.responsibility-review/1", decision };
  if (decision === "return") Object.assign(document, { reason_code: reasonCode, reason });
  const expected = { subject: responsibilityId, code: decision === "return" ? reasonCode : 0 };
  return measureAction(RESPONSIBILITIES, "review_responsibility", document, expected, onStatus);
}

/** The Office designates an entry's responsible unit (Art. 5; putuo.designation/1). */
export function designate(document, onStatus) {
  const expected = { subject: document.entry_id, target: document.unit_id, code: DISPOSITION_CODES[document.disposition] };
  return measureAction(RESPONSIBILITIES, "designate", document, expected, onStatus);
}

/** The Data Center records a unit's refusal to collect data to it (Art. 11; putuo.refusal/1). */
export async function recordRefusal(document, onStatus) {
  const refusalId = refusalIdFor(document);
  const expected = { subject: refusalId, target: document.unit_id, code: GROUND_CODES[document.ground] };
  return { ...(await measureAction(RESPONSIBILITIES, "record_refusal", document, expected, onStatus)), refusalId };
}

/** The Office reports a refusal without a legal basis (Art. 11; putuo.refusal-report/1). */
export function reportRefusal(refusalId, { reportedTo, summary }, onStatus) {
  const document = { schema: "putuo.refusal-report/1", refusal_id: refusalId, reported_to: reportedTo, summary };
  return measureAction(RESPONSIBILITIES, "report_refusal", document, { subject: refusalId }, onStatus);
}

/** A setting's key: keccak256("putuo.setting." ‖ its name) (chain.responsibilities.setting_key). */
export const settingKey = (name) => keccak256(toUtf8Bytes(`putuo.setting.${name}`));

/** The Office publishes a setting's new value (putuo.setting/1): the signed subject is the
 *  setting's key and the value its new value. */
export function publishSetting(document, onStatus) {
  return measureAction(RESPONSIBILITIES, "publish_setting", document, { subject: settingKey(document.name), value: document.value }, onStatus);
}

/** The Data Center records an export of the supplementary catalog for the city (Art. 12;
 *  putuo.catalog-export/1): the signed subject is the JSON file's keccak256, the value its last block. */
export function recordCatalogExport(manifest, onStatus) {
  return measureAction(RESPONSIBILITIES, "record_catalog_export", manifest, { subject: manifest.json_keccak256, value: manifest.to_block }, onStatus);
}
