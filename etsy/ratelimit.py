"""One Etsy request budget shared by every worker process: a per-second token bucket plus a per-day counter."""
from __future__ import annotations

import abc
import dataclasses
import datetime as dt
import logging
import random
import threading
import time
from collections.abc import Callable, Mapping
from typing import Protocol

from sqlalchemy import Date, case, func, select
from sqlalchemy.dialects.postgresql import insert
from sqlalchemy.orm import Session

import config

log = logging.getLogger(__name__)
# Pace below the advertised limit: with a bucket of one token and 90% of the rate, any one-second window seen by
# Etsy holds at most the limit even when network jitter bunches requests up by up to a tenth of a second.
HEADROOM = 0.9
BURST = 1.0
DAY = 86400.0


class BudgetExhausted(Exception):
    """No request may be sent within the caller's patience (per-day budget spent, or a long block)."""

    def __init__(self, retry_after: float, reason: str):
        super().__init__(f"Etsy request budget exhausted ({reason}); retry in {retry_after:.0f}s")
        self.retry_after = retry_after
        self.reason = reason


class Budget(Protocol):
    """What the client needs from a budget."""

    def acquire(self) -> None: ...

    def observe(self, headers: Mapping[str, str]) -> None: ...

    def block_for(self, seconds: float) -> None: ...

    def remaining_today(self) -> int: ...


