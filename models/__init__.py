"""SQLAlchemy models, one aggregate per module; importing the package registers them all."""
from __future__ import annotations

from models import base, event, file, organization, tenancy, user  # noqa: F401 - registers mappers and listeners
