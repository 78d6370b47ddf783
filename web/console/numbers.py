"""The owner's numbers: sales per month, top designs and listings, film per day and cost per order
(services.insights, as the API's insights/ routes)."""
from __future__ import annotations

from flask import Blueprint, flash, redirect, request, url_for

from models import db
from services import insights, organizations
from web import features as gates
from web.console import pages, session
from web.schemas import organizations as org_schemas


@session.required()
@gates.required("analytics")
def numbers():
    dbs = db.get_session()
    year, month = {"limit": 10}, {"limit": 10}
    return pages.render(
        "numbers.html", sales=insights.sales_by_month(dbs, year), designs=insights.top_designs(dbs, year),
        listings=insights.top_listings(dbs, year), film=insights.film_by_day(dbs, month),
        cost=insights.cost_per_order(dbs, month))


@session.required("admin")
@gates.required("analytics")
@pages.commits
def price():
    """The film price per inch (and its currency) that costs are counted at."""
    form = {"film_price_per_inch": request.form.get("film_price_per_inch", "").strip() or None,
            "currency": request.form.get("currency", "").strip().upper() or None}
    data = org_schemas.OrganizationSettingsSchema().load({k: v for k, v in form.items() if v is not None})
    organizations.update(db.get_session(), session.org_id(), {"settings": data}, superuser=False)
    flash("Film price saved.", "ok")
    return redirect(url_for("console.numbers"))


def register(blp: Blueprint) -> None:
    blp.add_url_rule("/numbers", "numbers", numbers)
    blp.add_url_rule("/numbers/price", "numbers_price", price, methods=["POST"])
