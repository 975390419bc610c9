// The Audit page's engine: a verdict from the chain alone (JSON-RPC and the contract addresses),
// as `ledger audit version --document` gives it (catalog/audit.py): replay the Catalog's events to
// find the version whose document hash is the dropped document's, then check every step of it —
// the event's document hashes to the recorded hash, the signer is a key the UnitRegistry's events
// register to the right unit and active at the step's block time, and the signature in the
// transaction's calldata recovers to that key. Key records come from events, never from a view
// call at a past block, so this works on a node restarted from a state dump.
import { AbiCoder, TypedDataEncoder, concat, getAddress, hashMessage, keccak256, recoverAddress, toBeHex, zeroPadValue } from "ethers";
import { INTERFACES } from "./rpc.js";
import { canonicalBytes, recoverActionSigner, sm2Verify } from "./crypto.js";

const UNIT_KINDS = { 1: "政务办", 2: "大数据中心", 3: "业务单位", 4: "监督单位" };
const UNIT_KIND_CODES = { 1: "office", 2: "data_center", 3: "ordinary", 4: "auditor" };
const KEY_SCHEMES = { 1: "ecdsa", 2: "sm2" };
const VERSION_KINDS = ["首次编目", "退回后重新提交", "变更", "删除申请"];
const CATALOG_ACTION_TYPES = {
  CatalogAction: [
    { name: "kind", type: "uint8" },
    { name: "entryId", type: "bytes32" },
    { name: "version", type: "uint32" },
    { name: "reasonCode", type: "uint16" },
    { name: "document", type: "bytes" },
    { name: "nonce", type: "uint256" },
    { name: "declaredAt", type: "uint40" },
    { name: "sharing", type: "uint8" },
    { name: "responsibility", type: "bytes32" },
  ],
};

export function catalogDomain(chainId, catalog) {
  return { name: "PutuoCatalog", version: "1", chainId, verifyingContract: catalog };
}

/** The EIP-712 digest of a catalog action (fields as in ICatalog.SignedAction). */
export function catalogDigest(action, chainId, catalog) {
  return TypedDataEncoder.hash(catalogDomain(chainId, catalog), CATALOG_ACTION_TYPES, {
    kind: action.kind,
    entryId: action.entryId,
    version: action.version,
    reasonCode: action.reasonCode,
    document: action.document,
    nonce: action.nonce,
    declaredAt: action.declaredAt,
    sharing: action.sharing,
    responsibility: action.responsibility,
  });
}

/** Registry records rebuilt from its events (KeyRegistered, KeyRevoked, UnitRegistered). */
export class Registry {
  constructor(rpc, address, fromBlock) {
    Object.assign(this, { rpc, address, fromBlock, keys: new Map(), units: new Map() });
  }

  async key(keyId) {
    const id = keyId.toLowerCase();
    if (!this.keys.has(id)) {
      const topic = zeroPadValue(getAddress(keyId), 32);
      const registered = await this.rpc.logs("UnitRegistry", this.address, "KeyRegistered", [null, topic], this.fromBlock);
      if (registered.length !== 1) {
        this.keys.set(id, null);
      } else {
        const event = registered[0];
        const revoked = await this.rpc.logs("UnitRegistry", this.address, "KeyRevoked", [null, topic], event.block);
        this.keys.set(id, {
          keyId,
          unitId: event.args.unitId,
          scheme: KEY_SCHEMES[Number(event.args.scheme)] ?? "?",
          publicKey: event.args.publicKey,
          registeredAt: await this.rpc.blockTime(event.block),
          revokedAt: revoked.length ? await this.rpc.blockTime(revoked[0].block) : null,
        });
      }
    }
    return this.keys.get(id);
  }

  async unit(unitId) {
    if (!this.units.has(unitId)) {
      const events = await this.rpc.logs("UnitRegistry", this.address, "UnitRegistered", [unitId], this.fromBlock);
      const args = events[0]?.args;
      this.units.set(
        unitId,
        args ? { name: args.name, code: args.code, kind: UNIT_KIND_CODES[Number(args.kind)], kindName: UNIT_KINDS[Number(args.kind)] } : null,
      );
    }
    return this.units.get(unitId);
  }
}

