"""Worker process entry point: `python -m jobs.worker` serves the queues of WORKER_TYPE, through database outages.

A database restart kills a worker's side tasks (the LISTEN connection, the heartbeat, the periodic deferrer).
procrastinate stops the worker when it notices, but its monitor stops watching once any side task ends, and on a
worker with no periodic tasks the deferrer ends at once: a dead listener would then go unnoticed. So this process
watches the side tasks itself, stops the worker when one it saw running has ended, and starts a new worker after
a short, growing pause, until SIGTERM or SIGINT asks it to stop; only a signal ends it.
"""
from __future__ import annotations

import asyncio
import contextlib
import importlib
import logging
import os
import signal
import socket
import threading
import time
from wsgiref import simple_server

import prometheus_client
from procrastinate import worker as pq_worker
from prometheus_client import exposition, multiprocess

import config
from jobs import app as jobs_app
from jobs import context, logcontext
from prepress import imagelimits
from services import monitoring, workers

log = logging.getLogger("esa.worker")
FIRST_PAUSE, LONGEST_PAUSE = 1.0, 30.0
# A worker that ran this long before failing was healthy: the next failure starts the pauses over.
HEALTHY_RUN = 60.0
# procrastinate's side tasks, by the names it gives their asyncio tasks; those running once started are watched.
SIDE_TASKS = frozenset({"update_heartbeats", "deferrer", "poll_jobs_to_abort", "listener"})
WATCH_INTERVAL = 2.0


def main() -> None:
    """Run workers of WORKER_TYPE until SIGINT/SIGTERM (finishing or aborting running jobs gracefully)."""
    settings = config.get_settings()
    handler = logging.StreamHandler()
    handler.addFilter(logcontext.JobFields())  # on the handler: it sees the records of every logger
    logging.basicConfig(level=settings.log_level, format=logcontext.FORMAT, handlers=[handler])
    logging.getLogger("procrastinate").setLevel(logging.WARNING)
    imagelimits.configure(settings.max_image_pixels)
    if settings.worker_type == "scheduler":
        importlib.import_module("jobs.schedule")
    if settings.metrics_port:
        serve_metrics(settings.metrics_port, settings.metrics_multiproc_dir, settings)
    asyncio.run(serve(settings))


def serve_metrics(port: int, multiproc_dir: str | None = None, settings: config.Settings | None = None) -> None:
    """Serve this process's metrics at http://[::]:port/metrics (IPv6 and IPv4, as Railway's private network needs),
    to `Bearer <METRICS_TOKEN>` only when METRICS_TOKEN is set."""
    prometheus_client.disable_created_metrics()  # as the web's /metrics does (web/metrics.py)
    registry: prometheus_client.CollectorRegistry = prometheus_client.REGISTRY
    if multiproc_dir:
        registry = prometheus_client.CollectorRegistry()
        multiprocess.MultiProcessCollector(registry, path=multiproc_dir)
    app = _token_only(exposition.make_wsgi_app(registry), settings or config.get_settings())
    for addr, family in (("::", socket.AF_INET6), ("0.0.0.0", socket.AF_INET)):
        server_class = type("MetricsServer", (exposition.ThreadingWSGIServer,), {"address_family": family})
        try:
            server = simple_server.make_server(addr, port, app, server_class, handler_class=_QuietHandler)
        except OSError:  # a host without IPv6
            continue
        threading.Thread(target=server.serve_forever, daemon=True, name="metrics").start()
        log.info("metrics on port %d", port)
        return
    raise OSError(f"cannot listen on METRICS_PORT {port}")


class _QuietHandler(simple_server.WSGIRequestHandler):
    def log_message(self, format: str, *args: object) -> None:  # noqa: A002 - the base class's name
        """Scrapes are not logged."""


