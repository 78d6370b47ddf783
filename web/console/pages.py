"""What every console page shares: the template context, errors as pages, CSRF, commits, and the page modules."""
from __future__ import annotations

from typing import Any
from urllib.parse import urlsplit

from flask import Blueprint, flash, g, jsonify, redirect, render_template, request, url_for
from marshmallow import ValidationError
from sqlalchemy import exc as sa_exc
from werkzeug.exceptions import HTTPException

from models import db, errors
from services import organizations
from web import errors as web_errors
from web import pagination, views
from web.console import session


def render(name: str, code: int = 200, /, **context: Any) -> tuple[str, int]:
    """A console page, answered with the HTTP status `code`."""
    return render_template(f"console/{name}", **context), code


# Commit what the view's service calls changed (an error rolls back instead), as the API's views do.
commits = views.commits


def wants_json() -> bool:
    """Requests made by the pages' scripts (fetch sends Accept: application/json)."""
    return request.accept_mimetypes.best_match(["text/html", "application/json"]) == "application/json"


def back(default: str) -> str:
    """The page a form was posted from, when it is one of ours."""
    ref = urlsplit(request.referrer or "")
    if ref.netloc == request.host and ref.path.startswith("/console"):
        return ref.path + (f"?{ref.query}" if ref.query else "")
    return default


def _error(status: int, message: str, details: dict | None = None):
    db.get_session().rollback()
    if wants_json():
        response = jsonify(web_errors.error_body(status, message, details))
        response.status_code = status
        return response
    signed_in = session.current() is not None
    if request.method == "POST" and status in (409, 422) and signed_in:
        flash(message + _detail_text(details), "error")
        return redirect(back(url_for("console.today")))
    return render("error.html", status, status=status, message=message)


def _detail_text(details: dict | None) -> str:
    if not details:
        return ""
    return " (" + "; ".join(f"{key}: {text}" for key, text in _flat(details)) + ")"


def _flat(details: Any, prefix: str = "") -> list[tuple[str, str]]:
    # Nested schema errors ({"canvas": {"width_in": [...]}}) read as "canvas.width_in: ...".
    if isinstance(details, dict):
        return [pair for key, value in details.items() for pair in _flat(value, f"{prefix}{key}.")]
    if isinstance(details, list) and all(isinstance(v, str) for v in details):
        return [(prefix.rstrip("."), " ".join(details))]
    return [(prefix.rstrip("."), str(details))]


def _context() -> dict[str, Any]:
    user = g.get("user")
    org = None
    if user is not None:
        org = organizations.get(db.get_session(), session.org_id())
    return {"me": user, "org": org, "csrf_token": session.csrf_token, "nav": NAV}


NAV = (("today", "Today"), ("jobs", "Jobs"), ("gang_builder", "Gang sheets"), ("designs", "Designs"),
       ("unmatched", "Unmatched"), ("orders", "Orders"), ("shops", "Shops"), ("mockups", "Mockups"),
       ("numbers", "Numbers"), ("settings", "Settings"))


def register(blp: Blueprint) -> None:
    """Hook the shared behaviour and every page module onto the blueprint."""
    from web.console import account, designs, gang, jobs, mockups, numbers, orders, printers, settings, shops, today

    blp.before_request(session.check_csrf)
    blp.context_processor(_context)

    @blp.after_request
    def _headers(response):
        response.headers.setdefault("Referrer-Policy", "same-origin")
        response.headers.setdefault("X-Content-Type-Options", "nosniff")
        response.headers.setdefault("X-Frame-Options", "DENY")
        return response

    @blp.errorhandler(errors.DomainError)
    def _domain(exc: errors.DomainError):
        return _error(web_errors.status_of(exc), exc.message, exc.errors)

    @blp.errorhandler(ValidationError)
    def _invalid(exc: ValidationError):
        details = exc.messages if isinstance(exc.messages, dict) else {"form": exc.messages}
        return _error(422, "Check the form", details)

    @blp.errorhandler(sa_exc.IntegrityError)
    def _conflict(exc: sa_exc.IntegrityError):
        return _error(409, "That conflicts with something already saved (a name or value that must be unique)")

    @blp.errorhandler(sa_exc.DataError)
    def _bad_value(exc: sa_exc.DataError):
        return _error(422, "A value is out of range or not allowed")

    @blp.errorhandler(HTTPException)
    def _http(exc: HTTPException):
        return _error(exc.code or 500, exc.description or exc.name)

    for module in (account, today, jobs, designs, gang, orders, shops, mockups, settings, printers, numbers):
        module.register(blp)


class Page:
    """One page of a list query: its rows, number and page count, as the API pages (web.pagination: no full count
    past 10,000 rows, deep pages by index)."""

    def __init__(self, stmt: Any, size: int = 50, total: pagination.Total = None) -> None:
        self.number = max(1, request.args.get("page", 1, type=int) or 1)
        self.rows, self.total = pagination.window(db.get_session(), stmt, self.number, size, total)
        self.pages = max(1, -(-self.total // size))
