"""`ledger audit usage BUNDLE` (anyone, the chain alone) and `ledger witness` (the Office and the
regulators' auditor units: check each new checkpoint's consistency with the last one seen, then
co-sign it on-chain)."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Annotated

import typer

from chain.rpc import RpcClient
from ledger_cli._context import fail, one_line_errors
from signer._cli_common import KeystoreDirOption, PasswordFdOption
from usage.audit import audit_bundle

RpcOption = Annotated[str, typer.Option("--rpc-url", envvar="LEDGER_RPC_URL", help="The chain's JSON-RPC URL.")]


@one_line_errors
def audit_usage(
    bundle: Annotated[Path, typer.Argument(dir_okay=False, help="The evidence bundle: GET /v1/usage/{id}, saved")],
    rpc_url: RpcOption = "http://127.0.0.1:8545",
) -> None:
    """Verify a usage record's evidence bundle from the chain alone: its leaf in the anchored checkpoint."""
    try:
        body = json.loads(bundle.read_text(encoding="utf-8"))
    except (OSError, ValueError) as exc:
        fail(f"{bundle}: not a JSON evidence bundle ({exc})")
    audit = audit_bundle(body, RpcClient([rpc_url]))
    if audit.ok:
        typer.echo(
            f"valid: record {audit.index} is leaf {audit.index} of checkpoint size {audit.size} root {audit.root},"
            f" anchored in {audit.tx_hash} (block {audit.block_number}) signed by {audit.signer}"
        )
        return
    typer.echo(f"invalid: record {audit.index}")
    for problem in audit.problems:
        typer.echo(f"      {problem}")
    raise typer.Exit(3)


@one_line_errors
def witness(
    key: Annotated[str, typer.Option("--key", metavar="K", help="The witness officer's key (Office or auditor unit).")],
    state: Annotated[
        Path, typer.Option("--state", dir_okay=False, help="Where this witness keeps the last checkpoint it co-signed.")
    ],
    api: Annotated[
        str, typer.Option("--api", envvar="LEDGER_API_URL", help="The platform's API.")
    ] = "http://127.0.0.1:8000",
    rpc_url: RpcOption = "http://127.0.0.1:8545",
    keystore_dir: KeystoreDirOption = None,
    password_fd: PasswordFdOption = None,
) -> None:
    """Check the newest anchored checkpoint of the usage log against the last one this witness
    co-signed (a consistency proof, roots from the chain) and co-sign it on-chain; refuse a forked log.
    Log in first (`ledger login --key K`): the API relays co-signatures for the Office and auditors."""
    from chain import usage_log
    from chain.actions import fresh_nonce
    from chain.client import connect, contract_at
    from ledger_cli._api import Api
    from ledger_cli.officer_actions import load_officer_key
    from usage.witness import Seen, WitnessRefusal, check_new

    w3 = connect(rpc_url)
    with Api(api, keystore_dir=keystore_dir) as client:
        deployment = client.get("/v1/deployment")
        address = next((c["address"] for c in deployment["contracts"] if c["name"] == "UsageLog"), None)
        if address is None:
            fail("the platform's deployment has no UsageLog")
        chain_id = w3.eth.chain_id
        if deployment["chain_id"] != chain_id:
            fail(f"--rpc-url serves chain {chain_id}, the platform's log is on chain {deployment['chain_id']}")
        contract = contract_at(w3, "UsageLog", address)
        log_id = "0x" + usage_log.log_id(chain_id, address).hex()
        size = contract.functions.latestSize().call()
        if size == 0:
            typer.echo("no checkpoint anchored yet: nothing to co-sign")
            return
        root = contract.functions.checkpoint(size).call()[0]
        seen = Seen.load(state, log_id)
        root_at_seen = proof = None
        if seen is not None:
            anchored = contract.functions.checkpoint(seen.size).call()[0]
            root_at_seen = anchored if anchored != b"\0" * 32 else None
            if seen.size < size:
                answer = client.get("/v1/usage/consistency", first=seen.size, second=size)
                proof = [bytes.fromhex(h[2:]) for h in answer["proof"]]
        try:
            check_new(seen, size=size, root=root, root_at_seen=root_at_seen, proof=proof)
        except WitnessRefusal as exc:
            typer.echo(f"refused: {exc}", err=True)
            raise typer.Exit(3) from None
        if seen is not None and seen.size == size:
            typer.echo(f"checkpoint size {size} already co-signed by this witness: nothing new")
            return
        officer = load_officer_key(key, keystore_dir, password_fd)
        action = usage_log.sign(
            usage_log.UsageAction(
                usage_log.UsageActionKind.COSIGN, usage_log.cosign_document(size, root), fresh_nonce()
            ),
            officer,
            chain_id=chain_id,
            address=address,
        )
        done = client.post(
            "/v1/usage/cosignatures",
            {
                "checkpoint": "0x" + action.document.hex(),
                "nonce": str(action.nonce),
                "signature": "0x" + action.signature.hex(),
            },
        )
    Seen(log_id, size, "0x" + root.hex()).save(state)
    after = f"consistent with size {seen.size}" if seen is not None else "first checkpoint seen (trusted on first use)"
    typer.echo(
        f"co-signed checkpoint size {size} root 0x{root.hex()} ({after}); {done['cosignatures']} witness(es) now,"
        f" tx {done['tx_hash']}"
    )