export function activeAt(key, at) {
  return key.registeredAt <= at && (key.revokedAt === null || at < key.revokedAt);
}

/** The catalog actions a transaction carried (execute or executeBatch of the Catalog). */
function carriedActions(input) {
  const call = INTERFACES.Catalog.parseTransaction({ data: input });
  if (!call || !["execute", "executeBatch"].includes(call.name)) return [];
  return call.name === "execute" ? [call.args[0]] : [...call.args[0]];
}

/**
 * Verify a catalog document (any JSON value) against the chain.
 * Returns {found, documentHash, entryId, version, steps: [{step, signer, unit, tx, block, at, problems}]}.
 */
export async function auditCatalogDocument(rpc, addresses, document) {
  const hash = keccak256(canonicalBytes(document));
  const catalog = addresses.Catalog;
  const submitted = await rpc.logs("Catalog", catalog, "CatalogVersionSubmitted", [], addresses.deployBlock);
  const match = submitted.find((e) => e.args.documentHash === hash);
  if (!match) return { found: false, documentHash: hash, steps: [] };
  const entryId = match.args.entryId;
  const version = Number(match.args.version);
  const versionTopic = toBeHex(version, 32);
  const reviews = await rpc.logs("Catalog", catalog, "CatalogVersionReviewed", [entryId, versionTopic], addresses.deployBlock);
  const chainId = await rpc.chainId();
  const registry = new Registry(rpc, addresses.UnitRegistry, addresses.deployBlock);
  const steps = [];
  for (const event of [match, ...reviews]) {
    steps.push(await auditStep(rpc, registry, chainId, catalog, event));
  }
  return { found: true, documentHash: hash, entryId, version, steps };
}

async function auditStep(rpc, registry, chainId, catalog, event) {
  const args = event.args;
  const submitted = event.name === "CatalogVersionSubmitted";
  const signer = submitted ? args.signer : args.reviewer;
  const at = await rpc.blockTime(event.block);
  const step = {
    step: submitted
      ? `提交（${VERSION_KINDS[Number(args.kind)] ?? args.kind}）`
      : Number(args.reasonCode) === 0 ? "审核：通过" : `审核：退回（原因代码 ${args.reasonCode}）`,
    signer, unit: "?", unitKind: "?", tx: event.tx, block: event.block, at, problems: [],
  };
  if (keccak256(args.document) !== args.documentHash) step.problems.push("事件中的文档与其记录的哈希不符");
  const key = await registry.key(signer);
  if (!key) {
    step.problems.push(`签名者 ${signer} 不是链上登记的密钥`);
    return step;
  }
  const unit = await registry.unit(key.unitId);
  step.unit = unit ? `${unit.name}（${unit.code}）` : key.unitId;
  step.unitKind = unit?.kindName ?? "?";
  step.scheme = key.scheme;
  if (key.scheme === "sm2") step.signer = signer.toLowerCase(); // an SM2 key id is written in lower case
  if (!activeAt(key, at)) step.problems.push(`密钥 ${signer} 在该步骤时未处于有效期（已吊销或尚未登记）`);
  if (submitted && key.unitId !== args.unitId) step.problems.push("签名密钥属于其他单位，与该版本记录的单位不符");
  if (!submitted && unit?.kind !== "data_center") step.problems.push("审核者所属单位不是大数据中心");
  const carried = carriedActions(await rpc.transactionInput(event.tx)).filter(
    (a) => a.nonce === args.nonce && keccak256(a.document) === args.documentHash,
  );
  if (carried.length !== 1) {
    step.problems.push("交易中没有与该事件相符的签名操作（nonce 与文档）");
    return step;
  }
  const action = carried[0];
  try {
    const digest = catalogDigest(action, chainId, catalog);
    const recovered = recoverActionSigner(digest, action.signature, (id) =>
      id.toLowerCase() === key.keyId.toLowerCase() && key.scheme === "sm2" ? key.publicKey : null,
    );
    if (recovered.toLowerCase() !== key.keyId.toLowerCase()) {
      step.problems.push(`签名由 ${recovered} 作出，而非 ${key.keyId}`);
    }
  } catch (error) {
    step.problems.push(`签名验证失败：${error.message}`);
  }
  return step;
}

