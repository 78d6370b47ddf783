"""What views share: the app's settings, and committing the unit of work a view's service call made."""
from __future__ import annotations

import functools
from collections.abc import Callable
from typing import Any

from flask import current_app

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

    return wrapper
