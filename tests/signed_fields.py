"""The signed fields a test's catalog action derives from its document, as the API does
(api.services.actions): tests that build actions by hand sign them the same way."""

from __future__ import annotations

import json

from chain.actions import VERSION_KINDS, ActionKind, SharingAttribute


def version_sharing(kind: ActionKind, document: bytes | dict) -> SharingAttribute:
    """The `sharing` an action of `kind` signs: an entry version's document's sharing attribute
    (UNCONDITIONAL for a test document too small to state one, or not JSON), NONE for any other action."""
    if kind not in VERSION_KINDS:
        return SharingAttribute.NONE
    try:
        doc = json.loads(document) if isinstance(document, bytes) else document
    except ValueError:  # a test of the contract's bounds sends bytes that are not JSON at all
        return SharingAttribute.UNCONDITIONAL
    sharing = doc.get("sharing") if isinstance(doc, dict) else None
    attribute = sharing.get("attribute") if isinstance(sharing, dict) else None
    # No attribute, or a word the schema does not know (a test of what the chain takes): unconditional.
    stated = {"unconditional", "conditional", "not_shared"}
    return SharingAttribute[attribute.upper()] if attribute in stated else SharingAttribute.UNCONDITIONAL
