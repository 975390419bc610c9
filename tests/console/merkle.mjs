// The console's RFC 9162 verifier (console/src/lib/merkle.js), in Node, on the vectors the Python
// verifier passes: each inclusion and consistency probe's verdict (the usage.errors class, or null), the RFC 6962
// reference proofs, and SM3 proofs made by usage.merkle. Env: PROBES, CONSISTENCY_PROBES, RFC, SM3_CASES
// (JSON files).
import { readFileSync } from "node:fs";
import { getBytes, sha256 } from "ethers";
import { SM3, treeHasher, verifyConsistency, verifyInclusion } from "../../console/src/lib/merkle.js";

const SHA256 = treeHasher((bytes) => getBytes(sha256(bytes)));
const bytes = (hex) => getBytes("0x" + hex.replace(/^0x/, ""));
const verdict = (hasher, c) => {
  try {
    verifyInclusion(hasher, { index: c.leaf_index, size: c.tree_size, leafHash: bytes(c.leaf_hash), proof: c.proof.map(bytes), root: bytes(c.root) });
    return null;
  } catch (error) {
    if (!error.code) throw error;
    return error.code;
  }
};
const consistent = (c) => {
  try {
    verifyConsistency(SHA256, { first: c.first, second: c.second, firstRoot: bytes(c.first_root), secondRoot: bytes(c.second_root), proof: c.proof.map(bytes) });
    return null;
  } catch (error) {
    if (!error.code) throw error;
    return error.code;
  }
};
const read = (name) => JSON.parse(readFileSync(process.env[name], "utf8"));
const probes = Object.fromEntries(read("PROBES").cases.map((c) => [c.name, verdict(SHA256, c)]));
const rfc = read("RFC");
const reference = rfc.inclusion.map((c) =>
  verdict(SHA256, { ...c, leaf_hash: Buffer.from(SHA256.leaf(bytes(rfc.leaves[c.leaf_index]))).toString("hex"), root: rfc.roots[c.tree_size] }),
);
const sm3 = read("SM3_CASES").map((c) => ({ leaf: Buffer.from(SM3.leaf(bytes(c.data))).toString("hex"), verdict: verdict(SM3, c) }));
const consistency = Object.fromEntries(read("CONSISTENCY_PROBES").cases.map((c) => [c.name, consistent(c)]));
const referenceConsistency = rfc.consistency.map((c) => consistent({ ...c, first_root: rfc.roots[c.first], second_root: rfc.roots[c.second] }));
process.stdout.write(JSON.stringify({ probes, reference, sm3, consistency, referenceConsistency }) + "\n");
