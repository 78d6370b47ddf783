"""Etsy shops: connect (OAuth with PKCE: single-use, expiring attempts), settings, disconnect, sync, reference data."""
from __future__ import annotations

import datetime as dt
import hashlib
from typing import Any

from sqlalchemy import Select, delete, select
from sqlalchemy.orm import Session

import config
from etsy import client as etsy
from etsy import oauth
from models import audit, base, errors, secrets, tenancy
from models import printer as printer_model
from models import shop as shop_model
from models import template as template_model
from services import etsy_reference, features, print_jobs, rows, shop_tokens

Shop = shop_model.Shop
STATE_TTL = dt.timedelta(minutes=15)
DEFAULT_SCOPES = oauth.DEFAULT_SCOPES
FULL_SYNC_EVERY = dt.timedelta(hours=24)
# A connect attempt nobody finished: its state expired long ago, so the pending row can go.
ABANDONED_AFTER = dt.timedelta(days=1)


def state_hash(state: str) -> str:
    """What is stored of a state: its sha256."""
    return hashlib.sha256(state.encode()).hexdigest()


def start_connect(session: Session, settings: config.Settings, *, org_id: int, user_id: int,
                  scopes: list[str]) -> dict[str, Any]:
    """A pending shop, its authorization attempt, and the URL to send the seller to (PKCE S256)."""
    if not (settings.etsy_api_key and settings.etsy_client_secret and settings.etsy_redirect_uri):
        raise errors.Unavailable("Etsy is not configured (ETSY_API_KEY, ETSY_CLIENT_SECRET, ETSY_REDIRECT_URI)")
    state, verifier = oauth.new_state(), oauth.new_code_verifier()
    shop = Shop(org_id=org_id, status="pending", scopes=scopes)
    session.add(shop)
    session.flush()
    session.add(shop_model.OAuthState(org_id=org_id, shop_id=shop.id, state_hash=state_hash(state),
                                      code_verifier_enc=secrets.encrypt(verifier), created_by=user_id,
                                      expires_at=base.utcnow() + STATE_TTL))
    audit.record(session, "shop.connect_started", entity=shop)
    return {"shop": shop, "authorization_url": oauth.authorization_url(state, verifier, scopes, settings),
            "expires_in": int(STATE_TTL.total_seconds())}


def claim_state(session: Session, state: str) -> tuple[shop_model.OAuthState, str]:
    """The attempt a callback's state belongs to, marked used, and its verifier; Invalid if unknown/used/expired."""
    with tenancy.system_access("an OAuth callback names its organization only through the state it carries"):
        row = session.scalar(select(shop_model.OAuthState)
                             .where(shop_model.OAuthState.state_hash == state_hash(state)).with_for_update())
    if row is None:
        raise errors.Invalid("Unknown authorization state; start connecting the shop again")
    if row.used_at is not None:
        raise errors.Invalid("This authorization was already used; start connecting the shop again")
    if row.expires_at <= base.utcnow():
        raise errors.Invalid("This authorization expired; start connecting the shop again")
    row.used_at = base.utcnow()
    return row, secrets.decrypt(row.code_verifier_enc)


def receive_callback(session: Session, attempt: shop_model.OAuthState, *, code: str | None,
                     error: str | None) -> str:
    """Etsy's answer to a claimed attempt (the session is scoped to its org): the code is kept (encrypted) until the
    member who started the connection confirms it; returns the confirmation token only the returning browser gets."""
    if error or not code:
        session.commit()  # the state stays used: a refused or broken attempt cannot be replayed
        raise errors.Invalid(f"Etsy did not authorize the connection: {error or 'no code'}")
    token = oauth.new_state()
    attempt.code_enc, attempt.confirm_hash = secrets.encrypt(code), state_hash(token)
    attempt.returned_at = base.utcnow()
    return token


def awaiting(session: Session, confirmation: str, user_id: int, org_id: int) -> shop_model.OAuthState:
    """The attempt a confirmation token names, if `user_id` of `org_id` started it and it is still open."""
    with tenancy.system_access("a confirmation names its attempt only through the token it carries"):
        attempt = session.scalar(select(shop_model.OAuthState)
                                 .where(shop_model.OAuthState.confirm_hash == state_hash(confirmation))
                                 .with_for_update())
    if attempt is None:
        raise errors.NotFound("Unknown connection; start connecting the shop again")
    if attempt.created_by != user_id or attempt.org_id != org_id:
        raise errors.Forbidden("Only the member who started this connection can confirm it")
    if attempt.code_enc is None:
        raise errors.Invalid("This connection was already confirmed or refused; start connecting the shop again")
    if attempt.returned_at is None or attempt.returned_at + STATE_TTL <= base.utcnow():
        raise errors.Invalid("This connection expired; start connecting the shop again")
    return attempt


