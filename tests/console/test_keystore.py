"""The page opens only an intact keystore with its password, and says why it refuses one (the
rules of signer/_sealed.py, checked in the browser)."""

from __future__ import annotations

import json

from signer.keys import SigningKey
from signer.keystore import save_key
from tests.console.conftest import run_script, serving
from tests.sharing_desk import SharingDesk
from tests.signer.helpers import PASSWORD, TEST_SCRYPT_N


def test_the_page_tells_a_wrong_password_from_a_changed_or_unsafe_file(platform):
    path = save_key(SigningKey.generate("sm2"), PASSWORD, directory=platform.tmp / "keys", scrypt_n=TEST_SCRYPT_N)
    sealed = json.loads(path.read_text(encoding="utf-8"))

    def variant(file: str, **changes) -> str:
        changed = platform.tmp / f"{file}.json"
        changed.write_text(json.dumps({**sealed, **changes}), encoding="utf-8")
        return str(changed)

    cases = [
        ("wrong_password", str(path), "not the password"),
        ("renamed", variant("renamed", name="改过的名字"), PASSWORD),  # the header is the associated data
        ("other_key_id", variant("other", key_id="0x" + "11" * 20), PASSWORD),
        ("huge_scrypt", variant("huge", kdf={**sealed["kdf"], "n": 2**30}), PASSWORD),
        ("not_ours", variant("not-ours", schema="ethereum/v3"), PASSWORD),
    ]
    out = run_script("keystore.mjs", CONSOLE_URL=platform.url, CASES=json.dumps(cases))

    assert out["problems"] == [] and out["opened"] == 0
    assert out["refusals"] == {
        "wrong_password": "无法打开密钥：密码错误",
        "renamed": "无法打开密钥：密钥文件在加密后被改动过（头部或密文不符）",
        "other_key_id": "无法打开密钥：密钥文件被改动：key_id 与公钥不符",
        "huge_scrypt": "无法打开密钥：密钥文件的 kdf/cipher 参数不受支持或不安全",
        "not_ours": "无法打开密钥：不是本平台的密钥文件（schema 应为 putuo.keystore/1）",
    }


def test_the_page_refuses_to_log_in_to_a_challenge_for_another_address(system, tmp_path):
    """A challenge whose audience is not the page's origin (relayed from another site, or a platform
    whose LEDGER_AUTH_AUDIENCE is not the address officers open) is not signed: the key stays closed
    and no token is issued."""
    desk = SharingDesk(system)
    with serving(system, tmp_path, desk, auth_audience="https://ledger.example.gov.cn") as platform:
        key = SigningKey(
            desk.civil.ecdsa.scheme, desk.civil.ecdsa.private_key, desk.civil.ecdsa.public_key, None, "mzj"
        )
        path = save_key(key, PASSWORD, directory=tmp_path / "keys", scrypt_n=TEST_SCRYPT_N)
        out = run_script(
            "keystore.mjs", CONSOLE_URL=platform.url, CASES=json.dumps([["audience", str(path), PASSWORD]])
        )

    assert out["problems"] == [] and out["opened"] == 0
    assert out["refusals"]["audience"] == (
        f"无法打开密钥：登录挑战的受众是 https://ledger.example.gov.cn，而本页来自 {platform.url}：拒绝为另一地址签名登录"
        "（请从平台的地址打开控制台；经代理访问时，平台的 LEDGER_AUTH_AUDIENCE 应为本页的地址）"
    )
