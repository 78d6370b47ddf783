"""The shared Etsy budget: bucket arithmetic, and workers drawing from one budget in Postgres or Redis."""
from __future__ import annotations

import dataclasses
import multiprocessing
import threading
import time

import pytest
import redis

from etsy import ratelimit
from tests.etsy_double import limits

PER_SECOND = 10


def _max_per_second(stamps: list[float]) -> int:
    log = limits.RequestLog()
    for at in stamps:
        log.add(limits.Logged(at, "GET", "/", {}))
    return log.max_per_window()


def _budget(kind: str, key: str, redis_url: str, per_second: int = PER_SECOND, per_day: int = 10_000, **kwargs):
    if kind == "postgres":
        return ratelimit.PostgresBudget(key, per_second, per_day, **kwargs)
    return ratelimit.RedisBudget.from_url(redis_url, key, per_second, per_day, **kwargs)


def _draw(kind: str, key: str, redis_url: str, count: int, start_at: float) -> list[float]:
    """Acquire `count` tokens from a fresh budget object, starting at monotonic `start_at`; grant times."""
    budget = _budget(kind, key, redis_url)
    time.sleep(max(0.0, start_at - time.monotonic()))
    stamps = []
    for _ in range(count):
        budget.acquire()
        stamps.append(time.monotonic())
    return stamps


@pytest.fixture(params=["postgres", "redis"])
def backend(request, database, redis_url, budget_key):
    """A shared-budget backend and a key only this test uses; cleaned up afterwards."""
    yield request.param
    if request.param == "redis":
        redis.Redis.from_url(redis_url).delete(budget_key)
    else:
        from sqlalchemy import delete
        from sqlalchemy.orm import Session

        from models import db, rate_budget

        with Session(db.engine()) as session, session.begin():
            session.execute(delete(rate_budget.RateBudget).where(rate_budget.RateBudget.key == budget_key))


def test_bucket_paces_below_the_limit_and_counts_the_day():
    bucket = ratelimit.Bucket(tokens=1.0, refilled_at=1000.0, day=0)
    assert bucket.take(1000.0, 9.0, 1.0, 3) == (0.0, "ok")
    wait, reason = bucket.take(1000.0, 9.0, 1.0, 3)
    assert reason == "second" and wait == pytest.approx(1 / 9)
    assert bucket.take(1000.2, 9.0, 1.0, 3)[1] == "ok"
    assert bucket.take(1000.4, 9.0, 1.0, 3)[1] == "ok"
    wait, reason = bucket.take(1000.6, 9.0, 1.0, 3)
    assert reason == "day" and wait == pytest.approx(86400 - 1000.6)
    assert bucket.take(86400.0, 9.0, 1.0, 3) == (0.0, "ok")  # a new UTC day


def test_bucket_lowers_to_etsy_counters_and_blocks():
    bucket = ratelimit.Bucket(tokens=1.0, refilled_at=0.0, day=0)
    bucket.lower(10.0, 100, remaining_second=None, remaining_day=0)
    assert bucket.take(10.0, 9.0, 1.0, 100)[1] == "day"
    bucket = ratelimit.Bucket(tokens=1.0, refilled_at=0.0, day=0)
    bucket.lower(10.0, 100, remaining_second=0, remaining_day=None)
    assert bucket.take(10.0, 9.0, 1.0, 100)[1] == "second"
    bucket.block(10.0, 5.0)
    wait, reason = bucket.take(12.0, 9.0, 1.0, 100)
    assert reason == "blocked" and wait == pytest.approx(3.0)


def test_threads_share_one_budget_within_the_limit(backend, budget_key, redis_url):
    start_at = time.monotonic() + 0.2
    results: list[list[float]] = [[], [], []]

    def worker(slot: int) -> None:
        results[slot] = _draw(backend, budget_key, redis_url, 8, start_at)

    threads = [threading.Thread(target=worker, args=(slot,)) for slot in range(3)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    stamps = sorted(s for r in results for s in r)
    assert len(stamps) == 24
    assert _max_per_second(stamps) <= PER_SECOND


def test_processes_share_one_budget_within_the_limit(backend, budget_key, redis_url):
    context = multiprocessing.get_context("spawn")
    start_at = time.monotonic() + 3.0  # after both children have imported everything
    with context.Pool(2) as pool:
        results = pool.starmap(_draw, [(backend, budget_key, redis_url, 12, start_at)] * 2)
    stamps = sorted(s for r in results for s in r)
    assert len(stamps) == 24
    assert _max_per_second(stamps) <= PER_SECOND


def test_headers_and_blocks_are_shared(backend, budget_key, redis_url):
    one = _budget(backend, budget_key, redis_url, max_wait=5.0)
    other = _budget(backend, budget_key, redis_url, max_wait=5.0)
    one.acquire()
    one.block_for(120)  # a 429 seen by one worker stops every worker
    with pytest.raises(ratelimit.BudgetExhausted) as caught:
        other.acquire()
    assert caught.value.reason == "blocked" and 100 < caught.value.retry_after <= 120


def test_remaining_today_from_etsy_lowers_the_shared_budget(backend, budget_key, redis_url):
    one = _budget(backend, budget_key, redis_url, per_day=1000)
    other = _budget(backend, budget_key, redis_url, per_day=1000)
    one.acquire()
    one.observe({"x-remaining-today": "0", "x-remaining-this-second": "5"})
    with pytest.raises(ratelimit.BudgetExhausted) as caught:
        other.acquire()
    assert caught.value.reason == "day"


def test_open_budget_picks_redis_when_configured(settings, redis_url):
    assert isinstance(ratelimit.open_budget(settings), ratelimit.PostgresBudget)
    with_redis = dataclasses.replace(settings, redis_url=redis_url)
    picked = ratelimit.open_budget(with_redis, key="test:etsy:pick")
    assert isinstance(picked, ratelimit.FailoverBudget) and isinstance(picked.primary, ratelimit.RedisBudget)
    assert ratelimit.budget_key(settings).startswith("etsy:")
