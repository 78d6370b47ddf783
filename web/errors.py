"""The one error shape: domain, integrity and storage exceptions mapped to HTTP, nowhere else."""
from __future__ import annotations

import logging
import re
import tempfile
from http import HTTPStatus
from typing import Any

from flask import Flask, jsonify
from sqlalchemy import exc as sa_exc
from werkzeug.exceptions import HTTPException

from models import db, errors, tenancy
from nas import errors as nas_errors

log = logging.getLogger(__name__)
_TEMP_DIRS = "|".join(re.escape(d) for d in {tempfile.gettempdir(), "/tmp", "/var/tmp"})
_TEMP_PATH = re.compile(r"""['"]?(?:""" + _TEMP_DIRS + r""")/[^\s'"]+['"]?""")

_STATUS = {
    errors.NotFound: 404,
    errors.Conflict: 409,
    errors.Invalid: 422,
    errors.Unauthorized: 401,
    errors.Forbidden: 403,
    errors.TooManyRequests: 429,
    errors.Unavailable: 503,
    errors.RangeNotSatisfiable: 416,
}


def error_body(status: int, message: str, errors_: dict[str, Any] | None = None) -> dict[str, Any]:
    """The body every error response carries."""
    body: dict[str, Any] = {"code": status, "status": HTTPStatus(status).phrase, "message": message}
    if errors_:
        body["errors"] = errors_
    return body


def status_of(exc: errors.DomainError) -> int:
    """The HTTP status of a domain error (the console answers it as a page with the same status)."""
    return next((code for cls, code in _STATUS.items() if isinstance(exc, cls)), 400)


def _respond(status: int, message: str, errors_: dict[str, Any] | None = None, headers: dict | None = None):
    db.session.rollback()
    response = jsonify(scrub(error_body(status, message, errors_)))
    response.status_code = status
    for key, value in (headers or {}).items():
        response.headers[key] = value
    if status == 401:
        response.headers["WWW-Authenticate"] = 'Bearer realm="api"'
    return response


def register(app: Flask) -> None:
    """Install the handlers on the app."""

    @app.errorhandler(errors.DomainError)
    def _domain(exc: errors.DomainError):
        status = status_of(exc)
        headers = {"Retry-After": str(exc.retry_after)} if isinstance(exc, errors.TooManyRequests) else None
        if isinstance(exc, errors.RangeNotSatisfiable):
            headers = {"Content-Range": f"bytes */{exc.size}"}
        return _respond(status, exc.message, exc.errors, headers)

    @app.errorhandler(sa_exc.IntegrityError)
    def _integrity(exc: sa_exc.IntegrityError):
        constraint = getattr(getattr(exc.orig, "diag", None), "constraint_name", None)
        return _respond(409, _integrity_message(constraint), {"constraint": constraint} if constraint else None)

    @app.errorhandler(sa_exc.DataError)
    def _data(exc: sa_exc.DataError):
        # A value the column cannot hold (out-of-range number, NUL in text) is bad input, not a server fault; the
        # database's own text stays in the log.
        log.info("database refused a value: %s", str(getattr(exc, "orig", exc)).splitlines()[0][:200])
        return _respond(422, "Invalid value: a number out of range or text the database cannot store")

    @app.errorhandler(sa_exc.OperationalError)
    @app.errorhandler(sa_exc.DisconnectionError)
    def _db_down(exc: Exception):
        log.error("database unavailable: %s", exc.__class__.__name__)
        return _respond(503, "The database is unavailable; try again shortly")

    @app.errorhandler(tenancy.TenancyError)
    def _tenancy(exc: tenancy.TenancyError):
        log.error("tenant guard refused a statement: %s", exc)
        return _respond(500, "Internal error")

    @app.errorhandler(HTTPException)
    def _http(exc: HTTPException):
        data = getattr(exc, "data", None) or {}
        messages = data.get("messages")
        message = exc.description if isinstance(exc.description, str) else HTTPStatus(exc.code).phrase
        if exc.code == 413:
            message = "Request body too large"
        if messages:
            message = "Invalid input" if exc.code == 422 else message
        return _respond(exc.code or 500, message, _flatten(messages) if messages else None,
                        data.get("headers"))

    @app.errorhandler(Exception)
    def _unexpected(exc: Exception):
        log.exception("unhandled error")
        return _respond(500, "Internal error")

    _register_storage(app)


def _register_storage(app: Flask) -> None:
    mapping = [
        (nas_errors.ObjectNotFound, 404), (nas_errors.ObjectExists, 409), (nas_errors.InvalidName, 422),
        (nas_errors.TooLarge, 413), (nas_errors.IntegrityError, 502), (nas_errors.StorageUnavailable, 503),
        (nas_errors.StorageError, 502),
    ]
    for cls, status in mapping:

        def handler(exc: Exception, status: int = status):
            return _respond(status, str(exc))

        app.register_error_handler(cls, handler)


def scrub(value: Any) -> Any:
    """`value` with the server's temp-file paths (an upload's spool file, named by a library's message) removed."""
    if isinstance(value, str):
        return _TEMP_PATH.sub("the uploaded file", value)
    if isinstance(value, dict):
        return {k: scrub(v) for k, v in value.items()}
    if isinstance(value, list):
        return [scrub(v) for v in value]
    return value


def _flatten(messages: dict[str, Any]) -> dict[str, Any]:
    # webargs nests errors by location ("json", "query"); clients want the field names.
    if set(messages) <= {"json", "query", "form", "files", "multipart", "headers", "view_args", "path"}:
        out: dict[str, Any] = {}
        for value in messages.values():
            if isinstance(value, dict):
                out.update(value)
        return out
    return messages


def _integrity_message(constraint: str | None) -> str:
    if not constraint:
        return "The change conflicts with existing data"
    if constraint.startswith("uq_"):
        return f"Already exists ({constraint})"
    return f"The change conflicts with existing data ({constraint})"
