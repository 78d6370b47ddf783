"""The job types: each module has a params schema, a `validate` (at creation) and a `run` (in the worker)."""
from __future__ import annotations

import importlib
from types import ModuleType
from typing import Any

from marshmallow import ValidationError
from sqlalchemy.orm import Session

from models import errors
from models import print_job as job_model

# The module implementing each job type of print_job.JOB_TYPES.
MODULES = {"print_files": "jobs.print_files", "designs": "jobs.designs", "gang_sheets": "jobs.gang_sheets",
           "mockups": "jobs.mockups", "orders": "jobs.orders"}


def module(job_type: str) -> ModuleType:
    """The module implementing `job_type`."""
    if job_type not in job_model.JOB_TYPES:
        raise errors.Invalid(f"Unknown job type {job_type!r}", errors={"job_type": ["Unknown job type"]})
    return importlib.import_module(MODULES[job_type])


def validate(session: Session, job_type: str, params: dict[str, Any]) -> dict[str, Any]:
    """Parameters loaded by the type's schema and checked against the organization's data (files, sizes...)."""
    mod = module(job_type)
    try:
        loaded = mod.ParamsSchema().load(params)
    except ValidationError as exc:
        raise errors.Invalid(f"Invalid parameters for a {job_type} job", errors={"params": exc.messages}) from None
    return mod.validate(session, loaded)
