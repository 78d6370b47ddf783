"""Prometheus metrics at /metrics: requests by endpoint and status with latency, this server's own counters
(Etsy, NAS, cancelled jobs), and the shared state read at scrape time (services.monitoring).

Workers serve their own counters (jobs, Etsy, NAS) on METRICS_PORT (jobs/worker.py); the shared state is
exported here only, once per deployment.
"""
from __future__ import annotations

import logging
from collections.abc import Callable, Iterator

import prometheus_client
from prometheus_client import REGISTRY, CollectorRegistry, Histogram, generate_latest, multiprocess
from prometheus_client.core import GaugeMetricFamily
from sqlalchemy.orm import Session

import config
from models import db
from services import monitoring, workers

log = logging.getLogger(__name__)
# A `_created` sample per series doubles the exposition and no dashboard or alert here reads it.
prometheus_client.disable_created_metrics()

REQUEST_LATENCY = Histogram(
    "esa_http_request_duration_seconds", "HTTP request latency by endpoint, method and status",
    ["method", "endpoint", "status"],
    buckets=(0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10),
)


def observe_request(method: str, endpoint: str, status: int, seconds: float) -> None:
    """Record one request."""
    REQUEST_LATENCY.labels(method, endpoint, str(status)).observe(seconds)


class StateCollector:
    """Queues, live workers, shops, sync lag and the Etsy budget, read at scrape time (a bounded read each)."""

    def __init__(self, settings: config.Settings):
        self.settings = settings

    def collect(self) -> Iterator[GaugeMetricFamily]:
        ok = GaugeMetricFamily("esa_scrape_reading_ok", "1 when this scrape could read the state, 0 when it failed",
                               labels=["reading"])
        with Session(db.engine()) as session:
            for name, read in (("queues", self._queues), ("workers", self._workers), ("shops", self._shops),
                               ("etsy_budget", self._budget)):
                families = _attempt(name, lambda read=read: list(read(session)))
                ok.add_metric([name], 0 if families is None else 1)
                yield from families or []
                session.rollback()
        yield ok

    def _queues(self, session: Session) -> Iterator[GaugeMetricFamily]:
        depth = GaugeMetricFamily("esa_queue_depth", "Due jobs waiting per queue (0 when empty)", labels=["queue"])
        oldest = GaugeMetricFamily("esa_queue_oldest_seconds", "How long the oldest due job has waited (0 when "
                                   "none waits); print_jobs queues are the scaling signal", labels=["queue"])
        running = GaugeMetricFamily("esa_queue_running", "Jobs running per queue", labels=["queue"])
        for state in monitoring.queues(session):
            depth.add_metric([state.queue], state.waiting)
            oldest.add_metric([state.queue], state.oldest_seconds)
            running.add_metric([state.queue], state.running)
        yield from (depth, oldest, running)

    def _workers(self, session: Session) -> Iterator[GaugeMetricFamily]:
        alive = GaugeMetricFamily("esa_workers_alive", "Workers with a recent heartbeat per WORKER_TYPE",
                                  labels=["worker_type"])
        for kind, count in workers.live_by_type(session, self.settings.stalled_worker_seconds).items():
            alive.add_metric([kind], count)
        yield alive

    def _shops(self, session: Session) -> Iterator[GaugeMetricFamily]:
        shops = GaugeMetricFamily("esa_etsy_shops", "Etsy shops per status; needs_reauth waits for its owner to "
                                  "connect it again", labels=["status"])
        for status, count in monitoring.shops_by_status(session).items():
            shops.add_metric([status], count)
        lag = GaugeMetricFamily("esa_etsy_sync_lag_seconds", "Now minus the newest synced receipt's modification "
                                "time, per connected shop (shop: the shop's id in this service)", labels=["shop"])
        for shop_id, seconds in sorted(monitoring.sync_lag(session).items()):
            lag.add_metric([str(shop_id)], seconds)
        yield from (shops, lag)

    def _budget(self, session: Session) -> Iterator[GaugeMetricFamily]:
        remaining, per_day = monitoring.etsy_budget(self.settings)
        yield GaugeMetricFamily("esa_etsy_budget_remaining", "Etsy requests left in today's shared budget (UTC day)",
                                value=remaining)
        yield GaugeMetricFamily("esa_etsy_budget_per_day", "The shared daily Etsy budget (ETSY_RATE_PER_DAY)",
                                value=per_day)


def _attempt(name: str, read: Callable[[], list[GaugeMetricFamily]]) -> list[GaugeMetricFamily] | None:
    """The families of one reading, or None (logged) when it fails: the rest of the scrape still answers."""
    try:
        return read()
    except Exception as exc:  # a scrape reports what it can; esa_scrape_reading_ok says what it could not
        log.warning("metrics: reading %s failed: %s: %s", name, type(exc).__name__,
                    (str(exc).splitlines() or [""])[0][:200])
        return None


def render(settings: config.Settings) -> bytes:
    """The exposition text for this scrape."""
    registry = CollectorRegistry()
    if settings.metrics_multiproc_dir:
        multiprocess.MultiProcessCollector(registry, path=settings.metrics_multiproc_dir)
    else:
        registry.register(_ProcessLocal())
    registry.register(StateCollector(settings))
    return generate_latest(registry)


class _ProcessLocal:
    """The default registry's esa_ metrics, when not in gunicorn's multiprocess mode."""

    def collect(self):
        for family in REGISTRY.collect():
            if family.name.startswith("esa_"):
                yield family
