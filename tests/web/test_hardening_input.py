"""Hostile input: malformed JSON, formula cells in the audit export, forged events, export filters."""
from __future__ import annotations

import csv
import io

import pytest

from tests import helpers

MALFORMED = [
    b'{"email": "\\ud800@example.com", "password": "x"}',
    b"[" * 1000 + b"]" * 1000,
    b'{"email": "a@example.com", "password": ' + b"9" * 5000 + b"}",
    b'{"email": "a@example.com", "password": ' + b"9" * 100 + b"}",
    b'{"a": NaN}',
]


@pytest.mark.parametrize("body", MALFORMED, ids=["surrogate", "nesting", "huge-int", "long-int", "nan"])
@pytest.mark.parametrize("path", ["/api/auth/login", "/api/auth/register", "/api/auth/refresh"])
def test_malformed_json_without_a_token_is_a_400(client, path, body):
    response = client.post(path, data=body, content_type="application/json")
    helpers.assert_error(response, 400)


@pytest.mark.parametrize("body", MALFORMED, ids=["surrogate", "nesting", "huge-int", "long-int", "nan"])
def test_malformed_json_with_a_token_is_a_400_everywhere(client, body):
    owner = helpers.register(client)
    org = f"/api/organizations/{owner['org_id']}"
    for method, path in (("POST", f"{org}/events/"), ("PATCH", org), ("POST", "/api/printers/"),
                         ("POST", f"{org}/gang-sheets/layout"), ("POST", f"{org}/print-jobs/1/cancel")):
        response = client.open(path, method=method, data=body, content_type="application/json",
                               headers=owner["headers"])
        helpers.assert_error(response, 400)


def test_deep_but_allowed_json_still_works(client):
    owner = helpers.register(client)
    payload: dict = {}
    inner = payload
    for _ in range(20):
        inner["a"] = {}
        inner = inner["a"]
    response = client.post(f"/api/organizations/{owner['org_id']}/events/", headers=owner["headers"],
                           json={"event_type": "zapier.deep", "payload": payload})
    assert response.status_code == 201, response.get_json()


def test_export_neutralises_formula_cells(client):
    owner = helpers.register(client)
    url = f"/api/organizations/{owner['org_id']}/events/"
    for value in ("=HYPERLINK(\"http://x\")", "+1+1", "-2+3", "@SUM(A1)", "\tx", "\rx", "plain"):
        response = client.post(url, headers=owner["headers"],
                               json={"event_type": "zapier.formula", "entity_type": "things", "entity_id": value})
        assert response.status_code == 201, response.get_json()
    body = client.get(url + "export?format=csv&event_type=zapier.formula", headers=owner["headers"])
    rows = list(csv.DictReader(io.StringIO(body.get_data(as_text=True))))
    assert [r["entity_id"] for r in rows] == ["'=HYPERLINK(\"http://x\")", "'+1+1", "'-2+3", "'@SUM(A1)", "'\tx",
                                              "'\rx", "plain"]


@pytest.mark.parametrize("event_type", ["member.removed", "user.password_reset", "print_job.failed",
                                        "organization.updated", "shop.connected"])
def test_api_events_cannot_take_system_types(client, event_type):
    owner = helpers.register(client)
    operator = helpers.add_member(client, owner, "operator")
    response = client.post(f"/api/organizations/{owner['org_id']}/events/", headers=operator["headers"],
                           json={"event_type": event_type, "entity_type": "users", "entity_id": "1"})
    helpers.assert_error(response, 422)


def test_api_events_cannot_take_the_error_level_and_are_marked(client):
    owner = helpers.register(client)
    url = f"/api/organizations/{owner['org_id']}/events/"
    helpers.assert_error(client.post(url, headers=owner["headers"],
                                     json={"event_type": "zapier.failed", "level": "error"}), 422)
    made = client.post(url, headers=owner["headers"], json={"event_type": "zapier.warned", "level": "warning"})
    assert made.status_code == 201 and made.get_json()["source"] == "integration"
    errors = client.get(url + "activity/errors", headers=owner["headers"]).get_json()
    assert errors == []


@pytest.mark.parametrize("query", ["entity_type=%00", "event_type=a%00b", "user_id=99999999999999999999",
                                   "user_id=9223372036854775808", "source=%00"])
@pytest.mark.parametrize("fmt", ["csv", "jsonl"])
def test_export_filters_are_validated_before_streaming(client, query, fmt):
    owner = helpers.register(client)
    response = client.get(f"/api/organizations/{owner['org_id']}/events/export?format={fmt}&{query}",
                          headers=owner["headers"])
    helpers.assert_error(response, 422)
