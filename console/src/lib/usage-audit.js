// A usage record's evidence bundle (GET /v1/usage/{id}) verified from the chain alone, as
// `ledger audit usage` does it (usage/audit.py): the record is canonical JSON of the usage record
// schema; the anchor transaction succeeded, is in a block of this chain, and carries the
// CheckpointAnchored event of the deployment's UsageLog with the bundle's size and root; the log
// id is that contract's on this chain; and SM3(0x00 ‖ record) is leaf `index` of that root by the
// RFC 9162 inclusion proof. Beyond the CLI, the bundle's UsageLog must be the deployment's (a
// contract of one's own could emit the same event), and the anchor's signer is named with its unit
// from the registry's events.
import canonicalize from "canonicalize";
import { AbiCoder, getAddress, getBytes, hexlify, keccak256, toUtf8Bytes } from "ethers";
import { INTERFACES } from "./rpc.js";
import { Registry } from "./audit.js";
import { ProofError, SM3, verifyInclusion } from "./merkle.js";

export const EVIDENCE_SCHEMA = "putuo.usage-evidence/1";
export const RECORD_SCHEMA = "putuo.usage-record/1";

function hex32(value, field) {
  if (typeof value !== "string" || !/^0x[0-9a-fA-F]{64}$/.test(value)) throw new Error(`${field} 不是 0x 加 64 位十六进制`);
  return getBytes(value);
}

function count(value, field) {
  const n = Number(value);
  if (!Number.isSafeInteger(n) || n < 0) throw new Error(`${field} 不是非负整数`);
  return n;
}

/** The usage log's id: keccak256(abi.encode(chain id, UsageLog address)) (chain/usage_log.py). */
export function usageLogId(chainId, address) {
  return keccak256(AbiCoder.defaultAbiCoder().encode(["uint256", "address"], [chainId, address]));
}

/**
 * Every problem of `bundle` against the chain `rpc` answers for and the deployment's `addresses`.
 * Returns {valid, problems, index, size, root, tx, block, at, signer, signerUnit, record}.
 */
export async function auditUsageBundle(rpc, addresses, bundle) {
  const out = { valid: false, problems: [], index: null };
  const problems = out.problems;
  let record, size, root, proof, tx, address, chainId;
  try {
    if (typeof bundle?.record !== "string") throw new Error("record 应为记录的规范 JSON 文本");
    record = toUtf8Bytes(bundle.record);
    out.index = count(bundle.index, "index");
    const checkpoint = bundle.checkpoint;
    if (checkpoint === null) {
      problems.push("这条记录尚未锚定：请在平台的下一个检查点之后重新获取证据包");
      return out;
    }
    out.size = size = count(checkpoint?.size, "checkpoint.size");
    root = hex32(checkpoint.root, "checkpoint.root");
    out.root = checkpoint.root;
    out.tx = tx = checkpoint.tx_hash;
    hex32(tx, "checkpoint.tx_hash");
    if (!Array.isArray(bundle.proof)) throw new Error("proof 应为哈希数组");
    proof = bundle.proof.map((h, i) => hex32(h, `proof[${i}]`));
    address = getAddress(String(bundle.usage_log));
    chainId = count(bundle.chain_id, "chain_id");
    hex32(bundle.log_id, "log_id");
  } catch (error) {
    problems.push(`不是 GET /v1/usage/{id} 的证据包：${error.shortMessage ?? error.message}`);
    return out;
  }

  try {
    out.record = JSON.parse(bundle.record);
    if (canonicalize(out.record) !== bundle.record) problems.push("record：不是 RFC 8785 规范 JSON（叶子按原文计算哈希）");
    if (out.record?.schema !== RECORD_SCHEMA) problems.push(`record：schema 为 ${JSON.stringify(out.record?.schema)}，应为 ${RECORD_SCHEMA}`);
  } catch {
    problems.push("record：不是 JSON");
  }
  const nodeChain = await rpc.chainId();
  if (nodeChain !== chainId) problems.push(`chain_id：证据包属于链 ${chainId}，该节点是链 ${nodeChain}`);
  if (usageLogId(chainId, address) !== String(bundle.log_id).toLowerCase()) {
    problems.push(`log_id：${bundle.log_id} 不是 keccak256(abi.encode(${chainId}, ${address}))`);
  }
  if (!addresses.UsageLog) problems.push("部署信息缺少 UsageLog 合约地址");
  else if (getAddress(addresses.UsageLog) !== address) {
    problems.push(`usage_log：证据包的合约 ${address} 不是本部署的 UsageLog 合约 ${getAddress(addresses.UsageLog)}`);
  }

  const receipt = await rpc.call("eth_getTransactionReceipt", [tx]);
  if (!receipt) {
    problems.push(`checkpoint.tx_hash：${tx} 不是本链上的交易`);
    return out;
  }
  if (Number(BigInt(receipt.status)) !== 1) problems.push(`checkpoint.tx_hash：交易 ${tx} 在链上执行失败`);
  const block = await rpc.call("eth_getBlockByNumber", [receipt.blockNumber, false]);
  if (!block || block.hash !== receipt.blockHash) problems.push(`checkpoint.tx_hash：交易 ${tx} 所在区块已不在链上（链重组）`);
  out.block = Number(BigInt(receipt.blockNumber));
  out.at = block ? Number(BigInt(block.timestamp)) : null;
  const iface = INTERFACES.UsageLog;
  const event = iface.getEvent("CheckpointAnchored");
  const anchors = receipt.logs.filter((log) => log.address.toLowerCase() === address.toLowerCase() && log.topics[0] === event.topicHash);
  if (anchors.length !== 1) {
    problems.push(`checkpoint.tx_hash：交易 ${tx} 没有在 UsageLog ${address} 锚定检查点`);
    return out;
  }
  const anchored = iface.decodeEventLog(event, anchors[0].data, anchors[0].topics);
  out.signer = anchored.signer;
  const registry = new Registry(rpc, addresses.UnitRegistry, addresses.deployBlock);
  const key = await registry.key(anchored.signer);
  const unit = key ? await registry.unit(key.unitId) : null;
  out.signerUnit = unit ? `${unit.name}（${unit.code}）` : null;
  if (Number(anchored.size) !== size || anchored.root !== hexlify(root)) {
    problems.push(`checkpoint：链上锚定的是大小 ${anchored.size}、根 ${anchored.root}，证据包写的是大小 ${size}、根 ${out.root}`);
    return out;
  }
  try {
    verifyInclusion(SM3, { index: out.index, size, leafHash: SM3.leaf(record), proof, root });
  } catch (error) {
    if (!(error instanceof ProofError)) throw error;
    problems.push(`proof：这条记录不是所锚定检查点的第 ${out.index} 个叶子：${error.message}`);
  }
  out.valid = problems.length === 0;
  return out;
}
