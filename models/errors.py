"""Domain exceptions raised by models and services; web/errors.py alone maps them to HTTP (jobs/retry to retries)."""
from __future__ import annotations

from typing import Any


class DomainError(Exception):
    """Base of every expected, user-facing failure."""

    def __init__(self, message: str, *, errors: dict[str, Any] | None = None):
        super().__init__(message)
        self.message = message
        self.errors = errors


class NotFound(DomainError):
    """The entity does not exist, or belongs to another organization (never say which)."""


class Conflict(DomainError):
    """The change clashes with existing state (duplicate, wrong status, last owner...)."""


class Invalid(DomainError):
    """The input is well-formed but not acceptable."""


class Unauthorized(DomainError):
    """No valid credentials."""


class Forbidden(DomainError):
    """Authenticated but the role does not allow it."""


class FeatureDisabled(Forbidden):
    """The organization has turned off the feature flag this needs."""

    def __init__(self, feature: str):
        super().__init__(f"The {feature!r} feature is turned off for this organization", errors={"feature": feature})
        self.feature = feature


class TooManyRequests(DomainError):
    """Slowed down (e.g. repeated failed logins)."""

    def __init__(self, message: str, *, retry_after: int):
        super().__init__(message)
        self.retry_after = retry_after


class Unavailable(DomainError):
    """A dependency (NAS, database, Etsy) is down; try again later."""


class RangeNotSatisfiable(DomainError):
    """A byte range outside the content."""

    def __init__(self, message: str, *, size: int):
        super().__init__(message)
        self.size = size
