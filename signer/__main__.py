"""``python -m signer``: the signer CLI on its own (the project mounts it under ``ledger``)."""

from signer.cli import app

app(prog_name="ledger")
