"""The double's answers checked against the spec's response schemas, list items remembered once found valid."""
from __future__ import annotations

import hashlib
import json
import threading
from collections.abc import Iterable
from typing import Any

from tests.etsy_double import spec


class Checker:
    """Validates every answer; list items already validated with the same content are not validated again."""

    def __init__(self) -> None:
        self._valid: set[tuple[str, bytes]] = set()
        self._lock = threading.Lock()

    def check(self, op: spec.Operation, status: int, body: Any) -> str | None:
        """The first way `body` breaks the spec's schema for `status`, or None."""
        try:
            checker = op.response_validator(status)
        except KeyError as exc:
            return str(exc)
        if checker is None:
            return None if body is None else f"{op.operation_id} {status} must have no body"
        items = _item_validator(op.operation_id, status)
        if items is not None and isinstance(body, dict) and isinstance(body.get("results"), list):
            problem = _first(op, status, checker, dict(body, results=[]))
            for index, item in enumerate(body["results"]):
                problem = problem or self._check_item(op, status, items, item, index)
            return problem
        return _first(op, status, checker, body)

    def warm(self, op: spec.Operation, items: Iterable[Any], status: int = 200) -> str | None:
        """Validate list items ahead of serving them (a benchmark pays this before it starts timing)."""
        validator = _item_validator(op.operation_id, status)
        for index, item in enumerate(items):
            problem = self._check_item(op, status, validator, json.loads(json.dumps(item)), index)
            if problem:
                return problem
        return None

    def _check_item(self, op: spec.Operation, status: int, validator, item: Any, index: int) -> str | None:
        key = (f"{op.operation_id}:{status}", hashlib.sha1(json.dumps(item, sort_keys=True).encode()).digest())
        if key in self._valid:
            return None
        problem = _first(op, status, validator, item, f"results/{index}/")
        if problem is None:
            with self._lock:
                self._valid.add(key)
        return problem


def _first(op: spec.Operation, status: int, validator, body: Any, prefix: str = "") -> str | None:
    error = next(iter(sorted(validator.iter_errors(body), key=lambda e: [str(p) for p in e.absolute_path])), None)
    if error is None:
        return None
    where = prefix + "/".join(str(p) for p in error.absolute_path)
    return f"{op.operation_id} {status} at /{where}: {error.message}"


_items: dict[tuple[str, int], Any] = {}


def _item_validator(operation_id: str, status: int):
    """A validator of one `results` entry when the answer is a {count, results} list, else None."""
    if (operation_id, status) not in _items:
        schema = spec.operations()[operation_id].responses.get(str(status), {})
        ref = schema.get("content", {}).get("application/json", {}).get("schema", {}).get("$ref", "")
        envelope = spec.document()["components"]["schemas"].get(ref.rsplit("/", 1)[-1], {})
        item = envelope.get("properties", {}).get("results", {}).get("items")
        _items[(operation_id, status)] = spec.validator(item) if item else None
    return _items[(operation_id, status)]
