"""Events: create, search, get, audit trail, user activity, system errors, stats, streamed export."""
from __future__ import annotations

import csv
import io
import json

from tests import helpers


def _url(org: dict, suffix: str = "") -> str:
    return f"/api/organizations/{org['org_id']}/events/{suffix}"


def test_create_and_get_integration_event(client):
    owner = helpers.register(client)
    created = client.post(_url(owner), headers=owner["headers"],
                          json={"event_type": "zapier.order_tagged", "entity_type": "orders", "entity_id": "991",
                                "payload": {"tag": "rush", "password": "hunter2"}})
    assert created.status_code == 201
    body = created.get_json()
    assert body["payload"] == {"tag": "rush", "password": "***"}
    assert body["user_id"] == owner["user"]["id"] and body["source"] == "integration"
    assert client.get(_url(owner, str(body["id"])), headers=owner["headers"]).get_json()["id"] == body["id"]
    helpers.assert_error(client.get(_url(owner, "99999999"), headers=owner["headers"]), 404)


def test_create_validation_and_roles(client):
    owner = helpers.register(client)
    viewer = helpers.add_member(client, owner, "viewer")
    helpers.assert_error(client.post(_url(owner), headers=viewer["headers"], json={"event_type": "x"}), 403)
    for body in ({"event_type": "Bad Type!"}, {"event_type": "ok", "level": "panic"}, {"event_type": "ok",
                                                                                        "payload": []},
                 {"event_type": "ok", "extra": 1}, {}):
        helpers.assert_error(client.post(_url(owner), headers=owner["headers"], json=body), 422)


def test_search_filters_and_pagination(client):
    owner = helpers.register(client)
    for i in range(7):
        client.post(_url(owner), headers=owner["headers"],
                    json={"event_type": "batch.item", "entity_type": "things", "entity_id": str(i % 2),
                          "level": "warning" if i == 3 else "info"})
    page = client.get(_url(owner) + "?event_type=batch.item&page_size=3&page=2", headers=owner["headers"])
    assert page.status_code == 200 and len(page.get_json()) == 3
    assert json.loads(page.headers["X-Pagination"])["total"] == 7
    assert len(client.get(_url(owner) + "?entity_type=things&entity_id=1",
                          headers=owner["headers"]).get_json()) == 3
    warnings = client.get(_url(owner) + "?level=warning", headers=owner["headers"]).get_json()
    assert [e["level"] for e in warnings] == ["warning"]
    activity = client.get(_url(owner, f"users/{owner['user']['id']}/activity"), headers=owner["headers"]).get_json()
    assert {e["event_type"] for e in activity} >= {"batch.item", "user.registered"}
    assert client.get(_url(owner) + "?since=2000-01-01T00:00:00Z&until=2001-01-01T00:00:00Z",
                      headers=owner["headers"]).get_json() == []
    helpers.assert_error(client.get(_url(owner) + "?since=yesterday", headers=owner["headers"]), 422)
    helpers.assert_error(client.get(_url(owner) + "?page_size=100000", headers=owner["headers"]), 422)
    helpers.set_features(client, owner, analytics=True)
    stats = client.get(_url(owner, "stats/summary"), headers=owner["headers"]).get_json()
    assert stats["by_type"]["batch.item"] == 7 and stats["by_level"]["warning"] == 1 and stats["last_24h"] >= 9


def test_export_csv_and_jsonl_are_streamed(client):
    owner = helpers.register(client)
    client.post(_url(owner), headers=owner["headers"], json={"event_type": "x.y", "payload": {"a": 1}})
    response = client.get(_url(owner, "export?format=csv"), headers=owner["headers"])
    assert response.status_code == 200 and response.mimetype == "text/csv"
    assert response.is_streamed
    rows = list(csv.DictReader(io.StringIO(response.get_data(as_text=True))))
    assert [r["event_type"] for r in rows] == ["organization.created", "user.registered", "x.y"]
    assert json.loads(rows[2]["payload"]) == {"a": 1}
    lines = client.get(_url(owner, "export"), headers=owner["headers"]).get_data(as_text=True).splitlines()
    assert [json.loads(line)["event_type"] for line in lines][-1] == "x.y"
    operator = helpers.add_member(client, owner, "operator")
    helpers.assert_error(client.get(_url(owner, "export"), headers=operator["headers"]), 403)
    helpers.assert_error(client.get(_url(owner, "export?format=xml"), headers=owner["headers"]), 422)


def test_export_never_includes_other_orgs(client):
    a, b = helpers.register(client), helpers.register(client)
    client.post(_url(b), headers=b["headers"], json={"event_type": "b.secret"})
    text = client.get(_url(a, "export"), headers=a["headers"]).get_data(as_text=True)
    assert "b.secret" not in text and b["user"]["email"] not in text
