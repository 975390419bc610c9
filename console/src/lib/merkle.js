// RFC 9162 (§2.1.3.2) inclusion proofs in the browser, as usage/proofs.py checks them: the inputs
// are checked against what the sizes call for first (index in range, every hash one digest long,
// the exact proof length), so a bad proof fails naming what was wrong; then the RFC's loop.
// The hash is a parameter: SM3 for the usage log, SHA-256 for the RFC's and transparency-dev's
// vectors (tests/console/test_merkle.py runs them through this module).
import { sm3 } from "sm-crypto-v2";

export const LEAF_PREFIX = 0x00;
export const NODE_PREFIX = 0x01;

/** A proof that fails; `code` is the usage.errors class the Python verifier raises for it. */
export class ProofError extends Error {
  constructor(code, message) {
    super(message);
    this.code = code;
  }
}

const hex = (bytes) => Array.from(bytes, (b) => b.toString(16).padStart(2, "0")).join("");
const joined = (...parts) => {
  const out = new Uint8Array(parts.reduce((n, p) => n + p.length, 0));
  let at = 0;
  for (const p of parts) {
    out.set(p, at);
    at += p.length;
  }
  return out;
};

/** RFC 9162 leaf and node hashes over `digest` (bytes → bytes of `size`). */
export function treeHasher(digest, size = 32) {
  return {
    size,
    leaf: (data) => digest(joined(Uint8Array.of(LEAF_PREFIX), data)),
    node: (left, right) => digest(joined(Uint8Array.of(NODE_PREFIX), left, right)),
  };
}

export const SM3 = treeHasher((bytes) => {
  const h = sm3(bytes);
  return Uint8Array.from(h.match(/../g), (b) => parseInt(b, 16));
});

const bitLength = (n) => (n === 0n ? 0 : n.toString(2).length);
const popcount = (n) => [...n.toString(2)].filter((c) => c === "1").length;

/** How many hashes the inclusion proof of `index` in a tree of `size` has (usage/_layout.py). */
export function inclusionLength(index, size) {
  const inner = bitLength(BigInt(index) ^ BigInt(size - 1));
  return inner + popcount(BigInt(index) >> BigInt(inner));
}

/** Check that `leafHash` is leaf `index` of the tree of `size` leaves whose root is `root`
 *  (all hashes Uint8Array); throws a ProofError naming the failure. */
export function verifyInclusion(hasher, { index, size, leafHash, proof, root }) {
  if (!(Number.isSafeInteger(index) && Number.isSafeInteger(size) && index >= 0 && index < size)) {
    throw new ProofError("LeafIndexOutOfRange", `叶子序号 ${index} 不在大小为 ${size} 的树中`);
  }
  if (leafHash.length !== hasher.size) throw new ProofError("HashLengthMismatch", `叶子哈希为 ${leafHash.length} 字节，应为 ${hasher.size} 字节`);
  proof.forEach((h, i) => {
    if (h.length !== hasher.size) throw new ProofError("HashLengthMismatch", `proof[${i}] 为 ${h.length} 字节，应为 ${hasher.size} 字节`);
  });
  const expected = inclusionLength(index, size);
  if (proof.length !== expected) throw new ProofError("ProofLengthMismatch", `证明有 ${proof.length} 个哈希，应为 ${expected} 个`);
  // §2.1.3.2, steps 2-5, on BigInt (sizes up to 2^48 exceed 32-bit shifts).
  let fn = BigInt(index);
  let sn = BigInt(size - 1);
  let r = leafHash;
  for (const p of proof) {
    if (sn === 0n) throw new ProofError("ProofLengthMismatch", `证明有 ${proof.length} 个哈希，应为 ${expected} 个`);
    if (fn & 1n || fn === sn) {
      r = hasher.node(p, r);
      while (fn && !(fn & 1n)) {
        fn >>= 1n;
        sn >>= 1n;
      }
    } else {
      r = hasher.node(r, p);
    }
    fn >>= 1n;
    sn >>= 1n;
  }
  if (sn !== 0n) throw new ProofError("ProofLengthMismatch", `证明有 ${proof.length} 个哈希，应为 ${expected} 个`);
  if (hex(r) !== hex(root)) throw new ProofError("RootMismatch", `由证明算出的根为 0x${hex(r)}，应为 0x${hex(root)}`);
}

/** How many hashes the consistency proof from `first` to `second` has (usage/_layout.py). */
export function consistencyLength(first, second) {
  if (first === second) return 0;
  const f = BigInt(first);
  const level = BigInt(bitLength(f & -f) - 1);
  const index = (f - 1n) >> level;
  const inner = bitLength(index ^ ((BigInt(second) - 1n) >> level));
  return (index !== 0n ? 1 : 0) + inner + popcount(index >> BigInt(inner));
}

/** Check that the tree of `second` leaves with `secondRoot` extends the one of `first` with
 *  `firstRoot` (RFC 9162 §2.1.4.2, as usage/proofs.py); throws a ProofError naming the failure. */
export function verifyConsistency(hasher, { first, second, firstRoot, secondRoot, proof }) {
  if (!(Number.isSafeInteger(first) && Number.isSafeInteger(second) && first > 0 && first <= second)) {
    throw new ProofError("TreeSizesOutOfOrder", `大小须满足 0 < first <= second，得到 ${first} 与 ${second}`);
  }
  proof.forEach((h, i) => {
    if (h.length !== hasher.size) throw new ProofError("HashLengthMismatch", `proof[${i}] 为 ${h.length} 字节，应为 ${hasher.size} 字节`);
  });
  const expected = consistencyLength(first, second);
  const lengthError = () => new ProofError("ProofLengthMismatch", `证明有 ${proof.length} 个哈希，应为 ${expected} 个`);
  if (proof.length !== expected) throw lengthError();
  if (first === second) {
    if (hex(firstRoot) !== hex(secondRoot)) throw new ProofError("RootMismatch", `大小相同而根不同：0x${hex(firstRoot)} 与 0x${hex(secondRoot)}`);
    return;
  }
  // §2.1.4.2, steps 2-7.
  const path = (first & (first - 1)) === 0 ? [firstRoot, ...proof] : [...proof];
  let fn = BigInt(first - 1);
  let sn = BigInt(second - 1);
  while (fn & 1n) {
    fn >>= 1n;
    sn >>= 1n;
  }
  let fr = path[0];
  let sr = path[0];
  for (const c of path.slice(1)) {
    if (sn === 0n) throw lengthError();
    if (fn & 1n || fn === sn) {
      fr = hasher.node(c, fr);
      sr = hasher.node(c, sr);
      while (fn && !(fn & 1n)) {
        fn >>= 1n;
        sn >>= 1n;
      }
    } else {
      sr = hasher.node(sr, c);
    }
    fn >>= 1n;
    sn >>= 1n;
  }
  if (sn !== 0n) throw lengthError();
  if (hex(fr) !== hex(firstRoot)) throw new ProofError("RootMismatch", `由证明算出的旧根为 0x${hex(fr)}，应为 0x${hex(firstRoot)}`);
  if (hex(sr) !== hex(secondRoot)) throw new ProofError("RootMismatch", `由证明算出的新根为 0x${hex(sr)}，应为 0x${hex(secondRoot)}`);
}
