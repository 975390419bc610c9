"""The published protocol: what an auditor needs to verify the ledger without this code.

docs/PROTOCOL.md says it in words (EIP-712 types, ids, events, the commitment signature);
`protocol.schemas` writes the document schemas to docs/schemas/ as JSON Schema, from the
models the API validates with.
"""
