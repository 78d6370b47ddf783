"""Members of an organization: list, add, change role, remove; only owners touch owners and one owner always stays."""
from __future__ import annotations

from typing import Any

from sqlalchemy import Select, func, select
from sqlalchemy.orm import Session

from models import audit, errors, tenancy
from models import organization as org_model
from models import user as user_model
from services import accounts, sessions

User = user_model.User


def search(filters: dict[str, Any]) -> Select:
    """Members by role and active flag, oldest first."""
    stmt = select(User).order_by(User.id)
    if "role" in filters:
        stmt = stmt.where(User.role == filters["role"])
    if "is_active" in filters:
        stmt = stmt.where(User.is_active.is_(filters["is_active"]))
    return stmt


def get(session: Session, user_id: int) -> User:
    """A member of the current organization, or NotFound."""
    # A query, not session.get: the identity map may hold a superuser of another organization.
    user = session.scalar(select(User).where(User.id == user_id))
    if user is None:
        raise errors.NotFound("Member not found")
    return user


def add(session: Session, actor: User, org_id: int, data: dict[str, Any]) -> User:
    """Add a member with a role (only owners add owners)."""
    if data["role"] == "owner" and not (actor.is_superuser or actor.role == "owner"):
        raise errors.Forbidden("Only an owner can add an owner")
    return accounts.create_user(session, org_id=org_id, email=data["email"], password=data["password"],
                                role=data["role"], full_name=data.get("full_name"))


def update(session: Session, actor: User, user_id: int, data: dict[str, Any]) -> User:
    """Change role/name/active; only owners grant or revoke ownership; the last owner stays."""
    member = get(session, user_id)
    _lock_org(session)
    touches_owner = "role" in data and "owner" in (data["role"], member.role) and data["role"] != member.role
    if touches_owner and not (actor.is_superuser or actor.role == "owner"):
        raise errors.Forbidden("Only an owner can grant or revoke the owner role")
    if member.role == "owner" and not actor.is_superuser and actor.role != "owner":
        raise errors.Forbidden("Only an owner can change an owner")
    for key, value in data.items():
        setattr(member, key, value)
    if "is_active" in data and not data["is_active"]:
        member.token_version += 1
        sessions.revoke_user(session, member.id)
    changes = audit.changes_of(member)
    _ensure_owner(session)
    if changes:
        audit.record(session, "member.updated", entity=member, changes=changes)
    return member


def remove(session: Session, actor: User, user_id: int) -> None:
    """Delete a member (their audit history stays); an owner only by an owner, and never the last one."""
    member = get(session, user_id)
    audit.record(session, "member.removed", entity=member, changes={"email": [member.email, None]})
    if member.role == "owner" and not actor.is_superuser and actor.role != "owner":
        raise errors.Forbidden("Only an owner can remove an owner")
    _lock_org(session)
    session.delete(member)
    session.flush()
    _ensure_owner(session)


def _lock_org(session: Session) -> None:
    # Serializes membership changes per org so two concurrent demotions cannot both pass the owner check.
    # NO KEY UPDATE, so it never waits on transactions that merely insert rows referencing the org.
    session.execute(select(org_model.Organization.id)
                    .where(org_model.Organization.id == tenancy.current_org()).with_for_update(key_share=True))


def _ensure_owner(session: Session) -> None:
    session.flush()
    owners = session.scalar(select(func.count()).select_from(User)
                            .where(User.role == "owner", User.is_active.is_(True)))
    if not owners:
        raise errors.Conflict("An organization must keep at least one active owner")
