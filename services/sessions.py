"""Sign-in sessions: started by a sign-in, rotated by each refresh, revoked by a password reset, a deactivation or
a reuse of a spent refresh token (a removed member's go with the row)."""
from __future__ import annotations

import datetime as dt

from sqlalchemy import func, update
from sqlalchemy.orm import Session

import config
from models import audit, base, errors
from models import auth_session as session_model
from models import user as user_model

AuthSession = session_model.AuthSession


def start(session: Session, settings: config.Settings, user: user_model.User) -> AuthSession:
    """A new session of `user` (the caller has scoped the session to the user's organization)."""
    row = AuthSession(org_id=user.org_id, user_id=user.id, generation=1,
                      expires_at=base.utcnow() + dt.timedelta(days=settings.refresh_token_days))
    session.add(row)
    session.flush()
    return row


def rotate(session: Session, settings: config.Settings, *, user_id: int, session_id: int,
           generation: int) -> AuthSession:
    """The session with its next generation, for a refresh token of the current one.

    A refresh token of an older generation was used already: whoever holds it now may have stolen it, so the
    session is revoked (committed although the request then fails) and every token of it stops working.
    """
    now = func.now()
    live = (AuthSession.id == session_id, AuthSession.user_id == user_id, AuthSession.revoked_at.is_(None))
    row = session.scalars(
        update(AuthSession).where(*live, AuthSession.generation == generation, AuthSession.expires_at > now)
        .values(generation=AuthSession.generation + 1, refreshed_at=now,
                expires_at=now + dt.timedelta(days=settings.refresh_token_days))
        .returning(AuthSession).execution_options(synchronize_session=False)).one_or_none()
    if row is not None:
        return row
    reused = session.scalars(
        update(AuthSession).where(*live, AuthSession.generation > generation).values(revoked_at=now)
        .returning(AuthSession.id).execution_options(synchronize_session=False)).one_or_none()
    if reused is not None:
        audit.record(session, "user.session_revoked", entity_type="users", entity_id=user_id, level="warning",
                     payload={"reason": "refresh token reused", "session": reused})
        session.commit()
        raise errors.Unauthorized("This refresh token was used already; the session is revoked, sign in again")
    raise errors.Unauthorized("Session revoked or expired; sign in again")


def revoke_user(session: Session, user_id: int) -> int:
    """Revoke every live session of a user (their access and refresh tokens stop working at once)."""
    result = session.execute(
        update(AuthSession).where(AuthSession.user_id == user_id, AuthSession.revoked_at.is_(None))
        .values(revoked_at=func.now()).execution_options(synchronize_session=False))
    return int(getattr(result, "rowcount", 0) or 0)
