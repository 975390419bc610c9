"""The `ledger` console script."""
