"""Every worker type rides out a database restart: it keeps running, registers again and works the next job.

The database is a private embedded PostgreSQL (the `make run` server), so the test can stop and start it without
touching the server the rest of the suite shares.
"""
from __future__ import annotations

import asyncio
import datetime
import os
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from unittest import mock

import procrastinate
import psycopg
import pytest

from devtools import embedded_pg
from jobs import worker as jobs_worker
from tests import dbsetup
from tests.jobs.conftest import wait_for

ROOT = Path(__file__).resolve().parents[2]
# A task on each worker type's queues that succeeds with arguments naming nothing.
PROBES = {
    "general": ("reconcile_org_jobs", "default", {"org_id": 2**40}),
    "print_jobs": ("run_print_job", "gang_sheets", {"org_id": 2**40, "print_job_id": 2**40}),
    "scheduler": ("prune_finished_jobs", "scheduler", {}),
}


@pytest.fixture(scope="module")
def private_db():
    """A migrated database on an embedded server of our own; yields (server, url)."""
    # Not under pytest's temp root: pytest keeps that 0700 for root, and the server runs as its own user.
    parent = Path(tempfile.mkdtemp(prefix="esa-outage-"))
    parent.chmod(0o755)
    server = embedded_pg.start(parent / "data")
    try:
        url = embedded_pg.database_url(server, "outage")
        embedded_pg.ensure_database(url, "outage")
        dbsetup.migrate(url.replace("postgresql://", "postgresql+psycopg://", 1))
        yield server, url
    finally:
        server.cleanup()
        shutil.rmtree(parent, ignore_errors=True)


def _query(url: str, sql: str, *args: object) -> list[tuple]:
    with psycopg.connect(url, connect_timeout=3) as conn:
        return conn.execute(sql, args).fetchall()


def _registrations(url: str, kind: str) -> set[int]:
    try:
        return {r[0] for r in _query(url, "SELECT worker_id FROM worker_processes WHERE worker_type = %s", kind)}
    except psycopg.OperationalError:
        return set()


def _beating_since(url: str, kind: str, since: datetime.datetime) -> bool:
    """A worker of `kind` (the one from before, or a new one) has sent a heartbeat since `since`."""
    try:
        return bool(_query(url, "SELECT 1 FROM worker_processes p JOIN procrastinate_workers w ON w.id = p.worker_id"
                                " WHERE p.worker_type = %s AND w.last_heartbeat > %s", kind, since))
    except psycopg.OperationalError:
        return False


def _defer_probe(url: str, kind: str) -> int:
    name, queue, kwargs = PROBES[kind]
    app = procrastinate.App(connector=procrastinate.PsycopgConnector(conninfo=url))
    with app.open():
        return app.configure_task(name, queue=queue).defer(**kwargs)


def _status(url: str, job_id: int) -> str:
    return _query(url, "SELECT status::text FROM procrastinate_jobs WHERE id = %s", job_id)[0][0]


@pytest.mark.slow
@pytest.mark.parametrize("kind", ["general", "print_jobs", "scheduler"])
def test_worker_survives_a_database_restart(private_db, kind, tmp_path):
    server, url = private_db
    env = {**os.environ, "DATABASE_URL": url, "WORKER_TYPE": kind, "STALLED_WORKER_SECONDS": "8"}
    # A file, not a pipe: during the outage the worker logs a lot, and a full pipe would stall it.
    log_path = tmp_path / "worker.log"
    with open(log_path, "w") as log:
        proc = subprocess.Popen([sys.executable, "-m", "jobs.worker"], cwd=ROOT, env=env, stdout=log,
                                stderr=subprocess.STDOUT)
    try:
        wait_for(lambda: _registrations(url, kind), timeout=60)
        server.stop()
        time.sleep(4)  # long enough for the worker's connections to fail
        assert proc.poll() is None, log_path.read_text()[-3000:]
        server.start()
        back = datetime.datetime.now(datetime.UTC)
        # The worker kept its place or a new one of the same type took over; either way it beats and works.
        wait_for(lambda: _beating_since(url, kind, back), timeout=90)
        job_id = _defer_probe(url, kind)
        wait_for(lambda: _status(url, job_id) == "succeeded", timeout=60)
        assert proc.poll() is None, log_path.read_text()[-3000:]
    except AssertionError as exc:
        raise AssertionError(f"{exc}\n--- worker log ---\n{log_path.read_text()[-3000:]}") from None
    finally:
        proc.terminate()
        try:
            proc.wait(timeout=45)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait()
    assert proc.returncode == 0, log_path.read_text()[-3000:]


def test_a_side_task_that_ends_stops_the_worker_so_a_new_one_starts():
    class FakeWorker:
        stopped = False

        def stop(self) -> None:
            self.stopped = True

    looked = asyncio.Event()
    running = jobs_worker._running_side_tasks

    def noting() -> set[str]:
        found = running()
        looked.set()
        return found

    async def scenario() -> bool:
        worker = FakeWorker()
        never = asyncio.Event()
        listener = asyncio.create_task(never.wait(), name="listener")
        heartbeat = asyncio.create_task(never.wait(), name="update_heartbeats")
        run = asyncio.create_task(never.wait(), name="worker")
        watch = asyncio.create_task(jobs_worker._watch_side_tasks(worker, run))
        # Once the watch has taken note of the running side tasks (however slow the machine is today):
        await asyncio.wait_for(looked.wait(), 10)
        listener.cancel()  # a database restart killed the LISTEN connection
        await asyncio.wait_for(watch, 10)
        for task in (heartbeat, run):
            task.cancel()
        return worker.stopped

    with mock.patch.object(jobs_worker, "WATCH_INTERVAL", 0.01), \
            mock.patch.object(jobs_worker, "_running_side_tasks", noting):
        assert asyncio.run(scenario()) is True
