"""Organizations (tenants): created with a unique NAS folder slug, listed, changed, deactivated; feature flags."""
from __future__ import annotations

import unicodedata
from collections.abc import Iterable
from typing import Any

from sqlalchemy import Select, or_, select
from sqlalchemy.orm import Session

from models import audit, errors, tenancy
from models import organization as org_model
from models import user as user_model
from nas import errors as nas_errors
from nas import paths
from services import rows

Organization = org_model.Organization


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
    """A new active organization (flushed, so it has an id); the caller scopes to it, then calls record_created."""
    org = Organization(name=name.strip(), shop_name=unique_shop_name(session, shop_name, name),
                       settings=dict(settings or {}), is_active=True)
    session.add(org)
    session.flush()
    return org


def record_created(session: Session, org: Organization, fields: Iterable[str]) -> None:
    """The `organization.created` event, naming `fields` (written inside the new organization's scope)."""
    audit.record(session, "organization.created", entity=org, changes={f: [None, getattr(org, f)] for f in fields})


def search(user: user_model.User, filters: dict[str, Any]) -> Select:
    """Superusers see every organization; others their own."""
    stmt = select(Organization).order_by(Organization.id)
    if not user.is_superuser:
        stmt = stmt.where(Organization.id == user.org_id)
    if filters.get("q"):
        stmt = stmt.where(or_(Organization.name.icontains(filters["q"], autoescape=True),
                              Organization.shop_name.icontains(filters["q"], autoescape=True)))
    if "is_active" in filters:
        stmt = stmt.where(Organization.is_active.is_(filters["is_active"]))
    return stmt


def active_ids(session: Session) -> list[int]:
    """Every active organization's id (periodic tasks fan out over them)."""
    with tenancy.system_access("periodic sweep over every organization"):
        return list(session.scalars(select(Organization.id).where(Organization.is_active.is_(True))
                                    .order_by(Organization.id)))


def get(session: Session, org_id: int) -> Organization:
    """The organization, or NotFound."""
    return rows.get(session, Organization, org_id, "Organization")


def update(session: Session, org_id: int, data: dict[str, Any], *, superuser: bool) -> Organization:
    """Rename or change settings (merged into the stored ones); only superusers (re)activate."""
    org = get(session, org_id)
    if "is_active" in data and not superuser:
        raise errors.Forbidden("Only a superuser can change is_active; owners use DELETE")
    if "settings" in data:
        data = {**data, "settings": {**org.settings, **data["settings"]}}
    if data.get("nas_folder") is not None:
        try:
            paths.check_folder(data["nas_folder"])
        except nas_errors.InvalidName as exc:
            raise errors.Invalid(str(exc), errors={"nas_folder": [str(exc)]}) from None
    rows.apply(session, org, data, "organization.updated")
    return org


def deactivate(session: Session, org_id: int) -> None:
    """Keep the data, refuse sign-ins."""
    org = get(session, org_id)
    if org.is_active:
        org.is_active = False
        audit.record(session, "organization.deactivated", entity=org, changes=audit.changes_of(org))


def features(session: Session, org_id: int) -> dict[str, bool]:
    """Effective feature flags: stored values over the defaults."""
    stored = dict(session.execute(select(org_model.OrganizationFeature.name, org_model.OrganizationFeature.enabled)
                                  .where(org_model.OrganizationFeature.org_id == org_id)).all())
    return {name: stored.get(name, default) for name, default in org_model.FEATURE_DEFAULTS.items()}


def set_features(session: Session, org_id: int, flags: dict[str, bool]) -> dict[str, bool]:
    """Store flags (the others keep their value) and audit what changed; the effective flags after."""
    unknown = sorted(set(flags) - set(org_model.FEATURE_DEFAULTS))
    if unknown:
        raise errors.Invalid(f"Unknown feature flag: {', '.join(unknown)}")
    current = features(session, org_id)
    stored = {row.name: row for row in session.scalars(
        select(org_model.OrganizationFeature).where(org_model.OrganizationFeature.org_id == org_id))}
    changed: dict[str, list[bool]] = {}
    for name, enabled in flags.items():
        if current[name] != enabled:
            changed[name] = [current[name], enabled]
        if name in stored:
            stored[name].enabled = enabled
        else:
            session.add(org_model.OrganizationFeature(org_id=org_id, name=name, enabled=enabled))
    session.flush()
    if changed:
        audit.record(session, "organization.features_updated", entity_type="organizations", entity_id=org_id,
                     changes=changed)
    return features(session, org_id)
