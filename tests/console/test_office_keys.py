"""The Office registers, revokes and rotates officer keys from its page: the Office account's
keystore opened in Chromium, the UnitRegistry's transactions signed there and sent to the node
(as `ledger units add-officer / revoke`); a transaction the registry would refuse is not sent."""

from __future__ import annotations

from chain.client import contract_at
from chain.devkeys import OFFICE_DEV_KEY
from signer.keys import SigningKey
from signer.keystore import save_key
from tests.console.conftest import run_script
from tests.console.test_journey import named
from tests.signer.helpers import PASSWORD, TEST_SCRYPT_N


def test_the_office_registers_revokes_and_rotates_officer_keys_signed_in_the_browser(platform):
    desk, system = platform.desk, platform.system
    keys = platform.tmp / "keys"

    def keystore(key: SigningKey, name: str) -> str:
        return str(save_key(named(key, name), PASSWORD, directory=keys, scrypt_n=TEST_SCRYPT_N))

    office_key = SigningKey.from_private("ecdsa", bytes.fromhex(OFFICE_DEV_KEY[2:]))
    new_sm2, rotated_sm2 = SigningKey.generate("sm2"), SigningKey.generate("sm2")
    registry = contract_at(system.w3, "UnitRegistry", system.deployment.registry)
    sent_before = system.w3.eth.get_transaction_count(office_key.key_id)

    out = run_script(
        "office_keys.mjs",
        CONSOLE_URL=platform.url,
        PASSWORD=PASSWORD,
        NOT_OFFICE_KEY=keystore(desk.civil.ecdsa, "mzj"),
        OFFICE_KEY=keystore(office_key, "office"),
        NEW_SM2=keystore(new_sm2, "mzj-new-sm2"),
        NEW_SM2_ID=new_sm2.key_id,
        UNIT="普陀区民政局（PT-MZJ）",
        REVOKE=desk.civil.address,
        ROTATE=desk.street.sm2.key_id,
        ROTATED_SM2=keystore(rotated_sm2, "cfjd-new-sm2"),
        ROTATED_SM2_ID=rotated_sm2.key_id,
    )

    assert out["problems"] == [] and out["unlabelled"] == [] and out["lowContrast"] == []
    assert out["notOffice"] == (
        f"无法打开政务办账户：账户 {desk.civil.address} 不持有单位登记合约的政务办角色（OFFICE_ROLE）"
    )
    assert out["office"] == office_key.key_id
    assert out["wrongScheme"] == "未能登记：ECDSA 密钥文件：这是 SM2 密钥"
    assert out["again"] == (
        f"未能登记：单位登记合约拒绝：密钥 {system.w3.to_checksum_address(new_sm2.key_id)} 已登记过"
        "（密钥编号即使吊销后也不再复用）（未发送交易）"
    )
    active = registry.functions.activeKey
    assert active(system.w3.to_checksum_address(new_sm2.key_id)).call()[:2] == [True, desk.civil.unit_id]
    assert active(desk.civil.address).call()[0] is False
    assert active(system.w3.to_checksum_address(desk.street.sm2.key_id)).call()[0] is False
    assert active(system.w3.to_checksum_address(rotated_sm2.key_id)).call()[:2] == [True, desk.street.unit_id]
    # Three transactions, each by the Office account; the refused registration was never sent.
    assert system.w3.eth.get_transaction_count(office_key.key_id) == sent_before + 3
    for tx in (out["registerTx"], out["revokeTx"], out["rotateTx"]):
        receipt = system.w3.eth.get_transaction_receipt(tx)
        assert receipt["status"] == 1 and receipt["from"] == office_key.key_id
    assert new_sm2.key_id in out["unitsText"] and rotated_sm2.key_id in out["unitsText"]
