"""Per-client-address limits on sign-in, sign-up and refresh: a counter per operation, address and minute, in
Redis when configured (PostgreSQL while it is down, or without it)."""
from __future__ import annotations

import logging
import time

from sqlalchemy import text
from sqlalchemy.orm import Session

import config
from models import errors

log = logging.getLogger(__name__)
WINDOW_SECONDS = 60
_clients: dict[str, object] = {}

_PG_HIT = text("""
    INSERT INTO auth_throttles (key, window_start, count) VALUES (:key, date_trunc('minute', now()), 1)
    ON CONFLICT (key) DO UPDATE SET
        count = CASE WHEN auth_throttles.window_start = excluded.window_start THEN auth_throttles.count + 1 ELSE 1 END,
        window_start = excluded.window_start
    RETURNING count, ceil(extract(epoch FROM window_start + interval '1 minute' - now()))::int AS retry_after""")


def hit(session: Session, settings: config.Settings, operation: str, address: str) -> None:
    """Count one call of `operation` from `address`; TooManyRequests (with Retry-After) past the limit.

    The count is committed at once, so a call that then fails still counts.
    """
    key = f"{operation}:{address}"[:200]
    counted = _redis_hit(settings, key)
    if counted is None:
        count, retry_after = session.execute(_PG_HIT, {"key": key}).one()
        session.commit()
        counted = (int(count), max(1, int(retry_after)))
    count, retry_after = counted
    if count > settings.auth_attempts_per_minute:
        raise errors.TooManyRequests(f"Too many {operation} attempts from this address; try again in "
                                     f"{retry_after} s", retry_after=retry_after)


def prune(session: Session) -> int:
    """Delete counters of past minutes (the scheduler's hourly sweep)."""
    result = session.execute(text("DELETE FROM auth_throttles WHERE window_start < now() - interval '1 hour'"))
    return int(getattr(result, "rowcount", 0) or 0)


def _redis_hit(settings: config.Settings, key: str) -> tuple[int, int] | None:
    if not settings.redis_url:
        return None
    import redis

    client = _clients.get(settings.redis_url)
    if client is None:
        client = _clients[settings.redis_url] = redis.Redis.from_url(settings.redis_url, socket_timeout=1,
                                                                     socket_connect_timeout=1)
    now = time.time()
    window = int(now // WINDOW_SECONDS)
    try:
        pipe = client.pipeline()  # type: ignore[attr-defined]
        pipe.incr(f"esa:throttle:{key}:{window}")
        pipe.expire(f"esa:throttle:{key}:{window}", 2 * WINDOW_SECONDS)
        count, _ = pipe.execute()
    except redis.RedisError as exc:
        log.warning("auth throttle: Redis unavailable (%s); counting in PostgreSQL", exc.__class__.__name__)
        return None
    return int(count), max(1, int((window + 1) * WINDOW_SECONDS - now) + 1)
