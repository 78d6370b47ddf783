"""The print job types: each module has a parameter schema and a `check_params` that checks them at creation."""
from __future__ import annotations

import importlib
from types import ModuleType
from typing import Any

from marshmallow import ValidationError
from sqlalchemy.orm import Session

from models import errors
from models import print_job as job_model

# The module defining each job type of print_job.JOB_TYPES (imported when first used: they create jobs too).
MODULES = {"print_files": "services.print_files", "designs": "services.designs", "gang_sheets": "services.gang_sheets",
           "mockups": "services.mockups", "orders": "services.shop_sync", "listings": "services.listing_drafts",
           "shipments": "services.shipments", "imports": "services.library_import"}


def module(job_type: str) -> ModuleType:
    """The module defining `job_type`."""
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
    return mod.check_params(session, loaded)


def queue_lock(job_type: str, params: dict[str, Any]) -> str | None:
    """The queue lock two jobs of the type must not run under at once, if the type asks for one."""
    lock = getattr(module(job_type), "queue_lock", None)
    return lock(params) if lock is not None else None
