"""The job types the runner knows: each module has a `run(ctx, job)` (services/job_types defines their parameters)."""
from __future__ import annotations

import importlib
from types import ModuleType

# The module running each job type of print_job.JOB_TYPES.
MODULES = {"print_files": "jobs.print_files", "designs": "jobs.designs", "gang_sheets": "jobs.gang_sheets",
           "mockups": "jobs.mockups", "orders": "jobs.orders", "listings": "jobs.listings",
           "shipments": "jobs.shipments", "imports": "jobs.imports"}


def module(job_type: str) -> ModuleType:
    """The module running `job_type`."""
    return importlib.import_module(MODULES[job_type])
