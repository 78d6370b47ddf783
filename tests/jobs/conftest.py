"""Fixtures for jobs: committed data (workers run in other processes) and real worker processes."""
from __future__ import annotations

import os
import subprocess
import sys
import time
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]


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
