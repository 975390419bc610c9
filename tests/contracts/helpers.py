"""Assertions on contract reverts: the exact custom error and its arguments."""

from __future__ import annotations

import pytest

from chain.errors import ActionRevertedError


def assert_reverts(sender, call, error: str, **expected_args) -> ActionRevertedError:
    """Sending `call` must revert with custom error `error` and exactly these arguments."""
    with pytest.raises(ActionRevertedError) as info:
        sender.send(call)
    assert info.value.error == error, f"expected {error}, got {info.value}"
    if expected_args:
        assert info.value.error_args == expected_args, info.value.error_args
    return info.value
