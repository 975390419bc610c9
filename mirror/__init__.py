"""The SQL mirror of the chain: derived, rebuildable, queried by the API."""