@dataclasses.dataclass
class Bucket:
    """The budget's state and its arithmetic, shared by the in-process and Postgres budgets (Redis runs it in Lua)."""

    tokens: float
    refilled_at: float
    day: int
    day_count: int = 0
    blocked_until: float = 0.0

    def take(self, now: float, rate: float, burst: float, per_day: int) -> tuple[float, str]:
        """Take one token; return (0, "ok") or how long to wait and why."""
        now = max(now, self.refilled_at)  # time never runs backwards for the bucket, whoever's clock it was
        self._roll(now)
        self.tokens = min(burst, self.tokens + (now - self.refilled_at) * rate)
        self.refilled_at = now
        if self.blocked_until > now:
            return self.blocked_until - now, "blocked"
        if self.day_count >= per_day:
            return (self.day + 1) * DAY - now, "day"
        if self.tokens < 1.0:
            return (1.0 - self.tokens) / rate, "second"
        self.tokens -= 1.0
        self.day_count += 1
        return 0.0, "ok"

    def lower(self, now: float, per_day: int, remaining_second: int | None, remaining_day: int | None) -> None:
        """Trust Etsy's own counters when they say less is left than we think (other clients share the key)."""
        self._roll(now)
        if remaining_day is not None:
            self.day_count = max(self.day_count, per_day - remaining_day)
        if remaining_second is not None and remaining_second <= 0:
            # Only wait for the next token: a full window is normal at our pace, and a 429 blocks properly.
            self.tokens, self.refilled_at = min(self.tokens, 0.0), max(self.refilled_at, now)

    def block(self, now: float, seconds: float) -> None:
        """Nobody sends before now + seconds."""
        self.blocked_until = max(self.blocked_until, now + seconds)

    def _roll(self, now: float) -> None:
        day = int(now // DAY)
        if day != self.day:
            self.day, self.day_count = day, 0


def parse_headers(headers: Mapping[str, str]) -> tuple[int | None, int | None]:
    """(x-remaining-this-second, x-remaining-today) from a response's headers, None where absent."""
    def _int(name: str) -> int | None:
        value = headers.get(name)
        try:
            return int(float(value)) if value is not None else None
        except ValueError:
            return None
    return _int("x-remaining-this-second"), _int("x-remaining-today")


class _Base(abc.ABC):
    """acquire() as a loop of atomic take attempts; subclasses provide _take/_lower/_block."""

    def __init__(self, per_second: int, per_day: int, *, max_wait: float = 60.0,
                 sleep: Callable[[float], None] = time.sleep):
        self.rate = per_second * HEADROOM
        self.burst = BURST
        self.per_day = per_day
        self.max_wait = max_wait
        self._sleep = sleep

    def acquire(self) -> None:
        """Block until a request may be sent; raise BudgetExhausted if that is further away than max_wait."""
        waited = 0.0
        while True:
            wait, reason = self._take()
            if wait <= 0:
                return
            if reason == "day" or waited + wait > self.max_wait:
                raise BudgetExhausted(wait, reason)
            # A little jitter so workers woken by the same refill do not all collide on the next token.
            pause = wait + random.uniform(0, 0.005)
            self._sleep(pause)
            waited += pause

    def observe(self, headers: Mapping[str, str]) -> None:
        """Lower the budget when Etsy's x-remaining-* headers say so."""
        remaining_second, remaining_day = parse_headers(headers)
        if remaining_day is not None or (remaining_second is not None and remaining_second <= 0):
            self._lower(remaining_second, remaining_day)

    def block_for(self, seconds: float) -> None:
        """After a 429: nobody sends for `seconds`."""
        self._block(max(0.0, seconds))

    def remaining_today(self) -> int:
        """Requests left in today's budget (UTC day), as far as this budget and Etsy's own counters say."""
        return max(0, self.per_day - self._used_today())

    @abc.abstractmethod
    def _take(self) -> tuple[float, str]:
        """Take a token now: (0, "ok") on success, else (seconds to wait, "second" | "day" | "blocked")."""

    @abc.abstractmethod
    def _lower(self, remaining_second: int | None, remaining_day: int | None) -> None:
        """Lower the stored budget to what Etsy reports is left."""

    @abc.abstractmethod
    def _block(self, seconds: float) -> None:
        """Refuse every take for `seconds`."""

    @abc.abstractmethod
    def _used_today(self) -> int:
        """Requests counted against today's budget; read only, taking nothing."""


class LocalBudget(_Base):
    """A budget for one process (dev, tests, scripts)."""

    def __init__(self, per_second: int, per_day: int, **kwargs):
        super().__init__(per_second, per_day, **kwargs)
        now = time.time()
        self._bucket = Bucket(tokens=self.burst, refilled_at=now, day=int(now // DAY))
        self._lock = threading.Lock()

    def _take(self) -> tuple[float, str]:
        with self._lock:
            return self._bucket.take(time.time(), self.rate, self.burst, self.per_day)

    def _lower(self, remaining_second: int | None, remaining_day: int | None) -> None:
        with self._lock:
            self._bucket.lower(time.time(), self.per_day, remaining_second, remaining_day)

    def _block(self, seconds: float) -> None:
        with self._lock:
            self._bucket.block(time.time(), seconds)

    def _used_today(self) -> int:
        with self._lock:
            return self._bucket.day_count if self._bucket.day == int(time.time() // DAY) else 0


class PostgresBudget(_Base):
    """The budget in a `rate_budgets` row, changed under SELECT ... FOR UPDATE in a short transaction of its own."""

    def __init__(self, key: str, per_second: int, per_day: int, *, engine=None, **kwargs):
        super().__init__(per_second, per_day, **kwargs)
        self.key = key
        self._engine = engine

    def _run(self, change: Callable[[Bucket, float], object]):
        from models import db, rate_budget

        model = rate_budget.RateBudget
        engine = self._engine or db.engine()
        # Its own session and transaction: the caller's unit of work must neither hold nor wait for this lock.
        with Session(engine) as session, session.begin():
            locked = select(model).where(model.key == self.key).with_for_update()
            row = session.execute(locked).scalar_one_or_none()
            if row is None:
                session.execute(insert(model).values(key=self.key, tokens=self.burst, refilled_at=func.now(),
                                                     day_count=0).on_conflict_do_nothing(index_elements=["key"]))
                row = session.execute(locked).scalar_one()
            # The database clock, read once the row is ours (a time read while waiting for the lock would be stale),
            # so workers on hosts with skewed clocks still agree.
            now = session.execute(select(func.clock_timestamp())).scalar_one()
            stamp = now.timestamp()
            bucket = Bucket(tokens=row.tokens, refilled_at=row.refilled_at.timestamp(),
                            day=_day_number(row.day) if row.day else int(stamp // DAY), day_count=row.day_count,
                            blocked_until=row.blocked_until.timestamp() if row.blocked_until else 0.0)
            result = change(bucket, stamp)
            row.tokens = bucket.tokens
            row.refilled_at = _from_stamp(bucket.refilled_at)
            row.day = dt.date(1970, 1, 1) + dt.timedelta(days=bucket.day)
            row.day_count = bucket.day_count
            row.blocked_until = _from_stamp(bucket.blocked_until) if bucket.blocked_until else None
            return result

    def _take(self) -> tuple[float, str]:
        return self._run(lambda bucket, now: bucket.take(now, self.rate, self.burst, self.per_day))

    def _lower(self, remaining_second: int | None, remaining_day: int | None) -> None:
        self._run(lambda bucket, now: bucket.lower(now, self.per_day, remaining_second, remaining_day))

    def _block(self, seconds: float) -> None:
        self._run(lambda bucket, now: bucket.block(now, seconds))

    def _used_today(self) -> int:
        from models import db, rate_budget

        model = rate_budget.RateBudget
        today = func.timezone("UTC", func.now()).cast(Date)
        # No lock: a scrape must never wait behind the workers' takes.
        with Session(self._engine or db.engine()) as session:
            used = session.scalar(select(case((model.day == today, model.day_count), else_=0))
                                  .where(model.key == self.key))
        return int(used or 0)


def _day_number(day: dt.date) -> int:
    return (day - dt.date(1970, 1, 1)).days


def _from_stamp(stamp: float) -> dt.datetime:
    return dt.datetime.fromtimestamp(stamp, dt.UTC)


# The same arithmetic as Bucket, atomically in Redis with Redis's clock. Returns {wait, reason} as strings.
_TAKE = """
local t = redis.call('TIME')
local now = tonumber(t[1]) + tonumber(t[2]) / 1000000
local rate, burst, per_day, mode = tonumber(ARGV[1]), tonumber(ARGV[2]), tonumber(ARGV[3]), ARGV[4]
local day = math.floor(now / 86400)
local h = redis.call('HMGET', KEYS[1], 'tokens', 'ts', 'day', 'count', 'blocked')
local tokens, ts = tonumber(h[1]) or burst, tonumber(h[2]) or now
local d, count, blocked = tonumber(h[3]) or day, tonumber(h[4]) or 0, tonumber(h[5]) or 0
if d ~= day then d = day; count = 0 end
tokens = math.min(burst, tokens + math.max(0, now - ts) * rate)
local wait, reason = 0, 'ok'
if mode == 'take' then
  if blocked > now then wait, reason = blocked - now, 'blocked'
  elseif count >= per_day then wait, reason = (day + 1) * 86400 - now, 'day'
  elseif tokens < 1 then wait, reason = (1 - tokens) / rate, 'second'
  else tokens = tokens - 1; count = count + 1 end
elseif mode == 'lower' then
  if ARGV[6] ~= '' then count = math.max(count, per_day - tonumber(ARGV[6])) end
  if ARGV[5] ~= '' and tonumber(ARGV[5]) <= 0 then tokens = math.min(tokens, 0) end
elseif mode == 'block' then
  blocked = math.max(blocked, now + tonumber(ARGV[5]))
end
redis.call('HSET', KEYS[1], 'tokens', tostring(tokens), 'ts', tostring(now), 'day', tostring(d),
           'count', tostring(count), 'blocked', tostring(blocked))
redis.call('EXPIRE', KEYS[1], 172800)
return {tostring(wait), reason}
"""


class RedisBudget(_Base):
    """The budget in one Redis hash, changed by a Lua script (atomic across every worker)."""

    def __init__(self, client, key: str, per_second: int, per_day: int, **kwargs):
        super().__init__(per_second, per_day, **kwargs)
        self.key = key
        self._client = client
        self._script = client.register_script(_TAKE)

    @classmethod
    def from_url(cls, url: str, key: str, per_second: int, per_day: int, **kwargs) -> RedisBudget:
        """A budget on the Redis server at `url`."""
        import redis

        return cls(redis.Redis.from_url(url, socket_timeout=5, socket_connect_timeout=5), key, per_second,
                   per_day, **kwargs)

    def _call(self, mode: str, a: object = "", b: object = "") -> tuple[float, str]:
        wait, reason = self._script(keys=[self.key], args=[self.rate, self.burst, self.per_day, mode,
                                                            "" if a is None else a, "" if b is None else b])
        return float(wait), reason.decode() if isinstance(reason, bytes) else reason

    def _take(self) -> tuple[float, str]:
        return self._call("take")

    def _lower(self, remaining_second: int | None, remaining_day: int | None) -> None:
        self._call("lower", remaining_second, remaining_day)

    def _block(self, seconds: float) -> None:
        self._call("block", seconds)

    def _used_today(self) -> int:
        day, count = self._client.hmget(self.key, "day", "count")
        seconds, _ = self._client.time()
        return int(float(count)) if day is not None and int(float(day)) == int(seconds) // int(DAY) else 0


class FailoverBudget(_Base):
    """The Redis budget, and the PostgreSQL one while Redis does not answer: a cache outage costs speed, not calls.

    After a failure Redis is left alone for COOL_DOWN seconds, so each call does not wait out a timeout.
    """

    COOL_DOWN = 30.0

    def __init__(self, primary: RedisBudget, fallback: PostgresBudget):
        super().__init__(1, fallback.per_day, max_wait=fallback.max_wait, sleep=fallback._sleep)
        self.rate, self.burst = fallback.rate, fallback.burst
        self.primary, self.fallback = primary, fallback
        self._skip_until = 0.0

    def _either(self, name: str, *args: object):
        import redis

        if time.monotonic() >= self._skip_until:
            try:
                return getattr(self.primary, name)(*args)
            except (redis.ConnectionError, redis.TimeoutError) as exc:
                log.warning("Etsy budget: Redis unavailable (%s); using PostgreSQL for %.0f s",
                            exc.__class__.__name__, self.COOL_DOWN)
                self._skip_until = time.monotonic() + self.COOL_DOWN
        return getattr(self.fallback, name)(*args)

    def _take(self) -> tuple[float, str]:
        return self._either("_take")

    def _lower(self, remaining_second: int | None, remaining_day: int | None) -> None:
        self._either("_lower", remaining_second, remaining_day)

    def _block(self, seconds: float) -> None:
        self._either("_block", seconds)

    def _used_today(self) -> int:
        return self._either("_used_today")


def budget_key(settings: config.Settings) -> str:
    """The budget's name: Etsy counts per API key, so every shop of this deployment shares it."""
    return f"etsy:{settings.etsy_api_key or 'unset'}"


def open_budget(settings: config.Settings | None = None, *, key: str | None = None) -> Budget:
    """The deployment's shared budget: in Redis when REDIS_URL is set (PostgreSQL while Redis is down), else in
    PostgreSQL."""
    settings = settings or config.get_settings()
    key = key or budget_key(settings)
    stored = PostgresBudget(key, settings.etsy_rate_per_second, settings.etsy_rate_per_day)
    if settings.redis_url:
        return FailoverBudget(RedisBudget.from_url(settings.redis_url, key, settings.etsy_rate_per_second,
                                                   settings.etsy_rate_per_day), stored)
    return stored
