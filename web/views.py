"""What views share: the app's settings, and committing the unit of work a view's service call made."""
from __future__ import annotations

import functools
from collections.abc import Callable
from typing import Any

from flask import current_app, request

import config
from models import db


def settings() -> config.Settings:
    """The settings the app was created with."""
    return current_app.extensions["esa_settings"]


def commits(view: Callable) -> Callable:
    """Commit the request's session once the view returned; an error rolls it back instead (web/errors)."""

    @functools.wraps(view)
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        result = view(*args, **kwargs)
        db.get_session().commit()
        return result

    return transaction(wrapper)


def transaction(view: Callable) -> Callable:
    """Mark a GET view that needs one transaction: it writes (`commits` marks those) or streams rows with a cursor.
    Every other API GET is read-only (see `reads_only`)."""
    setattr(view, TRANSACTION, True)
    return view


TRANSACTION = "needs_transaction"
READ_METHODS = ("GET", "HEAD")


def reads_only() -> bool:
    """Whether this API request only reads: a GET or HEAD whose view is not marked with `transaction`. Its statements
    run without BEGIN and ROLLBACK, and a write is refused (models.db.ReadOnlyViolation)."""
    if request.method not in READ_METHODS or not request.path.startswith("/api/"):
        return False
    view = current_app.view_functions.get(request.endpoint or "")
    view_class = getattr(view, "view_class", None)
    if view_class is not None:
        view = getattr(view_class, "get", None)
    return view is not None and not getattr(view, TRANSACTION, False)
