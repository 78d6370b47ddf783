"""Feature flags: what each one turns on, and the checks that refuse work of a flag the organization turned off."""
from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.orm import Session

from models import errors, tenancy
from models import organization as org_model

# What each flag gates (published in the OpenAPI document); defaults are org_model.FEATURE_DEFAULTS.
MEANINGS: dict[str, str] = {
    "api_access": "The REST API with bearer tokens, for the organization's members (superusers always pass)",
    "print": "Printers (/api/printers) and print_files jobs",
    "gang_sheets": "Gang sheet layouts (gang-sheets/layout), gang_sheets jobs, and orders queued for production",
    "mockups": "Mockup templates (mockup-templates/) and mockups jobs",
    "designs": "designs jobs (design checks: effective DPI per template size) and NAS library imports "
               "(library/imports, imports jobs)",
    "orders": "Orders and design mappings (orders/, design-mappings/), orders jobs (shop syncs), shipping "
              "(shipments/, orders/{id}/ship, shipments jobs)",
    "etsy_sync": "Etsy shops (shops/: connect, settings, sync, reference data), the scheduled shop syncs, and draft "
                 "listings (listing-drafts/, listings jobs)",
    "analytics": "Usage statistics: organizations/{org_id}/stats, the print job, event and printer stats/summary, "
                 "and the owner's numbers (insights/)",
}

# The flag each print job type needs.
JOB_TYPES: dict[str, str] = {
    "gang_sheets": "gang_sheets",
    "print_files": "print",
    "mockups": "mockups",
    "designs": "designs",
    "orders": "orders",
    "listings": "etsy_sync",
    "shipments": "orders",
    "imports": "designs",
}


def enabled(session: Session, name: str) -> bool:
    """Whether the current organization has `name` on (its stored value, else the default)."""
    default = org_model.FEATURE_DEFAULTS[name]
    stored = session.scalar(select(org_model.OrganizationFeature.enabled).where(
        org_model.OrganizationFeature.org_id == tenancy.current_org(), org_model.OrganizationFeature.name == name))
    return default if stored is None else stored


def require(session: Session, name: str) -> None:
    """FeatureDisabled naming the flag unless the current organization has it on."""
    if not enabled(session, name):
        raise errors.FeatureDisabled(name)


def require_for_job(session: Session, job_type: str) -> None:
    """FeatureDisabled unless the flag of `job_type` is on (an unknown type is left to the type's validation)."""
    if job_type in JOB_TYPES:
        require(session, JOB_TYPES[job_type])
