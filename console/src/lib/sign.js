// Signing in the browser, the way the CLI signs (chain/signatures.py, signer/detached.py):
// - an action: its EIP-712 digest; ECDSA 65 bytes r‖s‖v (RFC 6979, low s, v 27/28: byte-identical
//   to eth-account's), or SM2: the 20-byte key id ‖ strict DER of SM2(Z_A, user id
//   1234567812345678) over the digest — never 65 bytes long, which would read as ECDSA;
// - a document (a commitment): `putuo.signature/1` over TAG ‖ keccak256(canonical JSON), SM2 with
//   Z_A, or ECDSA as an EIP-191 personal message.
import { SigningKey, TypedDataEncoder, concat, getBytes, hashMessage, hexlify, toUtf8Bytes } from "ethers";
import { sm2 } from "sm-crypto-v2";
import { KEY_ID_BYTES, SM2_USER_ID, documentHash } from "./crypto.js";

export const SIGNED_MESSAGE_TAG = concat([toUtf8Bytes("putuo.signature/1"), "0x00"]);

function sm2Der(key, message) {
  return (
    "0x" +
    sm2.doSignature(getBytes(message), hexlify(key.privateKey).slice(2), {
      der: true,
      hash: true,
      publicKey: key.publicKey.slice(2),
      userId: SM2_USER_ID,
    })
  );
}

/** The EIP-712 digest of the API's typed data (`types` holds EIP712Domain, which ethers derives itself). */
export function typedDataDigest(typed) {
  const { EIP712Domain, ...types } = typed.types;
  void EIP712Domain;
  return TypedDataEncoder.hash(typed.domain, types, typed.message);
}

/** `key`'s signature of a 32-byte action digest, in the form the contracts take. */
export function signDigest(key, digest) {
  if (key.scheme === "ecdsa") return new SigningKey(key.privateKey).sign(digest).serialized;
  if (key.userId !== SM2_USER_ID) throw new Error(`SM2 操作签名须使用默认用户标识 ${SM2_USER_ID}`);
  for (;;) {
    const signature = concat([key.keyId, sm2Der(key, digest)]);
    if (getBytes(signature).length !== 65) return signature;
  }
}

/** A `putuo.signature/1` object for `document` (a JSON value) by `key`. */
export function signDocument(key, document) {
  const hash = documentHash(document);
  const message = concat([SIGNED_MESSAGE_TAG, hash]);
  const signature =
    key.scheme === "sm2" ? sm2Der(key, message) : new SigningKey(key.privateKey).sign(hashMessage(getBytes(message))).serialized;
  const out = { schema: "putuo.signature/1", scheme: key.scheme, key_id: key.keyId, public_key: key.publicKey };
  if (key.scheme === "sm2") out.user_id = key.userId;
  return { ...out, document_hash: hash, signature };
}

export { KEY_ID_BYTES };
