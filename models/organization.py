"""Organizations (tenants) and their feature flags."""
from __future__ import annotations

import unicodedata
from typing import Any

from sqlalchemy import BigInteger, Boolean, String, UniqueConstraint, select, true
from sqlalchemy.dialects.postgresql import JSONB
from sqlalchemy.orm import Mapped, Session, mapped_column

from models import base, errors

FEATURE_DEFAULTS: dict[str, bool] = {
    "mockups": True,
    "print": True,
    "designs": True,
    "orders": True,
    "gang_sheets": True,
    "etsy_sync": True,
    "analytics": False,
    "api_access": True,
}


class Organization(base.Timestamps, base.Base):
    """A tenant: one print business, owning its users, shops, files and jobs."""

    __tablename__ = "organizations"

    id: Mapped[int] = mapped_column(BigInteger, primary_key=True)
    name: Mapped[str] = mapped_column(String(200), nullable=False)
    # Names the shop's folder on the NAS, so it is a unique slug that never changes silently.
    shop_name: Mapped[str] = mapped_column(String(64), nullable=False, unique=True)
    settings: Mapped[dict[str, Any]] = mapped_column(JSONB, nullable=False, default=dict, server_default="{}")
    is_active: Mapped[bool] = mapped_column(Boolean, nullable=False, default=True, server_default=true())


class OrganizationFeature(base.OrgScoped, base.Timestamps, base.Base):
    """One feature flag an organization has set; unset flags take FEATURE_DEFAULTS."""

    __tablename__ = "organization_features"
    __table_args__ = (UniqueConstraint("org_id", "name"),)

    id: Mapped[int] = mapped_column(BigInteger, primary_key=True)
    name: Mapped[str] = mapped_column(String(64), nullable=False)
    enabled: Mapped[bool] = mapped_column(Boolean, nullable=False)


def slugify(name: str) -> str:
    """A shop_name slug from a display name."""
    out, dash = [], False
    for ch in unicodedata.normalize("NFKD", name).encode("ascii", "ignore").decode().lower():
        if ch.isalnum():
            out.append(ch)
            dash = False
        elif not dash and out:
            out.append("-")
            dash = True
    return "".join(out).strip("-")[:64].strip("-") or "shop"


def unique_shop_name(session: Session, wanted: str | None, name: str) -> str:
    """`wanted` when given (a clash is a Conflict), else a free slug derived from the name."""
    if wanted:
        if session.scalar(select(Organization.id).where(Organization.shop_name == wanted)) is not None:
            raise errors.Conflict(f"shop_name {wanted!r} is already taken")
        return wanted
    base_slug = slugify(name)
    taken = set(session.scalars(select(Organization.shop_name).where(Organization.shop_name.like(f"{base_slug}%"))))
    candidate, n = base_slug, 1
    while candidate in taken:
        n += 1
        suffix = f"-{n}"
        candidate = base_slug[: 64 - len(suffix)] + suffix
    return candidate


def create(session: Session, *, name: str, shop_name: str | None = None,
           settings: dict[str, Any] | None = None) -> Organization:
    """A new active organization (flushed, so it has an id)."""
    org = Organization(name=name.strip(), shop_name=unique_shop_name(session, shop_name, name),
                       settings=dict(settings or {}), is_active=True)
    session.add(org)
    session.flush()
    return org


def features(session: Session, org_id: int) -> dict[str, bool]:
    """Effective feature flags: stored values over the defaults."""
    stored = dict(session.execute(select(OrganizationFeature.name, OrganizationFeature.enabled)
                                  .where(OrganizationFeature.org_id == org_id)).all())
    return {name: stored.get(name, default) for name, default in FEATURE_DEFAULTS.items()}


def set_features(session: Session, org_id: int, flags: dict[str, bool]) -> dict[str, list[bool]]:
    """Store flags; returns what changed as {name: [old, new]}."""
    unknown = sorted(set(flags) - set(FEATURE_DEFAULTS))
    if unknown:
        raise errors.Invalid(f"Unknown feature flag: {', '.join(unknown)}")
    current = features(session, org_id)
    rows = {row.name: row for row in session.scalars(
        select(OrganizationFeature).where(OrganizationFeature.org_id == org_id))}
    changed: dict[str, list[bool]] = {}
    for name, enabled in flags.items():
        if current[name] != enabled:
            changed[name] = [current[name], enabled]
        if name in rows:
            rows[name].enabled = enabled
        else:
            session.add(OrganizationFeature(org_id=org_id, name=name, enabled=enabled))
    session.flush()
    return changed
