"""shipments jobs: send orders' receipt shipments (carrier, tracking code) to Etsy, each exactly once."""
from __future__ import annotations

from typing import Any

from jobs import context
from models import print_job as job_model
from services import shipment_send


def run(ctx: context.JobContext, job: job_model.PrintJob) -> dict[str, Any]:
    """Send the job's shipments not yet sent."""
    return shipment_send.run(ctx, job)
