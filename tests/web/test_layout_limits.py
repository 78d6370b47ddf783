"""The synchronous layout runs on a web thread: its search is capped (longer asks are a 422 saying to queue a
job) and only LAYOUT_CONCURRENCY run at once per organization, counted across processes (429 past it)."""
from __future__ import annotations

import io

import pytest
from sqlalchemy import text

from models import db
from services import layout_limits
from tests import helpers, imagegen


def _design(client, org) -> int:
    made = client.post(f"/api/organizations/{org['org_id']}/files/", headers=org["headers"],
                       data={"file": (io.BytesIO(imagegen.png(60, 60, dpi=300)), "d.png"), "file_type": "designs"},
                       content_type="multipart/form-data")
    assert made.status_code == 201, made.get_json()
    return made.get_json()["file"]["id"]


def _layout(client, org, **extra):
    body = {"items": [{"file_id": org["design"], "width_in": 2, "height_in": 2, "quantity": 3}], **extra}
    return client.post(f"/api/organizations/{org['org_id']}/gang-sheets/layout", headers=org["headers"], json=body)


@pytest.mark.parametrize("ask", [{"time_budget": 5}, {"time_budget": 1.5}, {"quality": "thorough"}])
def test_long_searches_are_refused_and_sent_to_the_queue(client, ask):
    owner = helpers.register(client)
    owner["design"] = _design(client, owner)
    body = helpers.assert_error(_layout(client, owner, **ask), 422)
    assert "gang_sheets job" in body["message"] and set(body["errors"]) == set(ask)
    assert _layout(client, owner, time_budget=1).status_code == 200
    assert _layout(client, owner, quality="fast").status_code == 200


def test_concurrent_layouts_per_organization_are_capped(app, settings, committed):
    session, created = committed
    client = app.test_client()
    busy, other = helpers.register(client), helpers.register(client)
    created += [busy["org_id"], other["org_id"]]
    busy["design"], other["design"] = _design(client, busy), _design(client, other)
    # Two layouts of `busy` are running (their slots held from two other connections, as two web workers would).
    holders = [db.engine().connect() for _ in range(settings.layout_concurrency)]
    try:
        for slot, conn in enumerate(holders):
            namespace, key = layout_limits.slot_key(busy["org_id"], slot)
            conn.begin()
            assert conn.execute(text("SELECT pg_try_advisory_xact_lock(:ns, :key)"),
                                {"ns": namespace, "key": key}).scalar()
        refused = _layout(client, busy)
        body = helpers.assert_error(refused, 429)
        assert int(refused.headers["Retry-After"]) >= 1 and "gang_sheets job" in body["message"]
        assert _layout(client, other).status_code == 200  # another organization has its own slots
        assert client.get("/ping").status_code == 200
        holders[0].rollback()  # one finishes
        assert _layout(client, busy).status_code == 200
    finally:
        for conn in holders:
            conn.close()
