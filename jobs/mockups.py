"""mockups jobs: every design rendered on every mockup template, each stored as a listing photo (file type mockups)."""
from __future__ import annotations

from typing import Any

from jobs import context
from models import print_job as job_model
from services import mockups


def run(ctx: context.JobContext, job: job_model.PrintJob) -> dict[str, Any]:
    """Render designs x templates with progress (publishing them if asked); a re-run replaces this job's outputs."""
    return mockups.render(ctx, job)
