// The Office account's transactions on the UnitRegistry — register an officer's keys, revoke a
// key, rotate one (Art. 6: the Office manages units and officers) — signed in the browser and
// sent to the chain node the platform names (config.json), as `ledger units add-officer / revoke`
// sends them from the Office's machine. The account's keystore is opened here and its key never
// leaves the page. Each call is simulated first (ethers estimates its gas), so a transaction the
// registry would refuse is never sent: the contract's custom error is told in Chinese instead.
import { Contract, JsonRpcProvider, Wallet, ZeroAddress, hexlify } from "ethers";
import { get } from "./api.js";
import { INTERFACES } from "./rpc.js";
import { openKeystore } from "./keystore.js";

export const office = { wallet: null, registry: null, address: null, last: null };

export async function openOfficeAccount(text, password) {
  const key = await openKeystore(text, password);
  try {
    if (key.scheme !== "ecdsa") throw new Error("政务办账户是 ECDSA 账户：请打开其 ECDSA 密钥文件");
    const [config, deployment] = await Promise.all([get("config.json"), get("/v1/deployment")]);
    const address = deployment.contracts.find((c) => c.name === "UnitRegistry").address;
    const provider = new JsonRpcProvider(config.rpc_url, deployment.chain_id, { staticNetwork: true, batchMaxCount: 1 });
    const wallet = new Wallet(hexlify(key.privateKey), provider);
    const registry = new Contract(address, INTERFACES.UnitRegistry, wallet);
    if (!(await registry.hasRole(await registry.OFFICE_ROLE(), wallet.address))) {
      throw new Error(`账户 ${wallet.address} 不持有单位登记合约的政务办角色（OFFICE_ROLE）`);
    }
    Object.assign(office, { wallet, registry, address: wallet.address });
    return office;
  } finally {
    key.privateKey.fill(0);
  }
}

export function closeOfficeAccount() {
  Object.assign(office, { wallet: null, registry: null, address: null, last: null });
}

const REFUSALS = {
  AccessControlUnauthorizedAccount: ([account]) => `账户 ${account} 不持有单位登记合约的政务办角色`,
  RegistryUnknownUnit: ([unitId]) => `单位 ${unitId} 未登记`,
  RegistryKeyExists: ([keyId]) => `密钥 ${keyId} 已登记过（密钥编号即使吊销后也不再复用）`,
  RegistryUnknownKey: ([keyId]) => `密钥 ${keyId} 未登记`,
  RegistryKeyAlreadyRevoked: ([keyId, block]) => `密钥 ${keyId} 已于区块 ${block} 吊销`,
  RegistryInvalidSm2PublicKey: ([length]) => `SM2 公钥为 ${length} 字节，应为 0x04 开头的 65 字节`,
  SM2InvalidPublicKey: () => "SM2 公钥不是 SM2 曲线上的点",
  RegistryZeroKey: () => "请至少给出一个密钥（ECDSA 或 SM2）",
};

async function send(method, args) {
  if (!office.registry) throw new Error("请先打开政务办账户的密钥文件");
  let tx;
  try {
    tx = await office.registry[method](...args);
  } catch (error) {
    // ethers names the error when the call's own ABI has it; the data is parsed here too.
    let revert = error.revert;
    try {
      revert ??= error.data ? INTERFACES.UnitRegistry.parseError(error.data) : null;
    } catch {
      revert = null;
    }
    if (revert && REFUSALS[revert.name]) throw new Error(`单位登记合约拒绝：${REFUSALS[revert.name]([...revert.args])}（未发送交易）`);
    throw new Error(`未能发送：${error.shortMessage ?? error.message}${error.data ? `（${error.data}）` : ""}`);
  }
  const receipt = await tx.wait();
  if (receipt.status !== 1) throw new Error(`交易 ${tx.hash} 在链上执行失败`);
  office.last = { method, hash: receipt.hash, block: receipt.blockNumber };
  return receipt;
}

/** Register an officer's keys for `unitId`: an ECDSA key id and/or a 65-byte SM2 public key. */
export function registerOfficer(unitId, ecdsaKeyId, sm2PublicKey) {
  return send("registerOfficer", [unitId, ecdsaKeyId ?? ZeroAddress, sm2PublicKey ?? "0x"]);
}

export function revokeKey(keyId) {
  return send("revokeKey", [keyId]);
}

/** Revoke `oldKeyId` and register the new keys for the same unit, in one transaction. */
export function rotateKey(oldKeyId, ecdsaKeyId, sm2PublicKey) {
  return send("rotateKey", [oldKeyId, ecdsaKeyId ?? ZeroAddress, sm2PublicKey ?? "0x"]);
}