def confirm_connect(session: Session, settings: config.Settings, confirmation: str, *, user_id: int,
                    org_id: int) -> Shop:
    """The starting member confirms: the code is traded for tokens and the shop stored in their organization
    (the session is scoped to it); a shop another organization holds is refused."""
    attempt = awaiting(session, confirmation, user_id, org_id)
    code, verifier = secrets.decrypt(attempt.code_enc or ""), secrets.decrypt(attempt.code_verifier_enc)
    attempt.code_enc = None  # one confirmation per callback, whatever Etsy answers
    try:
        token = oauth.exchange_code(code, verifier, settings)
        client = etsy.EtsyClient.from_settings(token=lambda: token["access_token"], settings=settings)
        me = client.get_me()
        etsy_shop = client.get_shop(me["shop_id"])
    except etsy.EtsyError as exc:
        session.commit()
        raise errors.Invalid(f"Etsy refused the connection: {exc}") from None
    if held_elsewhere(session, etsy_shop["shop_id"], org_id):
        audit.record(session, "shop.connect_refused", level="warning",
                     payload={"etsy_shop_id": etsy_shop["shop_id"], "reason": "held by another organization"})
        session.commit()
        raise errors.Conflict(f"The Etsy shop {etsy_shop.get('shop_name') or etsy_shop['shop_id']} is connected to "
                              "another organization; disconnect it there before connecting it here")
    shop = _connected(session, attempt, me, etsy_shop)
    shop_tokens.store(shop, token, settings)
    audit.record(session, "shop.connected", entity=shop, payload={"etsy_shop_id": shop.etsy_shop_id})
    return shop


def held_elsewhere(session: Session, etsy_shop_id: int, org_id: int) -> bool:
    """Whether another organization holds this Etsy shop (connected or waiting for re-authorization)."""
    with tenancy.system_access("one Etsy shop belongs to one organization: look at every organization's shops"):
        return session.scalar(select(Shop.id).where(Shop.etsy_shop_id == etsy_shop_id, Shop.org_id != org_id,
                                                    Shop.status != "disconnected").limit(1)) is not None


def _connected(session: Session, attempt: shop_model.OAuthState, me: dict[str, Any],
               etsy_shop: dict[str, Any]) -> Shop:
    # The pending row, or the org's existing row for that Etsy shop (a reconnect keeps its history).
    pending = session.get(Shop, attempt.shop_id)
    existing = session.scalar(select(Shop).where(Shop.etsy_shop_id == etsy_shop["shop_id"]))
    shop = existing or pending
    if shop is None:
        raise errors.Invalid("The shop was removed while it was being connected; start connecting it again")
    if existing is not None and pending is not None and existing.id != pending.id:
        session.delete(pending)
    shop.etsy_shop_id, shop.etsy_user_id = etsy_shop["shop_id"], me.get("user_id")
    shop.name, shop.currency = etsy_shop.get("shop_name"), etsy_shop.get("currency_code")
    shop.status, shop.sync_error = "connected", None
    return shop


def get(session: Session, shop_id: int) -> Shop:
    """A shop of the current organization (pending ones included), or NotFound."""
    return rows.get(session, Shop, shop_id, "Shop")


def search() -> Select:
    """Shops of the current organization, oldest first."""
    return select(Shop).order_by(Shop.id)


def update(session: Session, shop_id: int, data: dict[str, Any]) -> Shop:
    """Apply sync settings; the default template and printer must be the org's."""
    shop = get(session, shop_id)
    if data.get("default_template_id") is not None and session.get(template_model.Template,
                                                                   data["default_template_id"]) is None:
        raise errors.Invalid("Unknown template", errors={"default_template_id": ["Unknown template"]})
    if data.get("default_printer_id") is not None and session.get(printer_model.Printer,
                                                                  data["default_printer_id"]) is None:
        raise errors.Invalid("Unknown printer", errors={"default_printer_id": ["Unknown printer"]})
    rows.apply(session, shop, data, "shop.updated")
    return shop


def disconnect(session: Session, shop_id: int) -> None:
    """Destroy the tokens and stop syncing; orders and history are kept."""
    shop = get(session, shop_id)
    shop_tokens.destroy(shop)
    shop.status, shop.sync_enabled = "disconnected", False
    audit.record(session, "shop.disconnected", entity=shop)


def sync_now(session: Session, shop_id: int, *, full: bool, created_by: int | None) -> print_jobs.PrintJob:
    """An `orders` print job syncing the shop (Conflict while one is queued or running)."""
    get(session, shop_id)
    return print_jobs.create(session, job_type="orders", created_by=created_by,
                             params={"shop_id": shop_id, "full": full})


def sync_due(session: Session) -> int:
    """Queue an orders job for each connected shop whose interval has passed (full once a day); drop abandoned ones."""
    now = base.utcnow()
    session.execute(delete(Shop).where(Shop.status == "pending", Shop.created_at < now - ABANDONED_AFTER))
    if not (features.enabled(session, "etsy_sync") and features.enabled(session, "orders")):
        return 0
    queued = 0
    for shop in session.scalars(select(Shop).where(Shop.status == "connected", Shop.sync_enabled.is_(True))):
        due = shop.last_synced_at is None or shop.last_synced_at + dt.timedelta(
            minutes=shop.sync_interval_minutes) <= now
        full = shop.last_full_sync_at is None or shop.last_full_sync_at + FULL_SYNC_EVERY <= now
        if not due:
            continue
        try:
            with session.begin_nested():
                print_jobs.create(session, job_type="orders", created_by=None, params={"shop_id": shop.id,
                                                                                       "full": full})
            queued += 1
        except errors.Conflict:
            pass  # a sync of this shop is already queued or running
    return queued


def reference(session: Session, settings: config.Settings, shop_id: int, kind: str) -> dict[str, Any]:
    """Etsy reference data for listings: shop sections, shipping profiles or taxonomy (cached)."""
    shop = get(session, shop_id)
    if shop.status != "connected":
        raise errors.Conflict(f"The shop is {shop.status}; connect it first")
    try:
        data, cached = etsy_reference.fetch(shop, kind, settings, session)
    except etsy.EtsyError as exc:
        raise errors.Unavailable(f"Etsy: {exc}") from None
    return {"kind": kind, "cached": cached, "results": data}