const APPLY_TERMS_ABI =
  "(uint8,bytes32,uint8,uint8,uint8,bool,bool,uint8,(bytes32,uint32,bytes32,bytes32)[],(uint8,address,bytes,bytes))";
const SIGNED_MESSAGE_TAG = "0x" + [..."putuo.signature/1"].map((c) => c.charCodeAt(0).toString(16)).join("") + "00";

/**
 * Verify a commitment (承诺书, Art. 18) — and the signature file beside it, when given — against
 * the chain, as sharing/audit.py audit_commitment does: the demand's Apply step records the
 * commitment's bytes, key and signature; the signature must verify for the key the registry's
 * events register, that key must belong to the demand's unit and be active when it signed.
 * Returns {found, valid, problems, demandId, keyId, scheme, unit, block, tx, documentHash}.
 */
export async function auditCommitment(rpc, addresses, commitment, signatureFile = null) {
  const hash = keccak256(canonicalBytes(commitment));
  const out = { found: false, valid: false, problems: [], documentHash: hash, demandId: commitment?.demand_id };
  if (!/^0x[0-9a-f]{64}$/.test(String(commitment?.demand_id))) {
    out.problems.push("承诺书的 demand_id 不是 0x 加 64 位小写十六进制");
    return out;
  }
  if (!addresses.Sharing) throw new Error("部署信息缺少 Sharing 合约地址");
  const steps = await rpc.logs("Sharing", addresses.Sharing, "SharingStep", [commitment.demand_id, toBeHex(0, 32)], addresses.deployBlock);
  if (!steps.length) {
    out.problems.push(`链上没有需求 ${commitment.demand_id} 的申请`);
    return out;
  }
  const step = steps[0];
  Object.assign(out, { found: true, block: step.block, tx: step.tx });
  const [scheme, keyId, recordedDocument, recordedSignature] = AbiCoder.defaultAbiCoder().decode([APPLY_TERMS_ABI], step.args.terms)[0][9];
  out.scheme = KEY_SCHEMES[Number(scheme)] ?? "?";
  out.keyId = out.scheme === "sm2" ? keyId.toLowerCase() : keyId; // an SM2 key id is written in lower case
  if (keccak256(recordedDocument) !== hash) {
    out.problems.push(`这份承诺书与链上记录的不同：其哈希为 ${hash}，链上记录的为 ${keccak256(recordedDocument)}——承诺书被改动过`);
  }
  const signature = signatureFile ? signatureFile.signature : recordedSignature;
  if (signatureFile) {
    if (String(signatureFile.document_hash).toLowerCase() !== hash) out.problems.push("签名文件的 document_hash 不是这份承诺书的哈希");
    if (String(signatureFile.key_id).toLowerCase() !== keyId.toLowerCase()) out.problems.push(`签名文件的密钥 ${signatureFile.key_id} 不是链上记录的 ${keyId}`);
  }
  const registry = new Registry(rpc, addresses.UnitRegistry, addresses.deployBlock);
  const key = await registry.key(keyId);
  if (!key) {
    out.problems.push(`密钥 ${keyId} 未在链上登记`);
    return out;
  }
  const unit = await registry.unit(key.unitId);
  out.unit = unit ? `${unit.name}（${unit.code}）` : key.unitId;
  const message = concat([SIGNED_MESSAGE_TAG, hash]);
  let verified = false;
  try {
    verified = key.scheme === "sm2" ? sm2Verify(key.publicKey, message, signature) : recoverAddress(hashMessage(message), signature) === getAddress(keyId);
  } catch {
    verified = false;
  }
  if (!verified) out.problems.push(`签名不是密钥 ${keyId} 对这份承诺书的有效签名`);
  if (key.unitId !== step.args.unitId) out.problems.push("签名密钥属于其他单位，不是申请单位的密钥");
  if (String(commitment.signing_unit_id).toLowerCase() !== step.args.unitId.toLowerCase()) out.problems.push(`承诺书写明的单位 ${commitment.signing_unit_id} 不是申请单位`);
  const signedAt = Date.parse(commitment.signed_at) / 1000;
  if (!Number.isFinite(signedAt) || !activeAt(key, signedAt)) out.problems.push(`签署时间 ${commitment.signed_at} 密钥不在有效期内`);
  out.valid = out.problems.length === 0;
  return out;
}
