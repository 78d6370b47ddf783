"""Sign-in under attack: failures counted atomically across concurrent requests, and a per-address throttle on
sign-in, sign-up and refresh (PostgreSQL, or Redis when configured) answering 429 with Retry-After."""
from __future__ import annotations

import dataclasses
import os
import threading
from concurrent.futures import ThreadPoolExecutor

import pytest

from services import passwords
from tests import helpers


def test_concurrent_wrong_passwords_check_at_most_the_limit(app, settings, committed, monkeypatch):
    session, created = committed
    client = app.test_client()
    owner = helpers.register(client)
    created.append(owner["org_id"])
    email = owner["user"]["email"]
    checked, lock = [0], threading.Lock()
    real_verify = passwords.verify_password

    def counting(password_hash, password):
        if password_hash is not None:
            with lock:
                checked[0] += 1
        return real_verify(password_hash, password)

    monkeypatch.setattr(passwords, "verify_password", counting)

    def guess(n: int) -> int:
        # Each from its own address, so only the account's own limit applies.
        answer = app.test_client().post("/api/auth/login", json={"email": email, "password": f"wrong-guess-{n}"},
                                        environ_base={"REMOTE_ADDR": f"10.1.{n // 200}.{n % 200}"})
        return answer.status_code

    with ThreadPoolExecutor(max_workers=16) as pool:
        statuses = list(pool.map(guess, range(150)))
    assert set(statuses) <= {401, 429}, statuses
    assert checked[0] <= settings.login_max_failures, checked[0]
    assert statuses.count(401) == checked[0]
    refused = app.test_client().post("/api/auth/login", json={"email": email, "password": helpers.PASSWORD})
    helpers.assert_error(refused, 429)


@pytest.fixture
def limited(app, settings, monkeypatch):
    """The app with a limit of 3 calls per operation, address and minute."""
    def configure(**changes):
        monkeypatch.setitem(app.extensions, "esa_settings",
                            dataclasses.replace(settings, auth_attempts_per_minute=3, **changes))
    configure()
    return configure


def _login(client, addr: str = "10.2.0.1", **headers):
    return client.post("/api/auth/login", json={"email": "nobody@example.com", "password": "nope-nope-nope"},
                       environ_base={"REMOTE_ADDR": addr}, headers=headers)


def test_sign_in_is_throttled_per_address(client, limited):
    assert [_login(client).status_code for _ in range(3)] == [401, 401, 401]
    throttled = _login(client)
    body = helpers.assert_error(throttled, 429)
    assert 1 <= int(throttled.headers["Retry-After"]) <= 61 and "address" in body["message"]
    assert _login(client, "10.2.0.2").status_code == 401  # another address has its own count
    # Without trusted proxies, X-Forwarded-For is the client's to forge and changes nothing.
    helpers.assert_error(_login(client, **{"X-Forwarded-For": "203.0.113.9"}), 429)


def test_a_trusted_proxy_names_the_client(client, limited):
    limited(trusted_proxy_hops=1)
    for _ in range(3):
        assert _login(client, "10.9.9.9", **{"X-Forwarded-For": "198.51.100.1"}).status_code == 401
    helpers.assert_error(_login(client, "10.9.9.9", **{"X-Forwarded-For": "198.51.100.1"}), 429)
    # Same proxy, another client: the forged left part is ignored, the proxy's own entry counts.
    assert _login(client, "10.9.9.9", **{"X-Forwarded-For": "198.51.100.1, 198.51.100.2"}).status_code == 401


def test_sign_up_and_refresh_are_throttled(client, limited):
    for n in range(3):
        made = client.post("/api/auth/register", environ_base={"REMOTE_ADDR": "10.3.0.1"},
                           json={"email": f"throttled{n}@example.com", "password": helpers.PASSWORD,
                                 "organization_name": f"Throttled {n}"})
        assert made.status_code == 201, made.get_json()
    helpers.assert_error(client.post("/api/auth/register", environ_base={"REMOTE_ADDR": "10.3.0.1"},
                                     json={"email": "fourth@example.com", "password": helpers.PASSWORD,
                                           "organization_name": "Fourth"}), 429)
    refresh = made.get_json()["refresh_token"]
    for _ in range(3):
        answer = client.post("/api/auth/refresh", json={"refresh_token": refresh},
                             environ_base={"REMOTE_ADDR": "10.3.0.2"})
        assert answer.status_code in (200, 401)
        refresh = answer.get_json().get("refresh_token", refresh)
    helpers.assert_error(client.post("/api/auth/refresh", json={"refresh_token": refresh},
                                     environ_base={"REMOTE_ADDR": "10.3.0.2"}), 429)


def test_the_throttle_counts_in_redis_and_survives_its_outage(client, limited):
    import redis

    # A real Redis, as the other cache tests use (TEST_REDIS_URL; .ci/run and this machine have one).
    redis_url = os.environ.get("TEST_REDIS_URL", "redis://127.0.0.1:6379/0")
    limited(redis_url=redis_url)
    addr = f"10.4.{os.getpid() % 250}.{threading.get_ident() % 250}"
    assert [_login(client, addr).status_code for _ in range(3)] == [401, 401, 401]
    helpers.assert_error(_login(client, addr), 429)
    keys = redis.Redis.from_url(redis_url).keys(f"esa:throttle:sign-in:{addr}:*")
    assert keys
    redis.Redis.from_url(redis_url).delete(*keys)
    limited(redis_url="redis://127.0.0.1:1/0")  # down: PostgreSQL counts instead
    assert [_login(client, addr).status_code for _ in range(3)] == [401, 401, 401]
    helpers.assert_error(_login(client, addr), 429)
