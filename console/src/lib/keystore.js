// Opening a `putuo.keystore/1` file in the browser, exactly as signer/_sealed.py unseals it: the
// private key never leaves the page (the file is read with the File API, decrypted here, and
// kept only in this page's memory until it is closed or reloaded).
//
// scrypt(password, salt, n, r, p) gives 64 bytes: the first 32 key AES-256-GCM, whose associated
// data is the RFC 8785 bytes of the header (every field but `ciphertext`); the last 32 key an
// HMAC-SHA256 of the tag below, truncated to 16 bytes: `password_check`, which tells a wrong
// password from a file changed after sealing when decryption fails.
import { SigningKey, computeHmac, getBytes, hexlify, scrypt, toUtf8Bytes } from "ethers";
import { sm2 } from "sm-crypto-v2";
import { canonicalBytes, keyIdOf, parseStrict } from "./crypto.js";

export const SCHEMA = "putuo.keystore/1";
const CHECK_TAG = toUtf8Bytes("putuo.keystore/1 password check");
const MAX_SCRYPT_MEMORY = 2 ** 28;
const CURVES = { ecdsa: "secp256k1", sm2: "sm2p256v1" };

export class KeystoreError extends Error {}

/** The public part of a keystore file (no password; not authenticated until opened). */
export function readHeader(text) {
  let doc;
  try {
    doc = parseStrict(text);
  } catch (error) {
    throw new KeystoreError(`密钥文件不是有效的 JSON：${error.message}`);
  }
  if (doc?.schema !== SCHEMA) throw new KeystoreError(`不是本平台的密钥文件（schema 应为 ${SCHEMA}）`);
  if (CURVES[doc.scheme] !== doc.curve) throw new KeystoreError("密钥文件的算法与曲线不一致");
  const { n, r, p } = doc.kdf ?? {};
  const powerOfTwo = Number.isInteger(n) && n > 1 && (n & (n - 1)) === 0;
  const bounded = Number.isInteger(r) && r >= 1 && r <= 32 && Number.isInteger(p) && p >= 1 && p <= 16;
  // As signer/_sealed.py: refuse a file crafted to exhaust memory (at most 256 MiB of scrypt).
  if (doc.kdf?.name !== "scrypt" || doc.cipher?.name !== "aes-256-gcm" || !powerOfTwo || !bounded || 128 * r * n > MAX_SCRYPT_MEMORY) {
    throw new KeystoreError("密钥文件的 kdf/cipher 参数不受支持或不安全");
  }
  if ((doc.scheme === "sm2") !== (typeof doc.user_id === "string")) {
    throw new KeystoreError("密钥文件的 user_id 须只在 SM2 密钥中出现");
  }
  if (keyIdOf(doc.scheme, doc.public_key).toLowerCase() !== String(doc.key_id).toLowerCase()) {
    throw new KeystoreError("密钥文件被改动：key_id 与公钥不符");
  }
  const { ciphertext, ...header } = doc;
  return { doc, header, ciphertext };
}

/** Open the keystore `text` with `password`: {scheme, keyId, publicKey, userId, name, privateKey}. */
export async function openKeystore(text, password) {
  const { doc, header, ciphertext } = readHeader(text);
  const dk = getBytes(await scrypt(toUtf8Bytes(password), doc.kdf.salt, doc.kdf.n, doc.kdf.r, doc.kdf.p, 64));
  const check = getBytes(computeHmac("sha256", dk.slice(32), CHECK_TAG)).slice(0, 16);
  const aesKey = await crypto.subtle.importKey("raw", dk.slice(0, 32), "AES-GCM", false, ["decrypt"]);
  let privateKey;
  try {
    privateKey = new Uint8Array(
      await crypto.subtle.decrypt(
        { name: "AES-GCM", iv: getBytes(doc.cipher.nonce), additionalData: canonicalBytes(header), tagLength: 128 },
        aesKey,
        getBytes(ciphertext),
      ),
    );
  } catch {
    if (hexlify(check) === String(doc.password_check).toLowerCase()) {
      throw new KeystoreError("密钥文件在加密后被改动过（头部或密文不符）");
    }
    throw new KeystoreError("密码错误");
  }
  const derived =
    doc.scheme === "ecdsa"
      ? new SigningKey(privateKey).publicKey
      : "0x" + sm2.getPublicKeyFromPrivateKey(hexlify(privateKey).slice(2));
  if (derived.toLowerCase() !== doc.public_key.toLowerCase()) {
    throw new KeystoreError("解密出的私钥与文件中的公钥不符");
  }
  return {
    scheme: doc.scheme,
    keyId: doc.key_id,
    publicKey: doc.public_key,
    userId: doc.user_id ?? null,
    name: doc.name ?? null,
    privateKey,
  };
}
