"""Fixtures for jobs: committed data (workers run in other processes) and real worker processes."""
from __future__ import annotations

import os
import subprocess
import sys
import time
from pathlib import Path

import pytest
from sqlalchemy import delete, text

from models import db, tenancy
from models import organization as org_model

ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture
def committed(database):
    """A session whose commits are real; every organization it created is deleted afterwards."""
    session = db.get_session()
    created: list[int] = []
    yield session, created
    session.rollback()
    with tenancy.system_access("test cleanup"):
        if created:
            session.execute(delete(org_model.Organization).where(org_model.Organization.id.in_(created)))
        session.execute(text("DELETE FROM procrastinate_jobs; DELETE FROM procrastinate_periodic_defers;"
                             " DELETE FROM procrastinate_workers"))
        session.commit()
    db.session.remove()


@pytest.fixture
def start_worker():
    """Start `python -m jobs.worker` processes of a given type; all are stopped after the test."""
    procs: list[subprocess.Popen] = []

    def start(worker_type: str, **env: str) -> subprocess.Popen:
        proc = subprocess.Popen([sys.executable, "-m", "jobs.worker"], cwd=ROOT,
                                env={**os.environ, "WORKER_TYPE": worker_type, **env},
                                stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
        procs.append(proc)
        return proc

    yield start
    for proc in procs:
        if proc.poll() is None:
            proc.terminate()
    for proc in procs:
        try:
            proc.wait(timeout=30)
        except subprocess.TimeoutExpired:
            proc.kill()


def wait_for(predicate, timeout: float = 30.0, interval: float = 0.2):
    """Poll until `predicate()` is truthy; return its value or fail."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        value = predicate()
        if value:
            return value
        time.sleep(interval)
    raise AssertionError(f"condition not met within {timeout}s")
