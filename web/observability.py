"""Request ids, one structured log line per request, request metrics and the error-rate window."""
from __future__ import annotations

import collections
import json
import logging
import threading
import time
import uuid

from flask import Flask, g, request
from werkzeug.exceptions import RequestEntityTooLarge

from models import audit, db
from web import auth, metrics, views

log = logging.getLogger("esa.request")
_WINDOW_SECONDS = 3600


class ErrorWindow:
    """Counts requests and 5xx answers per minute over the last hour, in this process."""

    def __init__(self) -> None:
        self._buckets: collections.OrderedDict[int, list[int]] = collections.OrderedDict()
        self._lock = threading.Lock()

    def add(self, status: int, now: float | None = None) -> None:
        minute = int((now or time.time()) // 60)
        with self._lock:
            bucket = self._buckets.setdefault(minute, [0, 0])
            bucket[0] += 1
            bucket[1] += status >= 500
            while self._buckets and next(iter(self._buckets)) < minute - _WINDOW_SECONDS // 60:
                self._buckets.popitem(last=False)

    def rate(self, now: float | None = None) -> dict[str, float]:
        floor = int((now or time.time()) // 60) - _WINDOW_SECONDS // 60
        with self._lock:
            total = sum(b[0] for m, b in self._buckets.items() if m >= floor)
            failed = sum(b[1] for m, b in self._buckets.items() if m >= floor)
        return {"requests": total, "errors": failed, "error_rate": round(failed / total, 4) if total else 0.0}


errors_window = ErrorWindow()


def register(app: Flask) -> None:
    """Install the before/after hooks."""

    @app.before_request
    def _start() -> None:
        g.started = time.perf_counter()
        incoming = request.headers.get("X-Request-ID", "")
        g.request_id = incoming if 0 < len(incoming) <= 64 and incoming.isprintable() else uuid.uuid4().hex
        g.actor_token = audit.set_actor(audit.Actor(source="api", request_id=g.request_id))
        if views.reads_only():
            g.reads_token = db.reads_only()
        # Only multipart uploads may be large; JSON and form bodies have their own, small limit.
        limit = app.extensions["esa_settings"].max_json_bytes
        if request.mimetype != "multipart/form-data" and (request.content_length or 0) > limit:
            raise RequestEntityTooLarge()

    @app.after_request
    def _finish(response):
        elapsed = time.perf_counter() - g.get("started", time.perf_counter())
        endpoint = request.url_rule.rule if request.url_rule else "unmatched"
        metrics.observe_request(request.method, endpoint, response.status_code, elapsed)
        errors_window.add(response.status_code)
        response.headers["X-Request-ID"] = g.get("request_id", "")
        # No answer of ours is ever sniffed into another type (an uploaded file served as HTML, say).
        response.headers["X-Content-Type-Options"] = "nosniff"
        if log.isEnabledFor(logging.INFO):  # the line is built only when it is written
            log.info(json.dumps({
                "event": "request", "method": request.method, "path": request.path, "status": response.status_code,
                "ms": round(elapsed * 1000, 1), "org": g.get("org_id"), "user": getattr(g.get("user"), "id", None),
                "request_id": g.get("request_id"),
            }))
        return response

    @app.teardown_request
    def _teardown(exc: BaseException | None) -> None:
        auth.teardown()
        token = g.pop("actor_token", None)
        if token is not None:
            audit.reset_actor(token)
        reads = g.pop("reads_token", None)
        if reads is not None:
            db.end_reads_only(reads)
