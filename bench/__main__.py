"""`python -m bench`: every benchmark, each printing ours, its baseline from the same run, and the ratio.

Sizes come from BENCH_* variables (see bench/bench_catalog.py); the defaults are the issue's
figures (100,000 entries for lookups) and take a few minutes on this machine.
"""

import sys

from bench import bench_catalog, bench_gas, bench_sharing, bench_signer, bench_usage_tree


def main() -> None:
    print("Signer (SM2 against `openssl speed sm2`, ECDSA):")
    sys.argv = sys.argv[:1]
    bench_signer.main()
    print("\nGas of a signed action (SM2 verified on-chain against ECDSA):")
    bench_gas.main()
    print("\nCatalog ledger:")
    bench_catalog.main()
    print("\nSharing:")
    bench_sharing.main()
    print("\nUsage log Merkle tree:")
    bench_usage_tree.main()


if __name__ == "__main__":
    main()
