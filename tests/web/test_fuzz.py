"""Fuzzing: schemathesis over the whole OpenAPI document as an owner, in process (WSGI), with a bounded number of
examples per operation (valid and invalid input): no answer is a 5xx, and every answer matches its schema."""
from __future__ import annotations

import pytest
import schemathesis
from hypothesis import HealthCheck, given, settings
from hypothesis import errors as hypothesis_errors
from schemathesis import GenerationMode, checks

from tests import etsy_flow, helpers
from tests.etsy_double import server

EXAMPLES_PER_OPERATION = 12
SHARDS = 6  # the operations split so xdist runs them side by side
CHECKS = [checks.not_a_server_error, checks.response_schema_conformance]


@pytest.mark.slow
@pytest.mark.parametrize("shard", range(SHARDS))
def test_api_answers_no_5xx_and_matches_its_schema(app, connection, settings, monkeypatch, shard):
    # Etsy configured (the local double), as in production: its routes answer rather than 503 "not configured".
    double = server.EtsyDouble().__enter__()
    monkeypatch.setitem(app.extensions, "esa_settings", etsy_flow.settings_for(settings, double))
    try:
        _fuzz_shard(app, connection, shard)
    finally:
        double.__exit__(None, None, None)


def _fuzz_shard(app, connection, shard: int) -> None:
    owner = helpers.register(app.test_client())
    schema = schemathesis.openapi.from_wsgi("/api/openapi.json", app)
    operations = [result.ok() for result in schema.get_all_operations()]
    assert len(operations) > 100
    failures: list[str] = []
    statuses: list[int] = []
    for operation in operations[shard::SHARDS]:
        # The owner's own organization, so the fuzz reaches past the tenant check into the views.
        fixed = {"org_id": owner["org_id"]} if "{org_id}" in operation.path else None
        for mode in (GenerationMode.POSITIVE, GenerationMode.NEGATIVE):
            try:
                _fuzz(operation.as_strategy(generation_mode=mode, path_parameters=fixed), owner["headers"],
                      statuses, connection)
            except hypothesis_errors.Unsatisfiable:
                pass  # no invalid input exists for an operation without parameters
            except Exception as exc:  # every failing operation is reported, not only the first
                failures.append(f"{operation.label} ({mode.value}): {exc}"[:3000])
    assert not failures, "\n\n".join(failures)
    # The fuzz got past authentication and validation into the views, not only 4xx answers.
    assert len(statuses) > 200 and sum(200 <= s < 300 for s in statuses) > 30, sorted(set(statuses))


def _fuzz(strategy, headers: dict[str, str], statuses: list[int], connection) -> None:
    @given(case=strategy)
    @settings(max_examples=EXAMPLES_PER_OPERATION, deadline=None, derandomize=True, database=None,
              suppress_health_check=list(HealthCheck))
    def run(case) -> None:
        # Each example starts from the same state: one that turns a flag off or deactivates the organization does
        # not turn every later one into a 403 or 401.
        savepoint = connection.begin_nested()
        try:
            statuses.append(case.call_and_validate(headers=headers, checks=CHECKS).status_code)
        finally:
            savepoint.rollback()

    run()
