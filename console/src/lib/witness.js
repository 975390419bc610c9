// A witness of the usage log in the browser, as `ledger witness` (usage/witness.py) is on the
// Office's or a regulator's machine: the newest checkpoint is read from the chain (UsageLog), never
// from the log operator; the last checkpoint this unit co-signed is read from the chain's
// CheckpointCosigned events too; the operator (the API) supplies only the consistency proof, which
// is checked here between those two roots. A fork (two roots for one size) or a proof that does not
// hold, and nothing is signed. The first co-signature of a unit is trusted on first use.
import { AbiCoder, TypedDataEncoder, zeroPadValue } from "ethers";
import { get, post } from "./api.js";
import { INTERFACES, Rpc } from "./rpc.js";
import { freshNonce, session } from "./officer.js";
import { signDigest } from "./sign.js";
import { ProofError, SM3, verifyConsistency } from "./merkle.js";

const USAGE_ACTION_TYPES = {
  UsageAction: [
    { name: "kind", type: "uint8" },
    { name: "document", type: "bytes" },
    { name: "nonce", type: "uint256" },
  ],
};
const COSIGN = 1;
const bytes = (hex) => Uint8Array.from(hex.slice(2).match(/../g), (b) => parseInt(b, 16));

export class WitnessRefusal extends Error {}

async function view(rpc, address, name, args = []) {
  const iface = INTERFACES.UsageLog;
  const answer = await rpc.call("eth_call", [{ to: address, data: iface.encodeFunctionData(name, args) }, "latest"]);
  return iface.decodeFunctionResult(name, answer);
}

/** What the chain says: the newest checkpoint and the last one the officer's unit co-signed. */
export async function witnessState() {
  const [config, deployment] = await Promise.all([get("config.json"), get("/v1/deployment")]);
  const address = deployment.contracts.find((c) => c.name === "UsageLog")?.address;
  if (!address) throw new Error("部署信息缺少 UsageLog 合约地址");
  const rpc = new Rpc(config.rpc_url);
  const size = Number((await view(rpc, address, "latestSize"))[0]);
  const state = { rpc, address, chainId: deployment.chain_id, deployBlock: deployment.deploy_block, latest: null, seen: null };
  if (size === 0) return state;
  const [checkpoint] = await view(rpc, address, "checkpoint", [size]);
  state.latest = { size, root: checkpoint.root, cosignatures: Number(checkpoint.cosignatures) };
  const unitTopic = zeroPadValue(session.unit.unit_id, 32);
  const cosigned = await rpc.logs("UsageLog", address, "CheckpointCosigned", [null, unitTopic], state.deployBlock);
  if (cosigned.length) {
    const last = cosigned.reduce((a, b) => (Number(b.args.size) > Number(a.args.size) ? b : a));
    const [onChain] = await view(rpc, address, "checkpoint", [Number(last.args.size)]);
    state.seen = { size: Number(last.args.size), root: last.args.root, rootOnChain: onChain.root, block: last.block };
  }
  return state;
}

/** Check the newest checkpoint against the last one co-signed, then co-sign it (signed here). */
export async function cosignLatest(state, onStatus = () => {}) {
  const { latest, seen } = state;
  if (!latest) throw new WitnessRefusal("使用日志尚无锚定的检查点");
  let checked = "本单位首次联署：以链上检查点为起点（首次信任）";
  if (seen) {
    if (seen.rootOnChain !== seen.root) {
      throw new WitnessRefusal(`日志分叉：大小 ${seen.size} 的检查点链上根为 ${seen.rootOnChain}，本单位联署的是 ${seen.root}；拒绝联署`);
    }
    if (latest.size <= seen.size) throw new WitnessRefusal(`本单位已联署到大小 ${seen.size} 的检查点，没有更新的检查点`);
    const answer = await get("/v1/usage/consistency", { first: seen.size, second: latest.size });
    try {
      verifyConsistency(SM3, {
        first: seen.size, second: latest.size, firstRoot: bytes(seen.root), secondRoot: bytes(latest.root), proof: answer.proof.map(bytes),
      });
    } catch (error) {
      if (!(error instanceof ProofError)) throw error;
      throw new WitnessRefusal(`日志不一致：大小 ${latest.size} 的检查点不是大小 ${seen.size} 的延伸（${error.message}）；拒绝联署`);
    }
    checked = `一致性证明成立：大小 ${latest.size} 的检查点延伸了本单位上次联署的大小 ${seen.size} 的检查点`;
  }
  onStatus(`${checked}；正在签名联署……`);
  const document = AbiCoder.defaultAbiCoder().encode(["uint64", "bytes32"], [latest.size, latest.root]);
  const nonce = freshNonce();
  const domain = { name: "PutuoUsageLog", version: "1", chainId: state.chainId, verifyingContract: state.address };
  const digest = TypedDataEncoder.hash(domain, USAGE_ACTION_TYPES, { kind: COSIGN, document, nonce });
  const cosigned = await post("/v1/usage/cosignatures", { checkpoint: document, nonce, signature: signDigest(session.key, digest) });
  return { ...cosigned, checked };
}
