"""Every deployed contract fits the EIP-170 limit with the margin the next rules need.

Sharing's rules live in logic libraries (contracts/sharing/), so each piece can grow on its own;
22,000 bytes leaves every one of them about 2.5 KB before the hard limit of 24,576.
"""

from __future__ import annotations

import pytest

from chain.client import contract_at
from chain.deploy import DEPLOYED_CONTRACTS

EIP170_LIMIT = 24_576
CAP = 22_000


@pytest.mark.parametrize("name", DEPLOYED_CONTRACTS)
def test_deployed_code_fits_with_room(system, name):
    address = getattr(system.deployment, DEPLOYED_CONTRACTS[name])
    code = system.w3.eth.get_code(contract_at(system.w3, name, address).address)
    assert 0 < len(code) <= CAP < EIP170_LIMIT, (name, len(code))
