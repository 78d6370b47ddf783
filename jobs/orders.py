"""orders jobs: sync a shop's listings and receipts from Etsy, match new items, pull cancellations, produce."""
from __future__ import annotations

from typing import Any

from jobs import context
from models import print_job as job_model
from services import shop_sync


def run(ctx: context.JobContext, job: job_model.PrintJob) -> dict[str, Any]:
    """One sync pass of the job's shop (then production of what became ready, unless asked not to)."""
    return shop_sync.sync(ctx, job)
