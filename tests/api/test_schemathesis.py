"""Schemathesis over the real app: every operation of /openapi.json, reads and signed writes, against
a real node and a real SQLite mirror holding a small district (units, an approved and collected
entry, a grant), with every built-in check of schemathesis 4.

The checks that matter most here: no 5xx (`not_a_server_error`), each status and header declared
(`status_code_conformance`, `response_headers_conformance`: a 202's `Location`), each body its
schema (`response_schema_conformance`, `content_type_conformance`), schema-valid requests accepted
and invalid ones refused (`positive_data_acceptance`, `negative_data_rejection`: every limit the
server enforces is in the schema), and a 405 with `Allow` for a method a path does not serve
(`unsupported_method`, `allow_header_conformance`). Random signatures never recover a registered
officer, so writes are refused with a 4xx; each refusal (and each read) must change nothing: no
outbox row, no block.

Reproducible: a fixed seed, deterministic generation, no example database, and hypothesis and
schemathesis pinned in pyproject.toml (the cases generated from one seed change with their
versions: hypothesis 6.170.27 and .29 found different refusals, each undeclared). Bounded: a dozen
generated examples per operation, plus the coverage phase's boundary values of each parameter and
the schema's own examples (under two minutes on a 2-core machine).
"""

from __future__ import annotations

import pytest
import schemathesis
from fastapi.testclient import TestClient
from hypothesis import HealthCheck, settings
from schemathesis.core.parameters import ParameterLocation

from api.app import create_app
from tests.api.auth_helpers import login
from tests.api.conftest import make_runtime, wait_for
from tests.api.helpers import outbox_count
from tests.sharing_desk import SharingDesk

# What a schema cannot say, and so where a schema-valid request may still be refused:
# - a signed action (every POST): whether its signature recovers a registered officer (400, 403),
#   what its document's rules across fields and the chain's state allow (404, 409, 422), and the
#   size of the document as canonical JSON or of the whole body (413);
# - an evaluation: that `from` is not after `to` (422 `invalid_period`); likewise an export's blocks.
SIGNED_WRITE_REFUSALS = ["2XX", 400, 403, 404, 409, 413, 422]
# A schema-violating request may also be refused for its size (413, before it is parsed), for
# being too deeply nested (400), or, on a route behind api/auth, for lacking its credential (401).
INVALID_REFUSALS = [400, 401, 404, 405, 413, 415, 422]
CONFIG = schemathesis.Config.from_dict(
    {
        "seed": 20260302,
        "generation": {"max-examples": 12, "deterministic": True, "database": "none"},
        "phases": {"stateful": {"enabled": False}},  # the writes cannot succeed, so no links to follow
        "checks": {"negative_data_rejection": {"expected-statuses": INVALID_REFUSALS}},
        "operations": [
            # The draft of a notice (#15): on results that were never published, 404.
            {
                "include-path-regex": "^/v1/evaluation/results/[^/]+/notice-draft$",
                "checks": {"positive_data_acceptance": {"expected-statuses": ["2XX", 404, 422]}},
            },
            # The supplementary catalog's export: `from_block` not after `to_block` (422 `empty_range`),
            # `to_block` not past what the mirror holds (409 `block_not_mirrored`).
            {
                "include-path": "/v1/catalog/supplementary/export",
                "checks": {"positive_data_acceptance": {"expected-statuses": ["2XX", 409, 422]}},
            },
            {
                "include-path-regex": "^/v1/evaluation",
                "checks": {"positive_data_acceptance": {"expected-statuses": ["2XX", 422]}},
            },
            # Logging in: a random key is not registered, a random challenge was not issued here, and
            # a request without a token is refused (api/auth): all 401.
            {
                "include-path-regex": "^/v1/auth/",
                "checks": {
                    "positive_data_acceptance": {"expected-statuses": ["2XX", 400, 401]},
                    "negative_data_rejection": {"expected-statuses": INVALID_REFUSALS},
                },
            },
            # Platform signing is off here: refused before the body is read (api/routers/commitments.py),
            # after the caller's token (401 first).
            {
                "include-path": "/v1/commitments/sign",
                "checks": {
                    "positive_data_acceptance": {"expected-statuses": [*SIGNED_WRITE_REFUSALS, 401]},
                    "negative_data_rejection": {"expected-statuses": [*INVALID_REFUSALS, 403]},
                },
            },
            # The usage log (#11): intake for the platform only (403 to an officer), reads for officers
            # (401 without a token) of the right unit or role (403); a record, checkpoint or size that
            # does not exist (404), sizes out of order (422), a co-signature the contract refuses (409),
            # a batch of records over the body limit (413).
            {
                "include-path-regex": "^/v1/usage",
                "checks": {
                    "positive_data_acceptance": {"expected-statuses": ["2XX", 401, 403, 404, 409, 413, 422]},
                    "negative_data_rejection": {"expected-statuses": [*INVALID_REFUSALS, 401, 403]},
                },
            },
            # The first entry that matches an operation applies: the general rule of writes last.
            {
                "include-method": "POST",
                "checks": {"positive_data_acceptance": {"expected-statuses": SIGNED_WRITE_REFUSALS}},
            },
        ],
    }
)
# The OpenAPI document needs no chain (as in test_openapi.py); the calls go to `live`.
schema = schemathesis.openapi.from_asgi("/openapi.json", create_app(runtime=object()), config=CONFIG)


class Live:
    """The app on a real runtime, and what a request must leave as it was."""

    def __init__(self, system, runtime, officer_key) -> None:
        self.system, self.runtime = system, runtime
        self.app = create_app(runtime=runtime)
        # Requests go with an officer's token (the Data Center's: it may read every unit's records),
        # so that the routes behind it are exercised too; schemathesis drops it to check the 401.
        with TestClient(self.app) as client:
            self.headers = login(client, officer_key)

    def state(self) -> tuple[int, int]:
        return outbox_count(self.runtime), self.system.w3.eth.block_number


@pytest.fixture(scope="module")
def live(_systems, tmp_path_factory):
    system = _systems("anvil")
    snapshot = system.snapshot()
    runtime = None
    try:
        desk = SharingDesk(system)
        entry = desk.approved_entry(desk.civil, "MZJ-0001")
        desk.apply(desk.street, [desk.resource(desk.civil, entry)], scenario_class=1)  # Art. 19 (1): granted at once
        runtime = make_runtime(system, tmp_path_factory.mktemp("schemathesis"))
        runtime.start()
        head = system.w3.eth.block_number
        wait_for(lambda: (runtime.store.cursor() or (0,))[0] >= head)
        yield Live(system, runtime, desk.data_center.action_key)
    finally:
        if runtime is not None:
            runtime.stop()
        system.revert(snapshot)


def credentials(live: Live, case) -> dict | None:
    """The officer's token, unless the case is about a missing or malformed Authorization header."""
    header = case.meta.components.get(ParameterLocation.HEADER) if case.meta else None
    return None if header is not None and header.mode.is_negative else live.headers


@schema.parametrize()
@settings(
    deadline=None,
    derandomize=True,
    database=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.filter_too_much, HealthCheck.data_too_large],
)
def test_the_api_conforms_to_its_openapi_document(live, case):
    before = live.state()
    response = case.call_and_validate(app=live.app, headers=credentials(live, case))
    if response.status_code >= 400 or case.method.upper() == "GET":
        assert live.state() == before, (case.method, case.path, response.status_code)
