"""/metrics reads the shared state: every queue (0 when empty), waits, running jobs, live workers per type,
shops per status, sync lag per shop, the Etsy budget left today; a queued job cancelled through the API counts."""
from __future__ import annotations

import dataclasses
import time
import uuid

from sqlalchemy import delete, text

from etsy import ratelimit
from jobs import app as jobs_app
from models import rate_budget, tenancy
from models import shop as shop_model
from services import defer, monitoring, print_jobs
from tests import imagegen, scrape
from tests.jobs import factories

# Waits are computed by the database at scrape time; this is how long a test may take between setup and scrape.
SLACK = 120.0


def _metrics(app) -> scrape.Samples:
    response = app.test_client().get("/metrics")
    assert response.status_code == 200
    return scrape.parse(response.get_data(as_text=True))


def _defer(session, queue: str) -> int:
    return defer.in_transaction(session, "metrics_probe", queue=queue, n=1)


def test_monitoring_lists_every_queue_the_workers_serve():
    assert set(monitoring.QUEUES) == {q for queues in jobs_app.QUEUES.values() for q in queues}


def test_every_queue_reads_zero_when_empty_then_waits_and_running(committed, app):
    session, _ = committed
    empty = _metrics(app)
    for queue in monitoring.QUEUES:
        for name in ("esa_queue_depth", "esa_queue_oldest_seconds", "esa_queue_running"):
            assert (name, frozenset({("queue", queue)})) in empty, (name, queue)
            assert scrape.value(empty, name, queue=queue) == 0, (name, queue)

    old, new = _defer(session, "print_files"), _defer(session, "print_files")
    retried, later, running = _defer(session, "designs"), _defer(session, "gang_sheets"), _defer(session, "mockups")
    session.execute(text("UPDATE procrastinate_events SET at = now() - interval '1 hour' WHERE job_id = :id"),
                    {"id": old})
    session.execute(text("UPDATE procrastinate_jobs SET scheduled_at = now() - interval '30 minutes' WHERE id = :id"),
                    {"id": retried})
    session.execute(text("UPDATE procrastinate_jobs SET scheduled_at = now() + interval '1 hour' WHERE id = :id"),
                    {"id": later})
    session.execute(text("UPDATE procrastinate_jobs SET status = 'doing' WHERE id = :id"), {"id": running})
    session.commit()
    assert new > old

    samples = _metrics(app)
    assert scrape.value(samples, "esa_queue_depth", queue="print_files") == 2
    assert 3600 <= scrape.value(samples, "esa_queue_oldest_seconds", queue="print_files") < 3600 + SLACK
    assert scrape.value(samples, "esa_queue_depth", queue="designs") == 1
    assert 1800 <= scrape.value(samples, "esa_queue_oldest_seconds", queue="designs") < 1800 + SLACK
    # Scheduled for later: not waiting yet.
    assert scrape.value(samples, "esa_queue_depth", queue="gang_sheets") == 0
    assert scrape.value(samples, "esa_queue_oldest_seconds", queue="gang_sheets") == 0
    assert scrape.value(samples, "esa_queue_running", queue="mockups") == 1
    assert scrape.value(samples, "esa_queue_depth", queue="mockups") == 0
    assert all(scrape.value(samples, "esa_scrape_reading_ok", reading=r) == 1
               for r in ("queues", "workers", "shops", "etsy_budget"))


def test_live_workers_per_type_from_heartbeats(committed, app, settings):
    session, _ = committed
    stale = f"now() - make_interval(secs => {settings.stalled_worker_seconds * 10})"
    for kind, heartbeat in (("print_jobs", "now()"), ("print_jobs", "now()"), ("general", stale)):
        worker_id = session.execute(text(f"INSERT INTO procrastinate_workers (last_heartbeat) VALUES ({heartbeat})"
                                         " RETURNING id")).scalar()
        session.execute(text("INSERT INTO worker_processes (worker_id, worker_type, hostname, pid)"
                             " VALUES (:id, :kind, 'test', 1)"), {"id": worker_id, "kind": kind})
    session.commit()
    samples = _metrics(app)
    assert {dict(labels)["worker_type"]: v for labels, v in scrape.series(samples, "esa_workers_alive").items()} == {
        "general": 0, "print_jobs": 2, "scheduler": 0}


def test_shops_sync_lag_and_budget(committed, app, settings, monkeypatch):
    session, created = committed
    org, _ = factories.org_with_owner(session, created, "Metrics Shops")
    newest = int(time.time()) - 600
    with tenancy.org_scope(org.id):
        shops = [shop_model.Shop(org_id=org.id, etsy_shop_id=n, status=status, last_modified_cursor=cursor)
                 for n, (status, cursor) in enumerate((("connected", newest), ("connected", None),
                                                       ("needs_reauth", newest), ("disconnected", None)), start=1)]
        session.add_all(shops)
        session.commit()
    budgeted = dataclasses.replace(settings, etsy_api_key=f"metrics-{uuid.uuid4().hex}", etsy_rate_per_day=50)
    monkeypatch.setitem(app.extensions, "esa_settings", budgeted)
    budget = ratelimit.open_budget(budgeted)
    try:
        for _ in range(3):
            budget.acquire()
        samples = _metrics(app)
    finally:
        session.execute(delete(rate_budget.RateBudget).where(
            rate_budget.RateBudget.key == ratelimit.budget_key(budgeted)))
        session.commit()
    assert {dict(k)["status"]: v for k, v in scrape.series(samples, "esa_etsy_shops").items()} == {
        "pending": 0, "connected": 2, "needs_reauth": 1, "disconnected": 1}
    lag = {dict(k)["shop"]: v for k, v in scrape.series(samples, "esa_etsy_sync_lag_seconds").items()}
    assert list(lag) == [str(shops[0].id)]  # only connected shops that synced a receipt
    assert 600 <= lag[str(shops[0].id)] < 600 + SLACK
    assert scrape.value(samples, "esa_etsy_budget_remaining") == 47
    assert scrape.value(samples, "esa_etsy_budget_per_day") == 50


def test_a_queued_job_cancelled_counts_once_committed(committed, app, settings):
    session, created = committed
    org, user_id = factories.org_with_owner(session, created, "Metrics Cancels")
    art = factories.design(session, settings, org, imagegen.png(40, 40), "cancel-me.png")

    def cancelled() -> float:
        return scrape.value(_metrics(app), "esa_jobs_finished_total", job_type="designs", outcome="cancelled")

    before = cancelled()
    with tenancy.org_scope(org.id):
        job = print_jobs.create(session, job_type="designs", params={"file_ids": [art.id]}, created_by=user_id)
        session.commit()
        print_jobs.cancel(session, print_jobs.get(session, job.id, lock=True))
        session.rollback()  # a cancel that does not commit is not counted
        assert cancelled() == before
        print_jobs.cancel(session, print_jobs.get(session, job.id, lock=True))
        session.commit()
    assert cancelled() == before + 1
