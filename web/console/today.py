"""Today: orders waiting, jobs running with live progress, failed jobs with a retry button, film used."""
from __future__ import annotations

from flask import Blueprint

from models import db
from services import today as today_service
from web.console import pages, session


@session.required()
def today():
    return pages.render("today.html", day=today_service.summary(db.get_session()))


def register(blp: Blueprint) -> None:
    blp.add_url_rule("/", "today", today)
