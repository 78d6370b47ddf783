"""Streaming exports: rows are fetched in batches and written as they come, never held in memory."""
from __future__ import annotations

import csv
import io
import json
from collections.abc import Iterator
from typing import Any

from models import db, tenancy
from models import event as event_model

COLUMNS = ("id", "created_at", "event_type", "level", "source", "entity_type", "entity_id", "user_id",
           "request_id", "changes", "payload")
BATCH = 1000


def stream_events(org_id: int, filters: dict[str, Any], fmt: str) -> Iterator[str]:
    """CSV or JSON Lines of the organization's events, oldest first."""
    stmt = event_model.search(filters).order_by(None).order_by(event_model.Event.id)
    if fmt == "csv":
        yield _csv_line(COLUMNS)
    with tenancy.org_scope(org_id):
        session = db.get_session()
        for row in session.scalars(stmt.execution_options(yield_per=BATCH)):
            values = [_value(getattr(row, name)) for name in COLUMNS]
            if fmt == "csv":
                yield _csv_line([json.dumps(v) if isinstance(v, (dict, list)) else v for v in values])
            else:
                yield json.dumps(dict(zip(COLUMNS, values, strict=True)), separators=(",", ":")) + "\n"


def _value(value: Any) -> Any:
    return value.isoformat() if hasattr(value, "isoformat") else value


def _csv_line(values: Any) -> str:
    buf = io.StringIO()
    csv.writer(buf).writerow(["" if v is None else v for v in values])
    return buf.getvalue()
