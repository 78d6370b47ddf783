"""Queue overhead: defer-to-start latency and no-op throughput of our print-job layer vs procrastinate's bare App.

Both run one worker process (concurrency 4) against the same database in the same run. Ours goes through the
whole print-job path: the print_jobs row and its queue job in one transaction, the runner's processing/progress/
completed updates and audit events. Latency is from the queue job's `deferred` event to its `started` event
(procrastinate's own timestamps), measured one job at a time; throughput is N jobs deferred up front, first start
to last finish.
Usage: python bench/queue.py [--latency-jobs 200] [--throughput-jobs 1000]
"""
from __future__ import annotations

import sys
from pathlib import Path

# This directory holds a queue.py, which would shadow the standard library's queue module: look from the root.
sys.path[0] = str(Path(__file__).resolve().parent.parent)

import argparse
import os
import statistics
import subprocess
import time

ROOT = Path(__file__).resolve().parent.parent

from bench import common


def _worker(kind: str, env: dict[str, str]) -> subprocess.Popen:
    return subprocess.Popen([sys.executable, str(ROOT / "bench" / "queue_worker.py"), kind], cwd=ROOT,
                            env={**os.environ, **env}, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)


def _events(conn, ids: list[int]) -> dict[int, dict[str, float]]:
    rows = conn.execute("SELECT job_id, type::text, extract(epoch FROM at) FROM procrastinate_events"
                        " WHERE job_id = ANY(%s)", (ids,)).fetchall()
    out: dict[int, dict[str, float]] = {}
    for job_id, kind, at in rows:
        out.setdefault(job_id, {})[kind] = float(at)
    return out


def _wait_done(conn, ids: list[int], timeout: float = 600) -> None:
    deadline = time.time() + timeout
    while time.time() < deadline:
        done = conn.execute("SELECT count(*) FROM procrastinate_jobs WHERE id = ANY(%s) AND status = 'succeeded'",
                            (ids,)).fetchone()[0]
        if done == len(ids):
            return
        time.sleep(0.05)
    raise RuntimeError("jobs did not finish")


def _run(kind: str, env: dict[str, str], org_id: int, user_id: int, latency_jobs: int,
         throughput_jobs: int) -> dict[str, float]:
    import psycopg

    from bench import queue_worker

    defer = _deferrer(kind, org_id, user_id)
    with psycopg.connect(env["DATABASE_URL"], autocommit=True) as conn:
        worker = _worker(kind, env)
        try:
            time.sleep(2)  # worker start-up
            latencies = []
            for n in range(latency_jobs):
                job_id = defer(n)
                _wait_done(conn, [job_id])
                ev = _events(conn, [job_id])[job_id]
                latencies.append(ev["started"] - ev["deferred"])
        finally:
            worker.terminate()
            worker.wait(timeout=30)
        # All throughput jobs wait in the queue before a fresh worker starts, so deferral speed is not measured.
        ids = [defer(n) for n in range(throughput_jobs)]
        worker = _worker(kind, env)
        try:
            _wait_done(conn, ids)
        finally:
            worker.terminate()
            worker.wait(timeout=30)
        ev = _events(conn, ids)
        span = max(e["succeeded"] for e in ev.values()) - min(e["started"] for e in ev.values())
    latencies.sort()
    assert queue_worker.BENCH_QUEUE
    return {"p50_ms": statistics.median(latencies) * 1000, "p99_ms": latencies[int(len(latencies) * 0.99) - 1] * 1000,
            "jobs_per_s": throughput_jobs / span}


def _deferrer(kind: str, org_id: int, user_id: int):
    from bench import queue_worker

    if kind == "bare":
        app = queue_worker.bare_app
        app.open()
        return lambda n: queue_worker.bare_noop.defer(n=n)
    queue_worker.install_noop_type()
    from models import db, print_job, tenancy
    from services import print_jobs

    print_job.QUEUES["designs"] = queue_worker.BENCH_QUEUE

    def defer(n: int) -> int:
        session = db.get_session()
        with tenancy.org_scope(org_id):
            job = print_jobs.create(session, job_type="designs", params={"n": n}, created_by=user_id)
            session.commit()
            return job.queue_job_id
    return defer


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--latency-jobs", type=int, default=200)
    parser.add_argument("--throughput-jobs", type=int, default=1000)
    args = parser.parse_args()
    with common.database() as url:
        env = {**common.BASE_ENV, "DATABASE_URL": url}
        org_id, _ = common.seed(env)
        from models import db, tenancy
        from services import accounts

        with tenancy.system_access("bench looks up its own seeded user"):
            user = accounts.find_for_login(db.get_session(), "bench@example.com")[0]
        results = {kind: _run(kind, env, org_id, user.id, args.latency_jobs, args.throughput_jobs)
                   for kind in ("bare", "ours")}
    print(f"one worker process, concurrency 4; {args.latency_jobs} jobs one at a time for latency, "
          f"{args.throughput_jobs} deferred up front for throughput")
    for kind, r in results.items():
        label = "procrastinate bare App" if kind == "bare" else "our print-job layer"
        print(f"  {label:24s} defer->start p50 {r['p50_ms']:6.1f} ms  p99 {r['p99_ms']:6.1f} ms   "
              f"{r['jobs_per_s']:7.1f} no-op jobs/s")
    bare, ours = results["bare"], results["ours"]
    print(f"  overhead: p50 {ours['p50_ms'] - bare['p50_ms']:+.1f} ms, "
          f"throughput {ours['jobs_per_s'] / bare['jobs_per_s']:.2f}x")


if __name__ == "__main__":
    main()
