"""The numbers an owner looks at: sales per month, top designs and listings, film per day, cost per order.

Sales come from synced orders (paid, not canceled), film from finished print jobs, and cost per order from each
gang sheet job's share of film per order (its pieces' area) at the organization's film price.
"""
from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any

from sqlalchemy import Select, func, select
from sqlalchemy.orm import Session

from models import base, tenancy
from models import file as file_model
from models import order as order_model
from models import organization as org_model
from models import print_job as job_model
from services import rows

FILM_JOBS = ("gang_sheets", "print_files")


def period(filters: dict[str, Any], default_days: int) -> tuple[dt.datetime, dt.datetime]:
    """The filters' [since, until), by default the last `default_days` days."""
    until = filters.get("until") or base.utcnow()
    return filters.get("since") or until - dt.timedelta(days=default_days), until


def _sold(since: dt.datetime, until: dt.datetime) -> Select:
    order = order_model.Order
    when = func.coalesce(order.paid_at, order.etsy_created_at)
    return select(order).where(order.is_paid.is_(True), order.is_canceled.is_(False), when >= since, when < until)


def sales_by_month(session: Session, filters: dict[str, Any]) -> list[dict[str, Any]]:
    """Orders, items and revenue per month (and currency)."""
    since, until = period(filters, 365)
    sold = _sold(since, until).subquery()
    month = func.date_trunc("month", func.coalesce(sold.c.paid_at, sold.c.etsy_created_at))
    items = (select(order_model.OrderItem.order_id, func.sum(order_model.OrderItem.quantity).label("n"))
             .group_by(order_model.OrderItem.order_id).subquery())
    result = session.execute(select(month, sold.c.currency, func.count(), func.coalesce(func.sum(items.c.n), 0),
                                    func.coalesce(func.sum(sold.c.grandtotal), 0))
                             .select_from(sold).outerjoin(items, items.c.order_id == sold.c.id)
                             .group_by(month, sold.c.currency).order_by(month, sold.c.currency))
    return [{"month": m.date().isoformat()[:7], "currency": currency, "orders": orders, "items": int(n),
             "revenue": str(Decimal(revenue).quantize(Decimal("0.01")))} for m, currency, orders, n, revenue in result]


def top_designs(session: Session, filters: dict[str, Any]) -> list[dict[str, Any]]:
    """Designs by pieces sold."""
    since, until = period(filters, 365)
    sold = _sold(since, until).subquery()
    item, design = order_model.OrderItem, file_model.File
    result = session.execute(select(item.design_file_id, design.filename, func.sum(item.quantity),
                                    func.count(func.distinct(item.order_id)))
                             .join(sold, sold.c.id == item.order_id).join(design, design.id == item.design_file_id)
                             .group_by(item.design_file_id, design.filename)
                             .order_by(func.sum(item.quantity).desc(), item.design_file_id).limit(filters["limit"]))
    return [{"design_file_id": file_id, "filename": name, "pieces": int(pieces), "orders": orders}
            for file_id, name, pieces, orders in result]


def top_listings(session: Session, filters: dict[str, Any]) -> list[dict[str, Any]]:
    """Etsy listings by pieces sold, with their titles."""
    since, until = period(filters, 365)
    sold = _sold(since, until).subquery()
    item = order_model.OrderItem
    result = session.execute(select(item.listing_id, func.max(item.title), func.sum(item.quantity),
                                    func.count(func.distinct(item.order_id)))
                             .join(sold, sold.c.id == item.order_id).where(item.listing_id.is_not(None))
                             .group_by(item.listing_id)
                             .order_by(func.sum(item.quantity).desc(), item.listing_id).limit(filters["limit"]))
    return [{"listing_id": listing_id, "title": title, "pieces": int(pieces), "orders": orders}
            for listing_id, title, pieces, orders in result]


def film_by_day(session: Session, filters: dict[str, Any]) -> dict[str, Any]:
    """Inches of film printed per day by finished jobs, and what it cost at the film price."""
    since, until = period(filters, 30)
    job = job_model.PrintJob
    day = func.date_trunc("day", job.finished_at)
    result = session.execute(select(day, func.count(), func.sum(job.output_length_in)).where(
        job.job_type.in_(FILM_JOBS), job.status == "completed", job.output_length_in.is_not(None),
        job.finished_at >= since, job.finished_at < until).group_by(day).order_by(day))
    price, currency = _price(session)
    days = [{"day": d.date().isoformat(), "jobs": jobs, "film_in": float(inches),
             "film_cost": _cost(float(inches), price)} for d, jobs, inches in result]
    return {"price_per_inch": float(price) if price is not None else None, "currency": currency, "days": days}


def cost_per_order(session: Session, filters: dict[str, Any]) -> dict[str, Any]:
    """Film per order (each gang sheet's film shared by its orders' piece area) and its cost, over the period."""
    since, until = period(filters, 30)
    job = job_model.PrintJob
    results = session.scalars(select(job.result).where(
        job.job_type == "gang_sheets", job.status == "completed", job.finished_at >= since,
        job.finished_at < until))
    film: dict[int, float] = {}
    for result in results:
        for share in (result or {}).get("orders") or []:
            film[share["order_id"]] = film.get(share["order_id"], 0.0) + float(share["film_in"])
    price, currency = _price(session)
    total = sum(film.values())
    count = len(film)
    return {"orders": count, "film_in": round(total, 3), "film_cost": _cost(total, price), "currency": currency,
            "average_film_in": round(total / count, 3) if count else None,
            "average_cost": _cost(total / count, price) if count else None,
            "price_per_inch": float(price) if price is not None else None}


def _price(session: Session) -> tuple[Decimal | None, str | None]:
    org = rows.get(session, org_model.Organization, tenancy.current_org() or 0, "Organization")
    settings = org.settings or {}
    price = settings.get("film_price_per_inch")
    return (Decimal(str(price)) if price is not None else None), settings.get("currency")


def _cost(inches: float, price: Decimal | None) -> float | None:
    return float((Decimal(str(inches)) * price).quantize(Decimal("0.01"))) if price is not None else None
