"""gang_sheets jobs: impose the designs, preflight, render every sheet (and its preview) with progress per sheet."""
from __future__ import annotations

from typing import Any

from jobs import context
from models import print_job as job_model
from services import gang_sheets


def run(ctx: context.JobContext, job: job_model.PrintJob) -> dict[str, Any]:
    """Render the job's sheets; a re-run replaces the same outputs, a failure leaves none."""
    return gang_sheets.render(ctx, job)
