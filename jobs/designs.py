"""designs jobs: check uploaded designs (readable, whole), record effective DPI at each size, flag low resolution."""
from __future__ import annotations

from typing import Any

from jobs import context
from models import print_job as job_model
from services import designs


def run(ctx: context.JobContext, job: job_model.PrintJob) -> dict[str, Any]:
    """Inspect each design and store its analysis on the file (idempotent: a re-run overwrites it)."""
    return designs.analyse(ctx, job)
