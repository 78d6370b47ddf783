"""The running job's identity on every log line it causes: job ids, type, organization and attempt."""
from __future__ import annotations

import contextvars
import logging
from typing import Any

# Order of the fields on a line; `job` is the print job's id, `queue_job` procrastinate's.
FIELDS = ("job", "queue_job", "type", "org", "attempt")
_fields: contextvars.ContextVar[dict[str, Any] | None] = contextvars.ContextVar("esa_job_log_fields", default=None)


def current() -> dict[str, Any]:
    """The fields bound in this context (empty outside a job)."""
    return dict(_fields.get() or {})


def bind(**fields: Any) -> contextvars.Token[dict[str, Any] | None]:
    """Add fields (None values are left out) for the rest of this context; `unbind` with the token undoes it."""
    return _fields.set({**(_fields.get() or {}), **{k: v for k, v in fields.items() if v is not None}})


def unbind(token: contextvars.Token[dict[str, Any] | None]) -> None:
    """Restore the fields as they were before `bind`."""
    _fields.reset(token)


def render(fields: dict[str, Any]) -> str:
    """` job=1 queue_job=7 type=gang_sheets org=3 attempt=1`, or "" outside a job."""
    return "".join(f" {name}={fields[name]}" for name in FIELDS if name in fields)


class JobFields(logging.Filter):
    """Puts the running job's fields on each record as `%(job)s` (and keeps every record)."""

    def filter(self, record: logging.LogRecord) -> bool:
        record.job = render(_fields.get() or {})
        return True


FORMAT = "%(asctime)s %(levelname)s %(name)s%(job)s %(message)s"
