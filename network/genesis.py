"""The genesis of a Clique network that geth v1.13.15 accepts and that runs the contracts' fork.

Clique in geth 1.13 refuses Shanghai and Cancun headers, so the chain config stops at London with
the fork blocks that followed it and changed nothing a contract sees (Arrow Glacier, Gray Glacier,
the merge netsplit block). The contracts are compiled for `paris`, whose opcodes London runs alike
(0x44 is DIFFICULTY here, PREVRANDAO there; none of our contracts reads it). No
`terminalTotalDifficulty`: a Clique chain never merges, and geth would wait for a beacon client.
"""

from __future__ import annotations

from eth_utils import to_checksum_address

# Not anvil's 31337: deployment records are kept per chain id (chain/deploy.py).
CHAIN_ID = 31338
# Twice the local nodes' 60M (chain/node.py): sized for the district's load, not a development
# node's. A catalog submission uses ≈220k gas and geth packs the next transaction only while its
# gas limit (the relayer's bound, about twice the use) fits what the block has left: a 60M block
# took four relayed batches of 50 (≈45M used) and was the ceiling (bench/bench_network_actions.py,
# load 2.5: 148 actions/s settled); at 120M, up to nine (211 actions/s, same machine state). Every
# validator executes every block within the period, so more is not free: one run at 240M on a busier
# machine gave no more. docs/DEPLOYMENT.md, Gas.
GAS_LIMIT = 120_000_000
BASE_FEE = 1_000_000_000  # 1 gwei, London's initial base fee; it moves by the blocks' use after
EPOCH = 30_000  # blocks between checkpoints that reset pending votes (geth's default)
VANITY_BYTES = 32
SEAL_BYTES = 65
FORK_BLOCKS = (
    "homesteadBlock",
    "eip150Block",
    "eip155Block",
    "eip158Block",
    "byzantiumBlock",
    "constantinopleBlock",
    "petersburgBlock",
    "istanbulBlock",
    "muirGlacierBlock",
    "berlinBlock",
    "londonBlock",
    "arrowGlacierBlock",
    "grayGlacierBlock",
    "mergeNetsplitBlock",
)


def clique_extradata(signers: list[str]) -> bytes:
    """32 zero bytes of vanity, the signer addresses sorted ascending, 65 zero bytes for the seal.

    Clique's genesis lists its signers here; geth keeps them sorted and a genesis whose list is not
    sorted yields a signer set other nodes disagree with.
    """
    addresses = sorted(bytes.fromhex(to_checksum_address(a)[2:]) for a in signers)
    if len(set(addresses)) != len(addresses):
        raise ValueError("a signer is listed twice")
    return bytes(VANITY_BYTES) + b"".join(addresses) + bytes(SEAL_BYTES)


def genesis(
    signers: list[str],
    *,
    period: int,
    funded: dict[str, int],
    chain_id: int = CHAIN_ID,
    timestamp: int = 0,
    gas_limit: int = GAS_LIMIT,
    base_fee: int = BASE_FEE,
    on_demand: bool = False,
) -> dict:
    """The genesis document for `geth init`: Clique with `period` seconds between blocks, each of
    `funded` (address → wei) given its balance, the first block's gas limit and base fee.

    Period 0 (`on_demand` only) seals a block as soon as a transaction waits and none otherwise:
    the test suite's network (network/local.py), where each send then takes ~0.2 s instead of ~2 s.
    Never for a deployment: with no block between transactions, a block never gets the ⌊N/2⌋+1
    blocks on top that settle it, and the chain's clock stops when nobody writes.
    """
    if period < (0 if on_demand else 1):
        raise ValueError(f"the Clique period must be at least 1 s, got {period}")
    return {
        "config": {
            "chainId": chain_id,
            **{fork: 0 for fork in FORK_BLOCKS},
            "clique": {"period": period, "epoch": EPOCH},
        },
        "nonce": "0x0",
        "timestamp": hex(timestamp),
        "extraData": "0x" + clique_extradata(signers).hex(),
        "gasLimit": hex(gas_limit),
        "difficulty": "0x1",
        "mixHash": "0x" + "00" * 32,
        "coinbase": "0x" + "00" * 20,
        "alloc": {to_checksum_address(a)[2:].lower(): {"balance": hex(wei)} for a, wei in funded.items()},
        "number": "0x0",
        "gasUsed": "0x0",
        "parentHash": "0x" + "00" * 32,
        "baseFeePerGas": hex(base_fee),
    }
