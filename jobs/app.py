"""The procrastinate App, its queues, and which queues each WORKER_TYPE serves."""
from __future__ import annotations

import procrastinate

import config

QUEUES = {
    "general": ("default", "designs", "orders", "sync"),
    "print_jobs": ("gang_sheets", "print_files", "mockups"),
    "scheduler": ("scheduler",),
}
CONCURRENCY = {"general": 4, "print_jobs": 1, "scheduler": 1}
# Modules whose tasks every worker type registers; the scheduler adds jobs.schedule (the periodic tasks).
TASK_MODULES = ["jobs.maintenance", "jobs.backup", "jobs.runner", "jobs.reconcile", "jobs.shop_sync",
                "jobs.design_analysis", "jobs.library", "jobs.rip"]


def _connector() -> procrastinate.PsycopgConnector:
    settings = config.get_settings()
    return procrastinate.PsycopgConnector(conninfo=settings.psycopg_dsn, min_size=1, max_size=4)


app = procrastinate.App(connector=_connector(), import_paths=TASK_MODULES)
