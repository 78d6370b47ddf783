"""listings jobs: create one draft listing on Etsy from a design, resuming after the last step that landed."""
from __future__ import annotations

from typing import Any

from jobs import context
from models import print_job as job_model
from services import listing_publish


def run(ctx: context.JobContext, job: job_model.PrintJob) -> dict[str, Any]:
    """Create, price, illustrate and map one listing."""
    return listing_publish.run(ctx, job)
