// Logging in as the opened officer key (api/auth): the platform's challenge is signed here, after
// its EIP-712 digest is recomputed from its typed data and its key is checked to be the officer's;
// the token is kept in this page's memory only. Used for the Art. 18 platform signing service.
import { post } from "./api.js";
import { RefusedToSign, session } from "./officer.js";
import { signDigest, typedDataDigest } from "./sign.js";

export async function login() {
  if (!session.key) throw new Error("请先打开本人的密钥文件");
  if (session.token) return session.token;
  const issued = await post("/v1/auth/challenge", { key_id: session.key.keyId });
  const digest = typedDataDigest(issued.typed_data);
  if (digest !== issued.digest || issued.challenge.key_id.toLowerCase() !== session.key.keyId.toLowerCase()) {
    throw new RefusedToSign("平台给出的登录挑战与其摘要或本人密钥不符，拒绝签名");
  }
  const answer = await post("/v1/auth/token", { challenge: issued.challenge, signature: signDigest(session.key, digest) });
  session.token = answer.token;
  return session.token;
}
