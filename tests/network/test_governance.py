"""#14 part 3 on real geth: a validator is added or removed only by the Office's signed decision
on the chain, then voted by the validators; afterwards the decided set and the signers agree.

The network here is its own (four validators, then a fifth organisation joins and one leaves), so
the shared `clique` of the other tests keeps its four signers.
"""

from __future__ import annotations

import json
import re

import pytest
from eth_utils import to_checksum_address
from typer.testing import CliRunner

from chain.actions import unit_id_for
from chain.client import connect
from chain.node import free_port
from ledger_cli.main import app
from network import provision
from network.governance import DecisionKind, ValidatorDecision, decision_of, deploy_governance, record_decision
from network.joining import join
from network.lifecycle import down, network_nodes, up
from network.organisations import Organisation
from network.seal import block_signer
from network.voting import NoOfficeDecision, agreement, proposals, settle_depth, vote
from signer.keys import SigningKey
from signer.keystore import keystore_dir_for, save_key
from tests.conftest import Units
from tests.network.conftest import API_RELAYER_KEY, FUNDED, PASSWORD, PERIOD_S, NetworkSystem, wait_until

NEWCOMER = Organisation("PT-SJJ", "上海市普陀区审计局")  # a fifth organisation joins
LEAVER = "PT-GAJ"  # the 区公安分局's validator leaves
DISAGREE = 4


class GovernedNetwork:
    def __init__(self, data_dir, geth) -> None:
        self.data_dir, self.directory, self.geth = data_dir, data_dir / "network", geth
        self.manifest = provision(
            self.directory,
            validators=4,
            period=PERIOD_S,
            password=PASSWORD,
            keystore_dir=keystore_dir_for(data_dir),
            funded=FUNDED,
            geth=geth,
            ports=[(free_port(), free_port(), free_port()) for _ in range(4)],
        )
        up(self.directory, geth)
        self.system = NetworkSystem(self.manifest.nodes[0].rpc_url)
        self.units = Units(self.system)
        self.office = self.units.register("PT-QFB", "office", "上海市普陀区人民政府办公室")
        for code in (LEAVER, NEWCOMER.code):
            self.units.register(code, "auditor", code)
        self.gov = deploy_governance(self.system.office, self.system.deployment.registry, self.directory).address
        # An SM2 officer of the Office, its key in the platform's keystore for `ledger network propose`.
        self.sm2_key = SigningKey.generate("sm2", name="office-sm2")
        save_key(self.sm2_key, PASSWORD, directory=keystore_dir_for(data_dir))
        self.system.office.send(
            self.units.registry.functions.registerOfficer(
                unit_id_for("PT-QFB"), "0x" + "00" * 20, self.sm2_key.public_key
            )
        )

    @property
    def nodes(self):
        return network_nodes(self.directory, self.geth)[1]

    def decide(self, kind: DecisionKind, validator: str, unit_code: str, number: int) -> dict:
        """The Office's ECDSA officer signs a decision; the relayer records it."""
        decision = ValidatorDecision(kind, validator, unit_id_for(unit_code), _document(number, validator), number)
        signed = decision.signed(self.office.account.key, chain_id=self.system.w3.eth.chain_id, governance=self.gov)
        return record_decision(self.system.relayer, self.gov, signed)

    def cli(self, *args: str):
        env = {
            "LEDGER_DATA_DIR": str(self.data_dir),
            "LEDGER_KEY_PASSWORD": PASSWORD,
            "LEDGER_RELAYER_KEY": API_RELAYER_KEY,
            "LEDGER_RPC_URL": self.manifest.nodes[0].rpc_url,
        }
        return CliRunner().invoke(app, ["network", *args], env=env)


def _document(number: int, validator: str) -> bytes:
    from signer.canonical import canonical_bytes

    return canonical_bytes({"decision": f"普府办〔2026〕{number}号", "validator": validator})


@pytest.fixture(scope="module")
def net(tmp_path_factory, geth):
    data_dir = tmp_path_factory.mktemp("governed")
    network = None
    try:
        network = GovernedNetwork(data_dir, geth)
        yield network
    finally:
        down(data_dir / "network", geth)


def _signers(node) -> set[str]:
    """The node's signers over its IPC socket; replayed from its headers over HTTP (the votes since
    the checkpoint, as from another organisation's machine), they are the same at the same block."""
    from network.ipc import ipc_call, ipc_path
    from network.seal import signers_at

    block = connect(node.spec.rpc_url).provider.make_request("eth_getBlockByNumber", ["latest", False])["result"]
    by_ipc = ipc_call(ipc_path(node.directory), "clique_getSignersAtHash", [block["hash"]])
    by_headers = signers_at(node.spec.rpc_url, block)
    assert [a.lower() for a in by_headers] == [a.lower() for a in by_ipc], (block["number"], by_headers, by_ipc)
    return {to_checksum_address(a) for a in by_ipc}


