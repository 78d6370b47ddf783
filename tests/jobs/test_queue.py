"""The queue: defers share the caller's transaction, real workers run jobs, periodic tasks and requeueing."""
from __future__ import annotations

import asyncio
import datetime as dt

from sqlalchemy import func, select, text

from jobs import maintenance
from models import base, event, tenancy
from services import defer, events, organizations
from tests.jobs.conftest import wait_for


def _jobs(session, task_name: str) -> list:
    return session.execute(text("SELECT id, status::text AS status, args FROM procrastinate_jobs"
                                " WHERE task_name = :t ORDER BY id"), {"t": task_name}).all()


def test_defer_is_rolled_back_with_its_transaction(session):
    org = organizations.create(session, name="Rollback Shop")
    session.commit()  # releases the test's savepoint; the outer transaction still rolls back at the end
    defer.in_transaction(session, maintenance.prune_org_events, org_id=org.id)
    assert len(_jobs(session, "prune_org_events")) == 1
    session.rollback()
    assert _jobs(session, "prune_org_events") == []


def test_defer_commits_with_its_row(session):
    org = organizations.create(session, name="Commit Shop")
    job_id = defer.in_transaction(session, maintenance.prune_org_events, org_id=org.id)
    session.commit()
    assert [j.id for j in _jobs(session, "prune_org_events")] == [job_id]


def test_prune_removes_only_old_events_of_its_org(session):
    old = base.utcnow() - dt.timedelta(days=400)
    orgs = [organizations.create(session, name=f"Prune {i}") for i in range(2)]
    for org in orgs:
        with tenancy.org_scope(org.id):
            session.add_all([event.Event(event_type="old", created_at=old), event.Event(event_type="new")])
            session.flush()
    with tenancy.org_scope(orgs[0].id):
        assert events.prune(session, __import__("config").get_settings(), orgs[0].id) == 1
        assert session.scalars(select(event.Event.event_type)).all() == ["new"]
    with tenancy.org_scope(orgs[1].id):
        assert sorted(session.scalars(select(event.Event.event_type))) == ["new", "old"]


def test_worker_runs_a_deferred_job_end_to_end(committed, start_worker):
    session, created = committed
    org = organizations.create(session, name="Worker Shop")
    created.append(org.id)
    with tenancy.org_scope(org.id):
        session.add(event.Event(event_type="ancient", created_at=base.utcnow() - dt.timedelta(days=999)))
        defer.in_transaction(session, maintenance.prune_org_events, org_id=org.id)
        session.commit()
    worker = start_worker("general")
    wait_for(lambda: _jobs(session, "prune_org_events")[0].status == "succeeded" or session.rollback())
    with tenancy.org_scope(org.id):
        assert session.scalar(select(func.count()).select_from(event.Event)) == 0
    alive = session.execute(text("SELECT count(*) FROM procrastinate_workers")).scalar()
    assert alive >= 1
    worker.terminate()
    assert worker.wait(timeout=30) == 0


def test_scheduler_defers_periodic_tasks_and_fans_out(committed, start_worker):
    session, created = committed
    org = organizations.create(session, name="Scheduled Shop")
    created.append(org.id)
    session.commit()
    start_worker("scheduler")
    start_worker("general")
    wait_for(lambda: any(j.status == "succeeded" for j in _jobs(session, "requeue_stalled_jobs"))
             or session.rollback(), timeout=60)
    # The daily prune fans out one job per org; trigger it now rather than waiting for 03:27.
    defer.in_transaction(session, maintenance.fan_out_prune_events)
    session.commit()
    wait_for(lambda: [j for j in _jobs(session, "prune_org_events") if j.args == {"org_id": org.id}
                      and j.status == "succeeded"] or session.rollback(), timeout=60)


def test_jobs_of_a_dead_worker_are_requeued(committed):
    session, _ = committed
    worker_id = session.execute(text(
        "INSERT INTO procrastinate_workers (last_heartbeat) VALUES (now() - interval '1 hour') RETURNING id")).scalar()
    job_id = session.execute(text(
        "INSERT INTO procrastinate_jobs (queue_name, task_name, args, status, worker_id)"
        " VALUES ('default', 'prune_org_events', '{\"org_id\": 1}', 'doing', :w) RETURNING id"),
        {"w": worker_id}).scalar()
    session.commit()

    async def requeue() -> int:
        async with maintenance.app.open_async():
            return await maintenance.requeue_stalled_jobs.func()

    assert asyncio.run(requeue()) == 1
    status = session.execute(text("SELECT status::text FROM procrastinate_jobs WHERE id = :i"), {"i": job_id})
    assert status.scalar() == "todo"
