// The officer's side of the console: the opened key (kept in this page's memory only) and the
// one path every catalog action takes — ask the API for the EIP-712 message, check that it says
// what the officer's document says, sign here, send, wait for the chain — as
// ledger_cli/officer_actions.py does it. The API names the chain and the contract (the domain),
// never what is signed.
import { TypedDataEncoder, getBytes, hexlify, keccak256, toUtf8Bytes, concat, toBeHex } from "ethers";
import { ApiError, credentials, get, post } from "./api.js";
import { canonicalBytes } from "./crypto.js";
import { signDigest, typedDataDigest } from "./sign.js";
import { openKeystore } from "./keystore.js";

export const session = { key: null, unit: null, token: null };

// After a confirmed step a desk redraws, a moment later, to show the new state. Not if the officer
// has meanwhile closed the key, opened another or gone to another page: the redraw would throw
// away what they are now looking at (and, seen in a browser test, blank a section being read).
export function redrawSoon(redraw, delay = 1000) {
  const key = session.key;
  const where = location.hash;
  setTimeout(() => {
    if (session.key === key && location.hash === where) redraw();
  }, delay);
}
/** For a desk that reads in waves: throws once the officer has closed `key` or opened another
 *  since the desk began, so that its later reads do not go out without the token (a 401). */
export function stillOpen(key) {
  if (session.key !== key) throw new Error("本人密钥已关闭或更换：本栏不再显示");
}
const SHARING_SIGNED = { unconditional: 1, conditional: 2, not_shared: 3 };
const POLL_MS = 250;
const WAIT_MS = 120_000;

/** Open a keystore file, find the key's unit in the registry's mirror, and log in with it. */
export async function openOfficerKey(text, password) {
  const key = await openKeystore(text, password);
  const units = await get("/v1/units");
  // Every unit's keys at once (the API has no lookup by key id): one round trip, not one per unit.
  const keysOf = await Promise.all(units.map((unit) => get(`/v1/units/${unit.unit_id}/keys`)));
  for (const [i, unit] of units.entries()) {
    if (keysOf[i].some((k) => k.key_id.toLowerCase() === key.keyId.toLowerCase() && k.active)) {
      Object.assign(session, { key, unit, token: null });
      try {
        await login();
      } catch (error) {
        closeOfficerKey(); // a key that could not log in stays closed: nothing half-open
        throw error;
      }
      return session;
    }
  }
  key.privateKey.fill(0);
  throw new Error(`密钥 ${key.keyId} 不是任何单位在链上登记的有效密钥；请政务办登记（ledger units add-officer）`);
}

export function closeOfficerKey() {
  if (session.key) session.key.privateKey.fill(0);
  Object.assign(session, { key: null, unit: null, token: null });
  credentials.token = null;
}

/** Log in as the opened key (api/auth): the platform's challenge is signed here, after its
 *  EIP-712 digest is recomputed from its typed data and its key is checked to be the officer's.
 *  The token stays in this page's memory. */
export async function login() {
  if (!session.key) throw new Error("请先打开本人的密钥文件");
  if (session.token) return session.token;
  const issued = await post("/v1/auth/challenge", { key_id: session.key.keyId });
  const digest = loginDigest(issued, session.key.keyId, location.origin);
  const answer = await post("/v1/auth/token", { challenge: issued.challenge, signature: signDigest(session.key, digest) });
  session.token = credentials.token = answer.token;
  return session.token;
}

const LOGIN_TYPES = {
  PutuoLogin: [
    { name: "keyId", type: "address" },
    { name: "audience", type: "string" },
    { name: "nonce", type: "bytes32" },
    { name: "issuedAt", type: "uint64" },
    { name: "expiresAt", type: "uint64" },
  ],
};

/** The digest to sign for the API's login challenge (docs/PROTOCOL.md, login), derived here from
 *  the challenge once it is this key's and names this page's origin as its audience, as
 *  ledger_cli/login_cmd.py checks it: a challenge relayed from another site is refused, and the
 *  API's typed data is never signed as given (it could be an action's). */
export function loginDigest(issued, keyId, origin) {
  const c = issued?.challenge ?? {};
  const domain = issued?.typed_data?.domain ?? {};
  if (String(c.key_id).toLowerCase() !== keyId.toLowerCase()) {
    throw new RefusedToSign(`平台给出的登录挑战属于密钥 ${c.key_id}，不是本人密钥 ${keyId}，拒绝签名`);
  }
  if (c.audience !== origin) {
    throw new RefusedToSign(
      `登录挑战的受众是 ${c.audience}，而本页来自 ${origin}：拒绝为另一地址签名登录` +
        "（请从平台的地址打开控制台；经代理访问时，平台的 LEDGER_AUTH_AUDIENCE 应为本页的地址）",
    );
  }
  const message = { keyId: c.key_id, audience: c.audience, nonce: c.nonce, issuedAt: c.issued_at, expiresAt: c.expires_at };
  const ours = { name: "PutuoLedgerLogin", version: "1", chainId: domain.chainId, verifyingContract: domain.verifyingContract };
  const digest = TypedDataEncoder.hash(ours, LOGIN_TYPES, message);
  if (digest !== issued.digest || typedDataDigest(issued.typed_data) !== digest) {
    throw new RefusedToSign("平台给出的登录消息与其挑战不符，拒绝签名");
  }
  return digest;
}