def _token_only(app, settings: config.Settings):
    """The metrics app, answering 401 to a scrape without the METRICS_TOKEN bearer token."""

    def guarded(environ, start_response):
        if monitoring.scrape_allowed(settings, environ.get("HTTP_AUTHORIZATION")):
            return app(environ, start_response)
        start_response("401 Unauthorized", [("Content-Type", "text/plain"), ("WWW-Authenticate", "Bearer")])
        return [b"metrics need the METRICS_TOKEN bearer token\n"]

    return guarded


async def serve(settings: config.Settings) -> None:
    """Keep one worker running; after it stops on its own, wait (1 s doubling to 30 s) and start another."""
    stopping = asyncio.Event()
    current: list[pq_worker.Worker] = []

    def stop() -> None:
        stopping.set()
        for running in current:
            running.stop()

    loop = asyncio.get_running_loop()
    for sig in (signal.SIGINT, signal.SIGTERM):
        loop.add_signal_handler(sig, stop)
    pause = FIRST_PAUSE
    while not stopping.is_set():
        started = time.monotonic()
        try:
            await _run_once(settings, current)
        except Exception as exc:  # the database or the network went away; anything else is logged the same way
            log.warning("worker stopped: %s: %s", type(exc).__name__, (str(exc).strip().splitlines() or [""])[0][:300])
        if stopping.is_set():
            break
        if time.monotonic() - started > HEALTHY_RUN:
            pause = FIRST_PAUSE
        log.warning("starting a new %s worker in %.0f s", settings.worker_type, pause)
        with contextlib.suppress(TimeoutError):
            await asyncio.wait_for(stopping.wait(), pause)
        pause = min(pause * 2, LONGEST_PAUSE)


async def _run_once(settings: config.Settings, current: list[pq_worker.Worker]) -> None:
    kind = settings.worker_type
    app = jobs_app.app
    async with app.open_async():
        app.perform_import_paths()
        worker = pq_worker.Worker(
            app=app,
            queues=list(jobs_app.QUEUES[kind]),
            name=kind,
            concurrency=jobs_app.CONCURRENCY[kind],
            update_heartbeat_interval=max(2.0, settings.stalled_worker_seconds / 4),
            stalled_worker_timeout=settings.stalled_worker_seconds,
            shutdown_graceful_timeout=30,
            delete_jobs="never",
            # Signals are ours: a stop request must also end the restart loop.
            install_signal_handlers=False,
            worker_middleware=[context.queue_middleware],
        )
        current[:] = [worker]
        task = asyncio.create_task(worker.run(), name="worker")
        try:
            await _register(worker, task, kind)
            watcher = asyncio.create_task(_watch_side_tasks(worker, task), name="side task watch")
            try:
                await task
            finally:
                watcher.cancel()
        finally:
            current.clear()


async def _register(worker: pq_worker.Worker, task: asyncio.Task, kind: str) -> None:
    """Record the new worker's WORKER_TYPE as soon as procrastinate has given it an id."""
    while worker.worker_id is None and not task.done():
        await asyncio.sleep(0.05)
    if worker.worker_id is None:
        return
    await jobs_app.app.connector.execute_query_async(
        workers.REGISTER_SQL, worker_id=worker.worker_id, worker_type=kind, hostname=socket.gethostname()[:255],
        pid=os.getpid())


async def _watch_side_tasks(worker: pq_worker.Worker, task: asyncio.Task) -> None:
    """Stop the worker (so a new one starts) once a side task it had running is gone."""
    await asyncio.sleep(WATCH_INTERVAL)
    watched = _running_side_tasks()
    while not task.done():
        await asyncio.sleep(WATCH_INTERVAL)
        lost = watched - _running_side_tasks()
        if lost and not task.done():
            log.warning("the worker's %s ended (database outage?); starting a new worker", ", ".join(sorted(lost)))
            worker.stop()
            return


def _running_side_tasks() -> set[str]:
    return {t.get_name() for t in asyncio.all_tasks() if not t.done()} & SIDE_TASKS


if __name__ == "__main__":
    main()
