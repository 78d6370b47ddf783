"""A shop's Etsy access token: decrypted on demand, refreshed ahead of expiry, one refresh per shop at a time."""
from __future__ import annotations

import datetime as dt
import time
from collections.abc import Callable
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

import config
from etsy import client as etsy
from etsy import oauth
from models import audit, base, db, errors, secrets
from models import shop as shop_model

# Refresh this long before Etsy's expiry, so a sync never starts with a token about to die mid-way.
AHEAD = dt.timedelta(minutes=5)


class NeedsReauth(errors.Conflict):
    """The shop's refresh token was refused (or it was never connected): the seller must connect it again."""


def store(shop: shop_model.Shop, token: dict[str, Any], settings: config.Settings | None = None) -> None:
    """Keep a token response on the shop, encrypted."""
    shop.access_token_enc = secrets.encrypt(token["access_token"], settings)
    if token.get("refresh_token"):
        shop.refresh_token_enc = secrets.encrypt(token["refresh_token"], settings)
    expires_in = int(token.get("expires_in") or 3600)
    shop.token_expires_at = base.utcnow() + dt.timedelta(seconds=expires_in)


def destroy(shop: shop_model.Shop) -> None:
    """Forget the tokens (disconnect)."""
    shop.access_token_enc = shop.refresh_token_enc = None
    shop.token_expires_at = None


def access_token(shop_id: int, settings: config.Settings | None = None, session: Session | None = None) -> str:
    """A valid access token for the shop of the current organization, refreshing it first when needed.

    Jobs leave `session` out: their transactions are long, and the lock below must be held only briefly, so a
    session of its own is used. A web request passes its own session (and commits it soon after).
    """
    settings = settings or config.get_settings()
    if session is not None:
        return _token(session, shop_id, settings)
    with Session(db.engine()) as own:
        return _token(own, shop_id, settings)


def provider(shop_id: int, settings: config.Settings, reuse_seconds: float = 60.0) -> Callable[[], str]:
    """A token callable for an EtsyClient that looks the token up at most once a minute (not once per request)."""
    token, fetched_at = "", 0.0

    def current() -> str:
        nonlocal token, fetched_at
        if not token or time.monotonic() - fetched_at > reuse_seconds:
            token, fetched_at = access_token(shop_id, settings), time.monotonic()
        return token
    return current


def _token(session: Session, shop_id: int, settings: config.Settings) -> str:
    shop = session.scalar(select(shop_model.Shop).where(shop_model.Shop.id == shop_id)
                          .with_for_update(key_share=True))
    if shop is None or shop.status != "connected" or not shop.access_token_enc:
        raise NeedsReauth(f"shop {shop_id} is not connected")
    if shop.token_expires_at and shop.token_expires_at - AHEAD > base.utcnow():
        return secrets.decrypt(shop.access_token_enc, settings)
    # The row lock serializes refreshes: a second worker waits here and then finds the fresh token.
    try:
        if not shop.refresh_token_enc:
            raise etsy.EtsyAuthError("no refresh token stored", None, "missing_refresh_token")
        token = oauth.refresh(secrets.decrypt(shop.refresh_token_enc, settings), settings)
    except etsy.EtsyAuthError as exc:
        shop.status, shop.sync_error = "needs_reauth", "Etsy refused the refresh token; connect the shop again"
        audit.record(session, "shop.needs_reauth", entity=shop, level="error", payload={"error": exc.error})
        session.commit()
        raise NeedsReauth(f"shop {shop_id}: refresh token refused") from None
    store(shop, token, settings)
    audit.record(session, "shop.token_refreshed", entity=shop)
    session.commit()
    return token["access_token"]
