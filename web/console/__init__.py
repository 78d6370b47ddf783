"""The operator console: server-rendered pages over services/, a cookie session with CSRF, local assets only."""
from __future__ import annotations

from flask import Blueprint, Flask, redirect, url_for

from web.console import pages, session

blp = Blueprint("console", __name__, url_prefix="/console", template_folder="templates",
                static_folder="static", static_url_path="/static")
pages.register(blp)  # once, at import: every app created afterwards mounts the same blueprint


def register(app: Flask) -> None:
    """Mount the console, and send `/` to it."""
    session.configure(app)
    app.register_blueprint(blp)
    app.add_url_rule("/", "root", lambda: redirect(url_for("console.today")))
