"""schemathesis over the OpenAPI document, in-process against the ASGI app, with an organizer's token and with a
juror's: no server error, and every response (status, content type, headers, body) as the document says."""
from __future__ import annotations

from collections import Counter

import pytest
import schemathesis
from hypothesis import HealthCheck, Phase, given
from hypothesis import settings as hsettings
from schemathesis.checks import not_a_server_error
from schemathesis.specs.openapi.checks import (
    content_type_conformance,
    response_headers_conformance,
    response_schema_conformance,
    status_code_conformance,
)

from review_service.server import create_app
from review_service.storage import open_database
from tests import jury as J

EXAMPLES = 5  # per operation and role
CHECKS = [not_a_server_error, status_code_conformance, content_type_conformance, response_headers_conformance,
          response_schema_conformance]
SKIP = {("POST", "/auth/logout")}  # would end the session the rest of the run uses (covered by test_api)


@pytest.fixture(scope="module")
def world(tmp_path_factory):
    from review_service.core.config import Settings

    tmp = tmp_path_factory.mktemp("st")
    settings = Settings(environment="test", data_dir=tmp / "var", scoring_deadline=J.FUTURE)
    db = open_database(settings)
    world = J.build_world(db, settings, tmp)
    db.close()
    app = create_app(settings, search_engine=J.FakeSearch())
    return app, world


@pytest.mark.parametrize("role", ["organizer", "juror_assigned"])
def test_schemathesis_finds_no_server_error_and_no_schema_violation(world, role):
    from fastapi.testclient import TestClient

    app, w = world
    headers = J.bearer(w["tokens"][role])
    schema = schemathesis.openapi.from_asgi("/openapi.json", app)
    failures: list[str] = []
    calls = 0
    statuses: Counter[int] = Counter()
    with TestClient(app):  # runs the lifespan (database, settings) for the in-process calls
        for result in schema.get_all_operations():
            op = result.ok()
            if (op.method.upper(), op.path) in SKIP:
                continue

            @given(case=op.as_strategy())
            @hsettings(max_examples=EXAMPLES, deadline=None, derandomize=True, database=None,
                       phases=[Phase.explicit, Phase.generate],
                       suppress_health_check=list(HealthCheck))
            def run(case) -> None:
                nonlocal calls
                calls += 1
                try:
                    response = case.call(headers=headers)
                    statuses[response.status_code // 100 * 100] += 1
                    case.validate_response(response, checks=CHECKS)
                except Exception as exc:  # noqa: BLE001 - collected and reported below
                    failures.append(f"{case.method} {case.path}: {str(exc)[:300]}")

            run()
    print(f"\nschemathesis as {role}: {calls} calls over {len(list(schema.get_all_operations()))} operations, "
          f"{len(failures)} failures; responses by class {dict(sorted(statuses.items()))}")
    assert failures == []
