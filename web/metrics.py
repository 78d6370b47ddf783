"""Prometheus metrics: requests by endpoint and status with latency, jobs and queue depth read from the queue."""
from __future__ import annotations

from collections.abc import Iterator

from prometheus_client import REGISTRY, CollectorRegistry, Histogram, generate_latest, multiprocess
from prometheus_client.core import GaugeMetricFamily
from sqlalchemy import text

import config
from models import db

REQUEST_LATENCY = Histogram(
    "esa_http_request_duration_seconds", "HTTP request latency by endpoint, method and status",
    ["method", "endpoint", "status"],
    buckets=(0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10),
)

_JOBS_SQL = text("""
    SELECT j.task_name, j.status::text AS status, count(*) AS n,
           coalesce(sum(extract(epoch FROM (fin.at - st.at))), 0) AS seconds,
           count(fin.at) AS timed
    FROM procrastinate_jobs j
    LEFT JOIN LATERAL (SELECT max(at) AS at FROM procrastinate_events e
                       WHERE e.job_id = j.id AND e.type = 'started') st ON true
    LEFT JOIN LATERAL (SELECT max(at) AS at FROM procrastinate_events e
                       WHERE e.job_id = j.id AND e.type IN ('succeeded', 'failed', 'aborted')) fin ON true
    GROUP BY 1, 2
""")
_QUEUE_SQL = text("""
    SELECT queue_name, count(*) AS n, coalesce(extract(epoch FROM now() - min(scheduled_at)), 0) AS oldest
    FROM procrastinate_jobs WHERE status = 'todo' GROUP BY 1
""")


def observe_request(method: str, endpoint: str, status: int, seconds: float) -> None:
    """Record one request."""
    REQUEST_LATENCY.labels(method, endpoint, str(status)).observe(seconds)


class QueueCollector:
    """Job counts, durations and queue depth, queried from procrastinate's tables at scrape time."""

    def collect(self) -> Iterator[GaugeMetricFamily]:
        jobs = GaugeMetricFamily("esa_jobs", "Jobs by task and status", labels=["task", "status"])
        durations = GaugeMetricFamily("esa_job_duration_seconds_sum", "Total run time of finished jobs",
                                      labels=["task", "status"])
        timed = GaugeMetricFamily("esa_job_duration_seconds_count", "Finished jobs with a measured run time",
                                  labels=["task", "status"])
        depth = GaugeMetricFamily("esa_queue_depth", "Jobs waiting per queue", labels=["queue"])
        oldest = GaugeMetricFamily("esa_queue_oldest_seconds", "Age of the oldest waiting job", labels=["queue"])
        with db.engine().connect() as conn:
            for row in conn.execute(_JOBS_SQL):
                jobs.add_metric([row.task_name, row.status], row.n)
                durations.add_metric([row.task_name, row.status], float(row.seconds))
                timed.add_metric([row.task_name, row.status], row.timed)
            for row in conn.execute(_QUEUE_SQL):
                depth.add_metric([row.queue_name], row.n)
                oldest.add_metric([row.queue_name], float(row.oldest))
        yield from (jobs, durations, timed, depth, oldest)


def render(settings: config.Settings) -> bytes:
    """The exposition text for this scrape."""
    registry = CollectorRegistry()
    if settings.metrics_multiproc_dir:
        multiprocess.MultiProcessCollector(registry, path=settings.metrics_multiproc_dir)
    else:
        registry.register(_ProcessLocal())
    registry.register(QueueCollector())
    return generate_latest(registry)


class _ProcessLocal:
    """The default registry's request metrics, when not in gunicorn's multiprocess mode."""

    def collect(self):
        for family in REGISTRY.collect():
            if family.name.startswith("esa_"):
                yield family
