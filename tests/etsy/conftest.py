"""Fixtures for the Etsy client: the local double of Etsy, a seller with a token, clients and settings."""
from __future__ import annotations

import dataclasses
import os
import uuid

import pytest

from etsy import client, ratelimit
from tests.etsy_double import server

REDIRECT_URI = "http://127.0.0.1:9/etsy/callback"


@pytest.fixture
def etsy_double():
    """A fresh double per test; the test fails if the double ever answered outside the spec."""
    with server.EtsyDouble() as double:
        yield double
    assert double.violations == [], double.violations


@pytest.fixture
def seller(etsy_double):
    """A shop with one listing; its owner approves OAuth requests."""
    shop = etsy_double.add_seller()
    listing = etsy_double.store.add_listing(shop["shop_id"], sku="PRINT-8x10")
    return {"shop": shop, "shop_id": shop["shop_id"], "user_id": shop["user_id"], "listing": listing}


@pytest.fixture
def token(etsy_double, seller):
    """A token pair of the seller."""
    return etsy_double.issue_token(seller["user_id"])


@pytest.fixture
def make_client(etsy_double, token):
    """Build an EtsyClient against the double (in-process budget, fast backoff unless told otherwise)."""
    def build(**kwargs) -> client.EtsyClient:
        options = dict(api_key=etsy_double.api_key, client_secret=etsy_double.shared_secret,
                       token=lambda: token["access_token"], budget=ratelimit.LocalBudget(10, 10_000),
                       base_url=etsy_double.base_url, timeout=5.0, backoff_base=0.01, backoff_cap=0.1)
        options.update(kwargs)
        return client.EtsyClient(**options)
    return build


@pytest.fixture
def etsy_settings(settings, etsy_double):
    """Settings pointing every Etsy URL at the double."""
    return dataclasses.replace(settings, etsy_api_key=etsy_double.api_key,
                               etsy_client_secret=etsy_double.shared_secret, etsy_api_base_url=etsy_double.base_url,
                               etsy_authorize_url=etsy_double.authorize_url, etsy_token_url=etsy_double.token_url,
                               etsy_redirect_uri=REDIRECT_URI, etsy_timeout=5.0)


@pytest.fixture
def redis_url() -> str:
    return os.environ.get("TEST_REDIS_URL", "redis://127.0.0.1:6379/0")


@pytest.fixture
def budget_key(request) -> str:
    """A budget name no other test uses."""
    return f"test:etsy:{request.node.name}:{uuid.uuid4().hex[:8]}"
