"""Connecting shops: OAuth attempts (state + PKCE verifier, single use, expiring) and the connected shop row."""
from __future__ import annotations

import datetime as dt
import hashlib
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from models import audit, base, errors, secrets, tenancy
from models import printer as printer_model
from models import shop as shop_model
from models import template as template_model

STATE_TTL = dt.timedelta(minutes=15)


def state_hash(state: str) -> str:
    """What is stored of a state: its sha256."""
    return hashlib.sha256(state.encode()).hexdigest()


def start_connect(session: Session, *, org_id: int, user_id: int, state: str, code_verifier: str) -> shop_model.Shop:
    """A pending shop and its authorization attempt."""
    shop = shop_model.Shop(org_id=org_id, status="pending")
    session.add(shop)
    session.flush()
    session.add(shop_model.OAuthState(org_id=org_id, shop_id=shop.id, state_hash=state_hash(state),
                                      code_verifier_enc=secrets.encrypt(code_verifier), created_by=user_id,
                                      expires_at=base.utcnow() + STATE_TTL))
    audit.record(session, "shop.connect_started", entity=shop)
    return shop


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


def finish_connect(session: Session, attempt: shop_model.OAuthState, me: dict[str, Any],
                   etsy_shop: dict[str, Any]) -> shop_model.Shop:
    """The connected shop: the pending row, or the org's existing row for that Etsy shop (a reconnect)."""
    pending = session.get(shop_model.Shop, attempt.shop_id)
    existing = session.scalar(select(shop_model.Shop).where(shop_model.Shop.etsy_shop_id == etsy_shop["shop_id"]))
    shop = existing or pending
    if existing is not None and pending is not None and existing.id != pending.id:
        session.delete(pending)
    shop.etsy_shop_id, shop.etsy_user_id = etsy_shop["shop_id"], me.get("user_id")
    shop.name, shop.currency = etsy_shop.get("shop_name"), etsy_shop.get("currency_code")
    shop.status, shop.sync_error = "connected", None
    return shop


def get(session: Session, shop_id: int) -> shop_model.Shop:
    """A shop of the current organization (pending ones included), or NotFound."""
    shop = session.get(shop_model.Shop, shop_id)
    if shop is None:
        raise errors.NotFound("Shop not found")
    return shop


def search() -> Any:
    """Shops of the current organization, oldest first."""
    return select(shop_model.Shop).order_by(shop_model.Shop.id)


def update(session: Session, shop: shop_model.Shop, data: dict[str, Any]) -> shop_model.Shop:
    """Apply sync settings; the default template and printer must be the org's."""
    if data.get("default_template_id") is not None and session.get(template_model.Template,
                                                                   data["default_template_id"]) is None:
        raise errors.Invalid("Unknown template", errors={"default_template_id": ["Unknown template"]})
    if data.get("default_printer_id") is not None and session.get(printer_model.Printer,
                                                                  data["default_printer_id"]) is None:
        raise errors.Invalid("Unknown printer", errors={"default_printer_id": ["Unknown printer"]})
    for key, value in data.items():
        setattr(shop, key, value)
    changes = audit.changes_of(shop)
    if changes:
        audit.record(session, "shop.updated", entity=shop, changes=changes)
    return shop
