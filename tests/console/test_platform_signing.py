"""The Art. 18 platform signing service from the console: the officer logs in with the opened key
(the challenge signed in the browser), the platform signs the commitment with the unit's key it
holds, and the application itself is still signed in the browser."""

from __future__ import annotations

import time
from datetime import datetime

from sharing.audit import audit_commitment
from signer.commitment import SHANGHAI
from signer.keystore import save_key
from tests.console.conftest import run_script, serving
from tests.console.test_journey import named
from tests.sharing_desk import SharingDesk
from tests.signer.helpers import PASSWORD, TEST_SCRYPT_N
from workdays.provisional import provisional_year
from workdays.publish import calendar_at, publish_bitmap

NAME = "最低生活保障对象信息"


def test_an_application_with_a_commitment_signed_by_the_platform_service(system, tmp_path):
    desk = SharingDesk(system)
    desk.approved_entry(desk.civil, "MZJ-0101", NAME)  # approved and collected, before the API runs
    held = tmp_path / "platform-keys"  # the keys the platform holds for units (Art. 18)
    save_key(named(desk.street.sm2, "cfjd-sm2"), PASSWORD, directory=held, scrypt_n=TEST_SCRYPT_N)
    officer = save_key(named(desk.street.ecdsa, "cfjd"), PASSWORD, directory=tmp_path / "keys", scrypt_n=TEST_SCRYPT_N)

    # The service dates a commitment by the platform's wall clock (api/services/commitments.py),
    # and the chain refuses a signing time after its own: bring the test chain (2026-03-02) to
    # now, with provisional calendars for the years its deadlines may reach.
    now = int(time.time()) + 60
    calendar = calendar_at(system.w3, system.deployment.calendar)
    year = datetime.fromtimestamp(now, SHANGHAI).year
    for y in (year, year + 1):
        if not calendar.functions.isPublished(y).call():
            publish_bitmap(system.office, calendar, provisional_year(y))
    desk.travel_to(now)

    with serving(system, tmp_path, desk, platform_signing=True, keystore_dir=held, key_password=PASSWORD) as platform:
        out = run_script(
            "platform_signing.mjs",
            CONSOLE_URL=platform.url,
            OFFICER_KEY=str(officer),
            PASSWORD=PASSWORD,
            PLATFORM_KEY_ID=desk.street.sm2.key_id,
            ENTRY_LABEL=f"{NAME}（MZJ-0101）",
        )

    assert out["problems"] == []
    demand = bytes.fromhex(out["demandId"][2:])
    assert out["commitment"]["officer_key_id"] == desk.street.sm2.key_id  # the platform-held SM2 key
    assert out["commitment"]["signing_unit_id"] == "0x" + desk.street.unit_id.hex()
    audit = audit_commitment(system.w3, system.deployment.registry, system.deployment.sharing, demand)
    assert audit.valid and audit.scheme == "sm2"
    assert desk.record("demand", demand).unitId == desk.street.unit_id
