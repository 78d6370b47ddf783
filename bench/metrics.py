"""Scrape time of /metrics with a million finished jobs, next to the scrape query it replaced (same database).

A bench database gets 1,000,000 finished queue jobs with their started/finished events (built in SQL), plus a
few hundred waiting and a few running. The old /metrics aggregated every job and its events at each scrape;
the new one reads only waiting and running jobs and keeps job counts as counters.

    python bench/metrics.py [--jobs N] [--waiting N] [--repeat N]
"""
from __future__ import annotations

import argparse
import os
import statistics
import sys
import time
from pathlib import Path

# Replace this folder on the path: its queue.py would shadow the standard library's queue module.
sys.path[0] = str(Path(__file__).resolve().parent.parent)

from bench import common

QUEUES = ("default", "designs", "orders", "sync", "gang_sheets", "print_files", "mockups", "scheduler")

# The scrape queries of /metrics before issue 18 (web/metrics.py at 0e45ed5): the baseline.
OLD_JOBS_SQL = """
    SELECT j.task_name, j.status::text AS status, count(*) AS n,
           coalesce(sum(extract(epoch FROM (fin.at - st.at))), 0) AS seconds,
           count(fin.at) AS timed
    FROM procrastinate_jobs j
    LEFT JOIN LATERAL (SELECT max(at) AS at FROM procrastinate_events e
                       WHERE e.job_id = j.id AND e.type = 'started') st ON true
    LEFT JOIN LATERAL (SELECT max(at) AS at FROM procrastinate_events e
                       WHERE e.job_id = j.id AND e.type IN ('succeeded', 'failed', 'aborted')) fin ON true
    GROUP BY 1, 2
"""
OLD_QUEUE_SQL = """
    SELECT queue_name, count(*) AS n, coalesce(extract(epoch FROM now() - min(scheduled_at)), 0) AS oldest
    FROM procrastinate_jobs WHERE status = 'todo' GROUP BY 1
"""


def build(conn, jobs: int, waiting: int) -> None:
    """Finished jobs with their events, then waiting and running ones, written with triggers off (fast)."""
    from sqlalchemy import text

    queues = "ARRAY[" + ", ".join(f"'{q}'" for q in QUEUES) + "]"
    conn.execute(text("SET session_replication_role = replica"))  # procrastinate's event triggers stay quiet
    conn.execute(text(f"""
        INSERT INTO procrastinate_jobs (queue_name, task_name, args, status, attempts)
        SELECT ({queues})[1 + g % 8], CASE WHEN g % 3 = 0 THEN 'run_print_job' ELSE 'sync_due_shops' END,
               jsonb_build_object('org_id', 1 + g % 50), CASE WHEN g % 50 = 0 THEN 'failed' ELSE 'succeeded' END
                   ::procrastinate_job_status, 1
        FROM generate_series(1, :jobs) g"""), {"jobs": jobs})
    conn.execute(text("""
        INSERT INTO procrastinate_events (job_id, type, at)
        SELECT id, t.type::procrastinate_job_event_type, now() - interval '30 days' + id * interval '1 second'
               + t.offset_s * interval '1 second'
        FROM procrastinate_jobs, (VALUES ('deferred', 0), ('started', 5), ('succeeded', 65)) t(type, offset_s)"""))
    conn.execute(text(f"""
        INSERT INTO procrastinate_jobs (queue_name, task_name, args, status)
        SELECT ({queues})[1 + g % 8], 'run_print_job', '{{}}', CASE WHEN g <= 4 THEN 'doing' ELSE 'todo' END
               ::procrastinate_job_status
        FROM generate_series(1, :waiting) g"""), {"waiting": waiting})
    conn.execute(text("""
        INSERT INTO procrastinate_events (job_id, type, at)
        SELECT id, 'deferred', now() - (id % 600) * interval '1 second'
        FROM procrastinate_jobs WHERE status = 'todo'"""))
    conn.execute(text("SET session_replication_role = DEFAULT"))
    conn.commit()
    conn.execute(text("ANALYZE procrastinate_jobs"))
    conn.execute(text("ANALYZE procrastinate_events"))
    conn.commit()


def timed(run, repeat: int) -> tuple[float, float]:
    """(median, worst) seconds of `repeat` runs."""
    times = []
    for _ in range(repeat):
        started = time.perf_counter()
        run()
        times.append(time.perf_counter() - started)
    return statistics.median(times), max(times)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--jobs", type=int, default=1_000_000, help="finished jobs (default 1,000,000)")
    parser.add_argument("--waiting", type=int, default=300, help="waiting jobs, 4 of them running (default 300)")
    parser.add_argument("--repeat", type=int, default=20, help="scrapes timed for the new /metrics")
    args = parser.parse_args()
    with common.database() as url:
        os.environ.update(common.BASE_ENV)
        os.environ["DATABASE_URL"] = url
        from sqlalchemy import text

        import config
        from models import db
        from web import metrics

        config.reset_settings()
        settings = config.get_settings()
        started = time.perf_counter()
        with db.engine().connect() as conn:
            build(conn, args.jobs, args.waiting)
        print(f"built {args.jobs:,} finished jobs (and 3 events each), {args.waiting} waiting or running, "
              f"in {time.perf_counter() - started:.1f} s")

        body = metrics.render(settings)  # warm: imports, connection pool, plans
        new_median, new_worst = timed(lambda: metrics.render(settings), args.repeat)

        def old_scrape() -> None:
            with db.engine().connect() as conn:
                conn.execute(text(OLD_JOBS_SQL)).all()
                conn.execute(text(OLD_QUEUE_SQL)).all()

        old_median, old_worst = timed(old_scrape, 3)
        print(f"/metrics now (whole exposition, {len(body):,} bytes): median {new_median * 1000:.1f} ms, "
              f"worst {new_worst * 1000:.1f} ms over {args.repeat} scrapes")
        print(f"baseline, the scrape queries before (every job and its events): median {old_median * 1000:.0f} ms, "
              f"worst {old_worst * 1000:.0f} ms over 3 scrapes")
        print(f"speed-up: {old_median / new_median:.0f}x")


if __name__ == "__main__":
    main()
