"""Accounts: registration, sign-in with lockout, and members of an organization (one owner always kept)."""
from __future__ import annotations

import datetime as dt
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from models import audit, errors, tenancy
from models import organization as org_model
from models import user as user_model


def normalize_email(email: str) -> str:
    """Emails compare case-insensitively."""
    return email.strip().lower()


def email_taken(session: Session, email: str) -> bool:
    """Whether any organization has a user with this email (emails are unique platform-wide)."""
    with tenancy.system_access("emails are unique across organizations"):
        return session.scalar(select(user_model.User.id).where(user_model.User.email == email)) is not None


def new_user(session: Session, *, org_id: int, email: str, password_hash: str, role: str,
             full_name: str | None = None, is_superuser: bool = False) -> user_model.User:
    """Add a user to `org_id` (the caller has scoped the session to it)."""
    email = normalize_email(email)
    if email_taken(session, email):
        raise errors.Conflict("A user with this email already exists")
    user = user_model.User(org_id=org_id, email=email, password_hash=password_hash, role=role,
                           full_name=full_name, is_superuser=is_superuser)
    session.add(user)
    session.flush()
    return user


def find_for_login(session: Session, email: str) -> tuple[user_model.User, bool] | None:
    """The user with this email and whether their organization is active, across orgs (before any tenant)."""
    with tenancy.system_access("sign-in looks a user up by email before the organization is known"):
        row = session.execute(
            select(user_model.User, org_model.Organization.is_active)
            .join(org_model.Organization, org_model.Organization.id == user_model.User.org_id)
            .where(user_model.User.email == normalize_email(email))
        ).first()
    return (row[0], row[1]) if row else None


def check_lock(user: user_model.User, now: dt.datetime) -> None:
    """Refuse sign-in while the account is locked after repeated failures."""
    if user.locked_until and user.locked_until > now:
        retry = int((user.locked_until - now).total_seconds()) + 1
        raise errors.TooManyRequests("Too many failed sign-ins; try again later", retry_after=retry)


def record_failure(user: user_model.User, now: dt.datetime, max_failures: int, lockout_seconds: int) -> None:
    """Count a failed sign-in; lock the account for a while once the limit is reached."""
    user.failed_logins += 1
    if user.failed_logins >= max_failures:
        user.locked_until = now + dt.timedelta(seconds=lockout_seconds)
        user.failed_logins = 0


def record_success(user: user_model.User, now: dt.datetime) -> None:
    """Reset the failure count after a good sign-in."""
    user.failed_logins = 0
    user.locked_until = None
    user.last_login_at = now


def get_member(session: Session, user_id: int) -> user_model.User:
    """A member of the current organization, or NotFound."""
    user = session.scalar(select(user_model.User).where(user_model.User.id == user_id))
    if user is None:
        raise errors.NotFound("Member not found")
    return user


def update_member(session: Session, actor: user_model.User, member: user_model.User,
                  data: dict[str, Any]) -> dict[str, list[Any]]:
    """Change role/name/active; only owners grant or revoke ownership; the last owner stays."""
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
    changes = audit.changes_of(member)
    _ensure_owner(session)
    return changes


def remove_member(session: Session, actor: user_model.User, member: user_model.User) -> None:
    """Delete a member; an owner can only be removed by an owner, and never the last one."""
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
    owners = session.scalar(
        select(func.count()).select_from(user_model.User)
        .where(user_model.User.role == "owner", user_model.User.is_active.is_(True))
    )
    if not owners:
        raise errors.Conflict("An organization must keep at least one active owner")

