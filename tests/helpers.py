"""Shared test helpers: sign-up, headers, other organizations."""
from __future__ import annotations

import itertools
from typing import Any

_counter = itertools.count(1)
PASSWORD = "correct-horse-battery"


def register(client, *, org_name: str | None = None, email: str | None = None, **extra: Any) -> dict[str, Any]:
    """Register a new organization and its owner; returns the response body plus `headers`."""
    n = next(_counter)
    body = {"email": email or f"owner{n}@example.com", "password": PASSWORD,
            "organization_name": org_name or f"Print Shop {n}", **extra}
    response = client.post("/api/auth/register", json=body)
    assert response.status_code == 201, response.get_json()
    data = response.get_json()
    data["headers"] = bearer(data["access_token"])
    data["org_id"] = data["organization"]["id"]
    return data


def bearer(token: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {token}"}


def add_member(client, owner: dict[str, Any], role: str, email: str | None = None) -> dict[str, Any]:
    """Add a member with `role` to the owner's organization and sign them in."""
    email = email or f"{role}{next(_counter)}@example.com"
    response = client.post(f"/api/organizations/{owner['org_id']}/members/", headers=owner["headers"],
                           json={"email": email, "password": PASSWORD, "role": role})
    assert response.status_code == 201, response.get_json()
    login = client.post("/api/auth/login", json={"email": email, "password": PASSWORD}).get_json()
    return {"user": response.get_json(), "headers": bearer(login["access_token"]), "org_id": owner["org_id"],
            "refresh_token": login["refresh_token"]}


def assert_error(response, status: int) -> dict[str, Any]:
    """The response is an error of `status` in the one error shape."""
    assert response.status_code == status, (response.status_code, response.get_data(as_text=True)[:500])
    body = response.get_json()
    assert set(body) >= {"code", "status", "message"}, body
    assert body["code"] == status
    return body


def set_features(client, owner: dict[str, Any], **flags: bool) -> None:
    """Turn the owner's organization's feature flags on or off through the API."""
    response = client.put(f"/api/organizations/{owner['org_id']}/features", headers=owner["headers"],
                          json={"features": flags})
    assert response.status_code == 200, response.get_json()