/** A fresh 128-bit nonce, as a decimal string (chain.actions.fresh_nonce). */
export function freshNonce() {
  return BigInt(hexlify(crypto.getRandomValues(new Uint8Array(16)))).toString();
}

/** The entry id of `code` for `unitId`: keccak256(unit id ‖ UTF-8 code) (chain.actions.entry_id_for). */
export function entryIdFor(unitId, code) {
  return keccak256(concat([unitId, toUtf8Bytes(code)]));
}

export class RefusedToSign extends Error {}

/** What the message must say, derived here from the document: refuse to sign anything else. */
function expectedMessage(request) {
  const { kind, entry_id: entryId, version, document, nonce } = request;
  const expected = {
    kind: { submit: 0, resubmit: 1, request_change: 2, request_delete: 3, review: 4, record_collection: 5 }[kind],
    entryId,
    version,
    document: hexlify(canonicalBytes(document)),
    nonce,
  };
  if (["submit", "resubmit", "request_change"].includes(kind)) expected.sharing = SHARING_SIGNED[document.sharing?.attribute];
  if (kind === "submit" && document.basis_event?.date) {
    expected.declaredAt = Date.parse(`${document.basis_event.date}T00:00:00+08:00`) / 1000;
  }
  if (kind === "review") expected.reasonCode = document.decision === "approve" ? 0 : document.reason_code;
  return expected;
}

function checkTypedData(answer, request) {
  if (answer.domain?.name !== "PutuoCatalog" || answer.domain?.version !== "1" || answer.primaryType !== "CatalogAction") {
    throw new RefusedToSign(`平台给出的签名域不是 PutuoCatalog 第 1 版（${answer.domain?.name}），拒绝签名`);
  }
  for (const [field, value] of Object.entries(expectedMessage(request))) {
    const got = answer.message?.[field];
    const same = field === "document" || field === "entryId" ? String(got).toLowerCase() === String(value).toLowerCase() : String(got) === String(value);
    if (!same) throw new RefusedToSign(`平台给出的待签消息在 ${field} 上与文档不符，拒绝签名`);
  }
}

/** Check a document against the API's schema without signing: null when valid, else the error. */
export async function validateCatalogDocument(kind, entryId, document) {
  try {
    await post("/v1/catalog/typed-data", { kind, entry_id: entryId, version: 0, document, nonce: "1" });
    return null;
  } catch (error) {
    if (error instanceof ApiError) return error;
    throw error;
  }
}

/**
 * Sign and send a catalog action; resolves with {accepted, status} once the chain confirmed it.
 * `path` is the route (`/v1/catalog/entries`, `…/versions/{n}/review`, …); `body` extra fields.
 */
export async function catalogAction({ kind, entryId, version = 0, document, path, body = {}, onStatus = () => {} }) {
  if (!session.key) throw new Error("请先打开本人的密钥文件");
  const request = { kind, entry_id: entryId, version, document, nonce: freshNonce() };
  const typed = await post("/v1/catalog/typed-data", request);
  checkTypedData(typed, request);
  const signature = signDigest(session.key, typedDataDigest(typed));
  onStatus("已签名，正在提交……");
  const accepted = await post(path, { ...body, document, nonce: request.nonce, signature });
  if (accepted.signer.toLowerCase() !== session.key.keyId.toLowerCase()) {
    throw new Error(`平台恢复出的签名者是 ${accepted.signer}，不是本人密钥 ${session.key.keyId}：平台验证的是另一条链或合约`);
  }
  onStatus("平台已受理，等待链上确认……");
  const status = await waitConfirmed(accepted.action_id);
  return { accepted, status, signature };
}

export async function waitConfirmed(actionId) {
  const deadline = Date.now() + WAIT_MS;
  for (;;) {
    const status = await get(`/v1/catalog/actions/${actionId}`);
    if (status.status === "confirmed") return status;
    if (!["accepted", "sent"].includes(status.status)) {
      // The contract's refusal keeps the API's code and field, for the page to say what to do.
      throw Object.assign(new Error(`链上拒绝：${status.error?.message ?? status.status}`), { code: status.error?.code, field: status.error?.field });
    }
    if (Date.now() > deadline) throw new Error(`操作 ${actionId} 仍未确认（${status.status}）`);
    await new Promise((resolve) => setTimeout(resolve, POLL_MS));
  }
}

export { getBytes, toBeHex };
