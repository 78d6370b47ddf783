"""Accounts: sign-up of an organization's owner, sign-in with lockout, token refresh checks, password resets."""
from __future__ import annotations

import datetime as dt
from typing import Any

from sqlalchemy import case, func, or_, select, update
from sqlalchemy.orm import Session

import config
from models import audit, base, errors, tenancy
from models import organization as org_model
from models import user as user_model
from services import organizations, passwords, sessions

User = user_model.User


def normalize_email(email: str) -> str:
    """Emails compare case-insensitively."""
    return email.strip().lower()


def email_taken(session: Session, email: str) -> bool:
    """Whether any organization has a user with this email (emails are unique platform-wide)."""
    with tenancy.system_access("emails are unique across organizations"):
        return session.scalar(select(User.id).where(User.email == email)) is not None


def new_user(session: Session, *, org_id: int, email: str, password_hash: str, role: str,
             full_name: str | None = None, is_superuser: bool = False) -> User:
    """Add a user to `org_id` (the caller has scoped the session to it)."""
    email = normalize_email(email)
    if email_taken(session, email):
        raise errors.Conflict("A user with this email already exists")
    user = User(org_id=org_id, email=email, password_hash=password_hash, role=role, full_name=full_name,
                is_superuser=is_superuser)
    session.add(user)
    session.flush()
    return user


def create_user(session: Session, *, org_id: int, email: str, password: str, role: str,
                full_name: str | None = None, is_superuser: bool = False) -> User:
    """A new member of `org_id` with a hashed password, and its `member.added` event."""
    user = new_user(session, org_id=org_id, email=email, role=role, full_name=full_name, is_superuser=is_superuser,
                    password_hash=passwords.hash_password(password))
    audit.record(session, "member.added", entity=user, changes={"email": [None, user.email], "role": [None, role]})
    return user


def register_owner(session: Session, org: org_model.Organization, data: dict[str, Any]) -> User:
    """The owner of a just-created organization (the session is scoped to it), and the sign-up's events."""
    user = new_user(session, org_id=org.id, email=data["email"], role="owner", full_name=data.get("full_name"),
                    password_hash=passwords.hash_password(data["password"]))
    with audit.acting_user(user.id):
        organizations.record_created(session, org, ("name",))
        audit.record(session, "user.registered", entity=user, changes={"email": [None, user.email]})
    return user


def find_for_login(session: Session, email: str) -> tuple[User, bool] | None:
    """The user with this email and whether their organization is active, across orgs (before any tenant)."""
    with tenancy.system_access("sign-in looks a user up by email before the organization is known"):
        row = session.execute(
            select(User, org_model.Organization.is_active)
            .join(org_model.Organization, org_model.Organization.id == User.org_id)
            .where(User.email == normalize_email(email))
        ).first()
    return (row[0], row[1]) if row else None


def login(session: Session, settings: config.Settings, found: tuple[User, bool] | None, password: str) -> User:
    """Check the password of the account find_for_login found (the session is scoped to its organization).

    Each check is counted before the password is verified, in one UPDATE, so concurrent guesses cannot verify more
    passwords than LOGIN_MAX_FAILURES before the account locks.
    """
    user = found[0] if found else None
    attempt = _reserve_attempt(session, settings, user) if user is not None else 0
    # Verified even for an unknown email, so the answer takes as long as for a wrong password.
    matches = passwords.verify_password(user.password_hash if user else None, password)
    if found is None or not matches:
        if user is not None:
            locked = attempt >= settings.login_max_failures
            if locked:
                _lock(session, user.id, settings.login_lockout_seconds)
            audit.record(session, "user.login_failed", entity=user, level="warning", payload={"locked": locked})
            # Committed although the request fails: otherwise a failed sign-in would never count.
            session.commit()
        raise errors.Unauthorized("Invalid email or password")
    user, org_active = found
    if not user.is_active or not (org_active or user.is_superuser):
        raise errors.Unauthorized("Account or organization is deactivated")
    user.failed_logins, user.locked_until, user.last_login_at = 0, None, base.utcnow()
    with audit.acting_user(user.id):
        audit.record(session, "user.login", entity=user)
    return user


def refresh(session: Session, settings: config.Settings, *, user_id: int, org_id: int, session_id: int,
            generation: int) -> tuple[User, sessions.AuthSession]:
    """The user a refresh token names and their session rotated to its next generation, while the user is active,
    the session live and the organization usable."""
    user = session.get(User, user_id)
    org = session.get(org_model.Organization, org_id)
    if user is None or not user.is_active:
        raise errors.Unauthorized("Refresh token revoked")
    if org is None or not (org.is_active or user.is_superuser):
        raise errors.Unauthorized("Organization is deactivated")
    return user, sessions.rotate(session, settings, user_id=user.id, session_id=session_id, generation=generation)


def profile(session: Session, user: User) -> dict[str, Any]:
    """The signed-in user, their organization and its feature flags."""
    return {"user": user, "organization": session.get(org_model.Organization, user.org_id),
            "features": organizations.features(session, user.org_id)}


def reset_password(session: Session, user: User, password: str) -> None:
    """Set a new password, unlock the account and revoke its sessions (the session is scoped to its org)."""
    user.password_hash = passwords.hash_password(password)
    user.token_version += 1
    sessions.revoke_user(session, user.id)
    user.failed_logins, user.locked_until = 0, None
    audit.record(session, "user.password_reset", entity=user)


def _reserve_attempt(session: Session, settings: config.Settings, user: User) -> int:
    """Count this attempt as a failure until the password proves it right; the attempt's number, or TooManyRequests
    while the account is locked (or this attempt is past the limit, which locks it)."""
    counted = session.scalar(
        update(User).where(User.id == user.id, or_(User.locked_until.is_(None), User.locked_until <= func.now()))
        .values(failed_logins=case((User.locked_until.is_not(None), 1), else_=User.failed_logins + 1),
                locked_until=None)
        .returning(User.failed_logins).execution_options(synchronize_session=False))
    if counted is not None and counted > settings.login_max_failures:
        _lock(session, user.id, settings.login_lockout_seconds, only_if_unlocked=True)
        counted = None
    locked_until = None if counted is not None else session.scalar(select(User.locked_until).where(User.id == user.id))
    session.commit()  # others see the count now; the row is not held while the password is checked
    if counted is None:
        retry = int((locked_until - base.utcnow()).total_seconds()) + 1 if locked_until else 1
        raise errors.TooManyRequests("Too many failed sign-ins; try again later", retry_after=max(1, retry))
    return counted


def _lock(session: Session, user_id: int, seconds: int, *, only_if_unlocked: bool = False) -> None:
    stmt = update(User).where(User.id == user_id)
    if only_if_unlocked:
        stmt = stmt.where(or_(User.locked_until.is_(None), User.locked_until <= func.now()))
    session.execute(stmt.values(locked_until=func.now() + dt.timedelta(seconds=seconds), failed_logins=0)
                    .execution_options(synchronize_session=False))
