"""Storage errors: one hierarchy every backend raises, so the API maps them without knowing the backend."""
from __future__ import annotations


class StorageError(Exception):
    """Base class of every error raised by the `nas` package."""

    # The storage operation that failed (put, read, ...), set by the backend that raised it; logs name it.
    operation: str | None = None


class StorageUnavailable(StorageError):
    """The storage cannot be reached (NAS down, connection dropped after the one reconnect); the API answers 503."""

    def __init__(self, message: str, *, host: str | None = None) -> None:
        super().__init__(message)
        self.host = host


class HostKeyMismatch(StorageUnavailable):
    """The NAS presented an unknown or different host key; we refuse to talk to it (never auto-accepted)."""


class ObjectNotFound(StorageError):
    """No object at that key."""

    def __init__(self, key: str) -> None:
        super().__init__(f"no object at {key!r}")
        self.key = key


class ObjectExists(StorageError):
    """An object already exists at that key and the caller asked not to rename or replace it."""

    def __init__(self, key: str) -> None:
        super().__init__(f"object already exists at {key!r}")
        self.key = key


class InvalidName(StorageError, ValueError):
    """A key, shop name, file type or filename that is empty, unsafe or unknown."""


class TooLarge(StorageError):
    """The stream exceeded the caller's `max_bytes`; nothing was stored."""

    def __init__(self, max_bytes: int) -> None:
        super().__init__(f"object larger than {max_bytes} bytes")
        self.max_bytes = max_bytes


class IntegrityError(StorageError):
    """Checksum or size of the stored bytes differs from what was expected; the object was not stored."""
