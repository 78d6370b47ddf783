"""SQLAlchemy models, one aggregate per module; importing the package registers them all."""
from __future__ import annotations

from models import (  # noqa: F401 - registers mappers and listeners
    auth_session,
    auth_throttle,
    base,
    event,
    file,
    listing_draft,
    listing_image,
    mockup_template,
    order,
    organization,
    print_job,
    printer,
    printer_send,
    rate_budget,
    shipment,
    shop,
    template,
    tenancy,
    user,
    worker_process,
)
