"""Job counters and histograms, kept as runs start and finish (so a scrape never reads the jobs table)."""
from __future__ import annotations

from collections.abc import Callable
from typing import Any

from prometheus_client import Counter, Histogram
from sqlalchemy import event
from sqlalchemy.orm import Session

from models import print_job as job_model

OUTCOMES = ("completed", "failed", "retried", "cancelled")

STARTED = Counter("esa_jobs_started_total", "Job attempts started, by job type (print job type or task name)",
                  ["job_type"])
FINISHED = Counter("esa_jobs_finished_total", "Jobs finished by type and outcome: completed; failed (for good); "
                   "retried (the attempt failed and the job runs again); cancelled (queued or running)",
                   ["job_type", "outcome"])
DURATION = Histogram("esa_job_duration_seconds", "Run time of job attempts, by type and outcome",
                     ["job_type", "outcome"],
                     buckets=(0.05, 0.25, 1, 5, 15, 30, 60, 120, 300, 600, 1200, 1800, 3600, 7200))
FILM = Counter("esa_gang_sheet_film_inches_total", "Film length of rendered gang sheets, in inches")
UTILIZATION = Histogram("esa_gang_sheet_utilization_ratio", "Share of each rendered gang sheet covered by designs",
                        buckets=(0.1, 0.2, 0.3, 0.4, 0.5, 0.6, 0.7, 0.8, 0.85, 0.9, 0.95, 1.0))
PIECES = Counter("esa_pieces_rendered_total", "Pieces rendered: designs placed on gang sheets, print files, mockups",
                 ["job_type"])

# The print job types' series exist from the start, so a type that never failed reads 0 rather than nothing.
for _type in job_model.JOB_TYPES:
    STARTED.labels(_type)
    for _outcome in OUTCOMES:
        FINISHED.labels(_type, _outcome)
for _type in ("gang_sheets", "print_files", "mockups"):
    PIECES.labels(_type)


def started(job_type: str) -> None:
    """An attempt of `job_type` began."""
    STARTED.labels(job_type).inc()


def finished(job_type: str, outcome: str, seconds: float | None = None) -> None:
    """A job ended an attempt with `outcome` (one of OUTCOMES); `seconds` when it ran."""
    FINISHED.labels(job_type, outcome).inc()
    if seconds is not None:
        DURATION.labels(job_type, outcome).observe(seconds)


def produced(job_type: str, params: dict[str, Any], result: dict[str, Any] | None) -> None:
    """Film, utilization and pieces of a completed print job, read from its parameters and result."""
    result = result or {}
    if job_type == "gang_sheets":
        FILM.inc(float(result.get("total_length_in") or 0))
        for sheet in result.get("sheets") or []:
            UTILIZATION.observe(float(sheet.get("utilization") or 0))
        # Imposition places every requested copy or the job fails, so a completed job rendered them all.
        PIECES.labels(job_type).inc(sum(int(item.get("quantity", 1)) for item in params.get("items") or []))
    elif job_type == "print_files":
        PIECES.labels(job_type).inc(len(result.get("outputs") or []))
    elif job_type == "mockups":
        PIECES.labels(job_type).inc(int(result.get("count") or 0))


def on_commit(session: Session, action: Callable[[], None]) -> None:
    """Run `action` once the session's transaction commits; forget it if the transaction rolls back."""
    session.info.setdefault(_PENDING, []).append(action)


_PENDING = "esa_job_metrics_after_commit"


@event.listens_for(Session, "after_commit")
def _committed(session: Session) -> None:
    for action in session.info.pop(_PENDING, []):
        action()


@event.listens_for(Session, "after_rollback")
def _rolled_back(session: Session) -> None:
    session.info.pop(_PENDING, None)