def test_a_validator_refuses_a_change_the_chain_has_no_office_decision_for(net):
    stranger = to_checksum_address("0x" + "5a" * 20)
    node = net.nodes[1]
    with pytest.raises(NoOfficeDecision) as info:
        vote(node, net.gov, stranger, True)
    assert (info.value.code, info.value.wanted, info.value.found) == ("PT-QFB", DecisionKind.ADD, DecisionKind.NONE)
    assert proposals(node) == {}
    # The CLI says so in one line, and votes nothing anywhere.
    result = net.cli("propose", stranger, "add")
    assert result.exit_code == 1
    assert re.fullmatch(
        rf"error: PT-DSJZX's validator refuses to vote add {stranger}: its chain holds no Office decision "
        r"for it at settled block \d+ \(record the decision, or wait until it settles\)\n",
        result.output,
    ), result.output
    assert all(proposals(n) == {} for n in net.nodes)


def test_a_fifth_organisation_joins_and_one_leaves_by_the_offices_decisions(net, tmp_path):
    first = net.nodes[0]
    genesis = _signers(first)
    # Before any decision the network's signers have none behind them: status says so.
    result = net.cli("status")
    assert result.exit_code == DISAGREE and result.output.count("signing without an Office decision") == 1
    for number, spec in enumerate(net.manifest.nodes, start=1):
        net.decide(DecisionKind.ADD, spec.signer, spec.code, number)
    assert agreement(first, net.gov).agree

    # A new organisation's node joins: it follows the chain but does not seal yet.
    newcomer = join(
        net.directory,
        NEWCOMER,
        password=PASSWORD,
        keystore_dir=keystore_dir_for(net.data_dir),
        geth=net.geth,
        ports=(free_port(), free_port(), free_port()),
    )
    signer = newcomer.spec.signer
    assert signer not in _signers(newcomer) and _signers(newcomer) == genesis

    # The Office decides (signed with SM2, through the CLI), the validators vote it, it passes.
    document = tmp_path / "decision.json"
    document.write_text(json.dumps({"decision": "普府办〔2026〕5号", "validator": signer}), encoding="utf-8")
    result = net.cli(
        "propose", signer, "add", "--unit", NEWCOMER.code, "--key", "office-sm2", "--document", str(document)
    )
    assert result.exit_code == 0, result.output
    decided = decision_of(net.system.w3, net.gov, signer)
    assert (decided.kind, decided.officer, decided.unit_id) == (
        DecisionKind.ADD,
        to_checksum_address(net.sm2_key.key_id),
        unit_id_for(NEWCOMER.code),
    )
    assert all(_signers(n) == genesis | {signer} for n in net.nodes)
    assert all(proposals(n) == {} for n in net.nodes)  # the passed vote is discarded everywhere
    assert net.cli("status").exit_code == 0
    # The fifth validator seals: within two rounds of five, a block is its.
    rpc = connect(first.spec.rpc_url)
    start = rpc.eth.block_number
    wait_until(lambda: rpc.eth.block_number >= start + 10, 30, "ten more blocks with five signers")
    sealers = {
        block_signer(rpc.provider.make_request("eth_getBlockByNumber", [hex(n), False])["result"])
        for n in range(start + 1, start + 11)
    }
    assert signer in sealers

    # The 区公安分局 leaves: an Office decision (ECDSA, through the library), then the vote.
    leaver = next(s for s in net.manifest.nodes if s.code == LEAVER).signer
    receipt = net.decide(DecisionKind.REMOVE, leaver, LEAVER, 6)
    assert net.cli("status").exit_code == DISAGREE  # decided out, still signing
    # Each validator checks the decision on its own node: wait until every node holds it settled
    # (on a loaded machine a node may follow a block or two behind the first).
    settled_at = receipt["blockNumber"] + settle_depth(5)
    heads = [connect(n.spec.rpc_url) for n in net.nodes]
    wait_until(lambda: all(w3.eth.block_number >= settled_at for w3 in heads), 30, "the decision settled on every node")
    result = net.cli("propose", leaver, "remove")  # no --key: the decision is read from the chain
    assert result.exit_code == 0, result.output
    assert all(_signers(n) == genesis - {leaver} | {signer} for n in net.nodes)
    assert net.cli("status").exit_code == 0
    start = rpc.eth.block_number
    wait_until(lambda: rpc.eth.block_number >= start + 8, 30, "eight more blocks without the 区公安分局")
    sealers = [
        block_signer(rpc.provider.make_request("eth_getBlockByNumber", [hex(n), False])["result"])
        for n in range(start + 1, start + 9)
    ]
    # Only the four left seal (on a loaded machine one may miss its turns, so three at least).
    assert set(sealers) <= (genesis - {leaver}) | {signer} and len(set(sealers)) >= 3, sealers
    # Its node still follows the chain, as any organisation's may.
    leaver_node = next(n for n in net.nodes if n.spec.code == LEAVER)
    wait_until(
        lambda: connect(leaver_node.spec.rpc_url).eth.block_number >= start + 8, 10, "the leaver's node following"
    )


def test_heal_leaves_a_network_that_moves_alone(net):
    """`ledger network heal` acts only on a stalled split; on a network whose heads move it says so
    and touches no node (the rewind itself: tests/network/test_partition.py, find_split:
    tests/network/test_heal.py)."""
    result = net.cli("heal")
    assert result.exit_code == 0, result.output
    assert result.output.startswith("no stalled split")
