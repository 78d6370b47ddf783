"""imports jobs: register the files already on the NAS where they are, then check each in the background."""
from __future__ import annotations

from typing import Any

from jobs import context
from models import print_job as job_model
from services import library_import


def run(ctx: context.JobContext, job: job_model.PrintJob) -> dict[str, Any]:
    """One import pass; a retry after the NAS went away resumes with the files still unchecked."""
    return library_import.run(ctx, job)
