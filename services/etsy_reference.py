"""Etsy reference data (shop sections, shipping profiles, taxonomy): cached in Redis when configured."""
from __future__ import annotations

import json
import logging
from collections.abc import Callable
from typing import Any

from sqlalchemy.orm import Session

import config
from etsy import client as etsy
from models import shop as shop_model
from services import shop_tokens

log = logging.getLogger(__name__)
TTL_SECONDS = 3600


def fetch(shop: shop_model.Shop, kind: str, settings: config.Settings | None = None,
          session: Session | None = None) -> tuple[list[Any], bool]:
    """(data, served_from_cache) for one kind of reference data of a connected shop."""
    settings = settings or config.get_settings()
    etsy_shop_id = shop.etsy_shop_id
    if etsy_shop_id is None:
        raise shop_tokens.NeedsReauth(f"shop {shop.id} is not connected")
    # Taxonomy is the same for every shop; sections and profiles belong to one.
    key = f"esa:etsy:{kind}" + ("" if kind == "taxonomy" else f":{etsy_shop_id}")
    cache = _redis(settings)
    hit = _cached(cache, "get", key)
    if hit is not None:
        return json.loads(hit), True
    token = shop_tokens.access_token(shop.id, settings, session)
    if session is not None:
        session.commit()  # releases the shop row lock (and keeps a refreshed token) before Etsy is called
    client = etsy.EtsyClient.from_settings(token=lambda: token, settings=settings)
    calls: dict[str, Callable[[], list[Any]]] = {
        "sections": lambda: client.get_shop_sections(etsy_shop_id),
        "shipping-profiles": lambda: client.get_shop_shipping_profiles(etsy_shop_id),
        "taxonomy": client.get_seller_taxonomy_nodes,
    }
    data = calls[kind]()
    _cached(cache, "set", key, json.dumps(data), ex=TTL_SECONDS)
    return data, False


def _cached(cache: Any, method: str, *args: Any, **kwargs: Any) -> Any:
    """A cache call, or None when there is no cache or it does not answer (an outage costs speed only)."""
    if cache is None:
        return None
    import redis

    try:
        return getattr(cache, method)(*args, **kwargs)
    except redis.RedisError as exc:
        log.warning("reference cache: Redis unavailable (%s); calling Etsy", exc.__class__.__name__)
        return None


def _redis(settings: config.Settings):
    if not settings.redis_url:
        return None
    import redis

    return redis.Redis.from_url(settings.redis_url, socket_timeout=2, socket_connect_timeout=2)
