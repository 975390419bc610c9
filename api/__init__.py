"""The HTTP API: catalog lookups from the mirror, signed actions into the outbox."""
