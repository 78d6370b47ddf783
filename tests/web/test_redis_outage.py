"""A Redis outage costs speed only: reference data comes from Etsy and /health stays 200 (degraded)."""
from __future__ import annotations

import dataclasses
import socket
import threading

import pytest

from models import shop as shop_model
from models import tenancy
from services import shop_tokens
from tests import etsy_flow, helpers


@pytest.fixture
def silent_redis():
    """A server that accepts connections and never answers (Redis hung, or a network partition mid-run)."""
    listener = socket.socket()
    listener.bind(("127.0.0.1", 0))
    listener.listen(16)
    held: list[socket.socket] = []
    stop = threading.Event()

    def accept() -> None:
        listener.settimeout(0.2)
        while not stop.is_set():
            try:
                held.append(listener.accept()[0])
            except OSError:
                continue

    thread = threading.Thread(target=accept, daemon=True)
    thread.start()
    yield f"redis://127.0.0.1:{listener.getsockname()[1]}/0"
    stop.set()
    thread.join()
    for conn in held:
        conn.close()
    listener.close()


def _closed_port() -> str:
    probe = socket.socket()
    probe.bind(("127.0.0.1", 0))
    port = probe.getsockname()[1]
    probe.close()
    return f"redis://127.0.0.1:{port}/0"


def _connected_shop(session, settings, double, org_id: int) -> int:
    seller = double.add_seller()
    double.store.add_section(seller["shop_id"], "Stickers")
    with tenancy.org_scope(org_id):
        shop = shop_model.Shop(org_id=org_id, etsy_shop_id=seller["shop_id"], etsy_user_id=seller["user_id"],
                               name="Outage Shop", status="connected")
        shop_tokens.store(shop, double.issue_token(seller["user_id"]), settings)
        session.add(shop)
        session.flush()
        return shop.id


@pytest.mark.parametrize("outage", ["closed_port", "silent"])
def test_reference_data_and_health_survive_a_redis_outage(app, client, session, settings, double, silent_redis,
                                                          monkeypatch, outage):
    redis_url = _closed_port() if outage == "closed_port" else silent_redis
    broken = dataclasses.replace(etsy_flow.settings_for(settings, double), redis_url=redis_url)
    monkeypatch.setitem(app.extensions, "esa_settings", broken)
    owner = helpers.register(client)
    shop_id = _connected_shop(session, broken, double, owner["org_id"])
    url = f"/api/organizations/{owner['org_id']}/shops/{shop_id}/reference/sections"
    response = client.get(url, headers=owner["headers"])
    assert response.status_code == 200, response.get_data(as_text=True)[:300]
    body = response.get_json()
    assert body["cached"] is False and [s["title"] for s in body["results"]] == ["Stickers"]
    health = client.get("/health")
    assert health.status_code == 200
    assert health.get_json()["components"]["redis"] == {"status": "degraded"}
