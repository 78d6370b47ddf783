"""print_files jobs: each design rendered as a print-ready PNG at a size's exact physical size and the job's DPI."""
from __future__ import annotations

from typing import Any

from jobs import context
from models import print_job as job_model
from services import print_files


def run(ctx: context.JobContext, job: job_model.PrintJob) -> dict[str, Any]:
    """Render every item; re-running replaces this job's outputs."""
    return print_files.render(ctx, job)
