// JSON-RPC to the chain node: what the Audit page needs and nothing of the platform's API.
import { Interface } from "ethers";

/* global __ABIS__ */
export const INTERFACES = Object.fromEntries(Object.entries(__ABIS__).map(([name, abi]) => [name, new Interface(abi)]));

export class RpcError extends Error {}

export class Rpc {
  constructor(url) {
    this.url = url;
    this.id = 0;
    this.blocks = new Map();
  }

  async call(method, params = []) {
    let reply;
    try {
      const answer = await fetch(this.url, {
        method: "POST",
        headers: { "content-type": "application/json" },
        body: JSON.stringify({ jsonrpc: "2.0", id: ++this.id, method, params }),
      });
      reply = await answer.json();
    } catch (error) {
      throw Object.assign(new RpcError(`链节点 ${this.url} 无应答（${error.message}）`), { unreachable: true });
    }
    if (reply.error) throw new RpcError(`链节点拒绝 ${method}：${reply.error.message}`);
    return reply.result;
  }

  async chainId() {
    return Number(BigInt(await this.call("eth_chainId")));
  }

  /** Every log of `contract`'s event `name` from `fromBlock`, decoded: [{args, block, logIndex, tx}]. */
  async logs(contract, address, name, topics = [], fromBlock = 0) {
    const iface = INTERFACES[contract];
    const event = iface.getEvent(name);
    const raw = await this.call("eth_getLogs", [
      { address, fromBlock: "0x" + fromBlock.toString(16), toBlock: "latest", topics: [event.topicHash, ...topics] },
    ]);
    return raw.map((log) => ({
      name,
      args: iface.decodeEventLog(event, log.data, log.topics),
      block: Number(BigInt(log.blockNumber)),
      logIndex: Number(BigInt(log.logIndex)),
      tx: log.transactionHash,
    }));
  }

  async blockTime(number) {
    if (!this.blocks.has(number)) {
      const block = await this.call("eth_getBlockByNumber", ["0x" + number.toString(16), false]);
      if (!block) throw new RpcError(`链节点没有区块 ${number}`);
      this.blocks.set(number, Number(BigInt(block.timestamp)));
    }
    return this.blocks.get(number);
  }

  async transactionInput(hash) {
    const tx = await this.call("eth_getTransactionByHash", [hash]);
    if (!tx) throw new RpcError(`链节点没有交易 ${hash}`);
    return tx.input;
  }
}

/** The addresses of a deployment (the answer of GET /v1/deployment). */
export function addressesOf(deployment) {
  const out = { deployBlock: Number(deployment?.deploy_block ?? 0), chainId: deployment?.chain_id };
  for (const c of deployment?.contracts ?? []) out[c.name] = c.address;
  for (const name of ["UnitRegistry", "Catalog"]) { // Sharing: checked where a commitment needs it
    if (!/^0x[0-9a-fA-F]{40}$/.test(out[name] ?? "")) throw new Error(`部署信息缺少 ${name} 合约地址`);
  }
  return out;
}
