// The project's signature rules in the browser, as signer/ and chain/ define them in Python:
// keccak256 of RFC 8785 canonical JSON identifies a document; an officer's action signature is
// 65-byte ECDSA r‖s‖v over the EIP-712 digest, or the SM2 key id (20 bytes) ‖ strict DER over the
// digest (SM3 with Z_A, user id 1234567812345678); a key id is the EIP-55 address (ECDSA) or
// keccak256(04‖X‖Y)[:20] (SM2).
import canonicalize from "canonicalize";
import { getAddress, getBytes, hexlify, keccak256, recoverAddress, toUtf8Bytes } from "ethers";
import { sm2 } from "sm-crypto-v2";

export const SM2_USER_ID = "1234567812345678";
export const KEY_ID_BYTES = 20;

/** The RFC 8785 bytes of a JSON value. */
export function canonicalBytes(value) {
  return toUtf8Bytes(canonicalize(value));
}

/** keccak256 of a document's canonical bytes: its on-chain id. */
export function documentHash(value) {
  return keccak256(canonicalBytes(value));
}

/** Parse JSON text, refusing duplicate keys (two readers could see two documents behind one hash). */
export function parseStrict(text) {
  const value = JSON.parse(text);
  if (hasDuplicateKeys(text)) throw new Error("JSON 中有重复的字段名");
  return value;
}

function hasDuplicateKeys(text) {
  // The text is valid JSON here; a stack with one key set per open object (null for an array).
  const stack = [];
  for (let i = 0; i < text.length; i += 1) {
    const c = text[i];
    const top = stack[stack.length - 1];
    if (c === '"') {
      let j = i + 1;
      while (text[j] !== '"') j += text[j] === "\\" ? 2 : 1;
      if (top && top.expectKey) {
        const key = JSON.parse(text.slice(i, j + 1));
        if (top.keys.has(key)) return true;
        top.keys.add(key);
        top.expectKey = false;
      }
      i = j;
    } else if (c === "{") stack.push({ keys: new Set(), expectKey: true });
    else if (c === "[") stack.push(null);
    else if (c === "}" || c === "]") stack.pop();
    else if (c === "," && top) top.expectKey = true;
  }
  return false;
}

/** The key id of a 65-byte public key (0x04‖X‖Y) under `scheme`. */
export function keyIdOf(scheme, publicKey) {
  const bytes = getBytes(publicKey);
  if (scheme === "ecdsa") return getAddress("0x" + keccak256(bytes.slice(1)).slice(-40));
  return "0x" + keccak256(bytes).slice(2, 2 + 40);
}

/** Whether the DER `signature` is SM2 of `message` (bytes) by `publicKey` (0x04…), with Z_A. */
export function sm2Verify(publicKey, message, derSignature) {
  return sm2.doVerifySignature(getBytes(message), hexlify(derSignature).slice(2), hexlify(publicKey).slice(2), {
    der: true,
    hash: true,
    userId: SM2_USER_ID,
  });
}

/** The key id that signed an action digest: ECDSA recovered; SM2 when the first 20 bytes name a
 *  key `sm2PublicKeyOf` knows, verified against that registered key. Throws with the reason. */
export function recoverActionSigner(digest, signature, sm2PublicKeyOf) {
  const sig = getBytes(signature);
  if (sig.length > KEY_ID_BYTES && sig.length !== 65) {
    const keyId = hexlify(sig.slice(0, KEY_ID_BYTES));
    const publicKey = sm2PublicKeyOf(keyId);
    if (!publicKey) throw new Error(`签名指明的 SM2 密钥 ${keyId} 未在链上登记`);
    if (!sm2Verify(publicKey, digest, sig.slice(KEY_ID_BYTES))) {
      throw new Error(`SM2 密钥 ${keyId} 的签名与该操作不符（签的是其他内容或其他密钥）`);
    }
    return keyId;
  }
  if (sig.length !== 65) throw new Error(`签名长度 ${sig.length} 字节，应为 65 字节（ECDSA）`);
  return recoverAddress(digest, hexlify(sig));
}
