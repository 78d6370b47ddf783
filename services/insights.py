"""The numbers an owner looks at: sales per month, top designs and listings, film per day, cost per order.

Sales come from synced orders (paid, not canceled), film from finished print jobs, and cost per order from each
gang sheet job's share of film per order (its pieces' area) at the organization's film price.
"""
from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any

from sqlalchemy import BigInteger, Date, Select, and_, cast, func, or_, select, union_all
from sqlalchemy.dialects.postgresql import ARRAY
from sqlalchemy.orm import Session

from models import base, db, tenancy
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


def _when() -> Any:
    order = order_model.Order
    return func.coalesce(order.paid_at, order.etsy_created_at)


def _month(when: Any) -> Any:
    """The UTC month (a date) of a time, as the sales totals' triggers count it."""
    return cast(func.date_trunc("month", func.timezone("UTC", when)), Date)


def _sold(spans: list[tuple[dt.datetime, dt.datetime]]) -> Select:
    """Sold orders (paid, not canceled) whose time is in one of the [since, until) spans (ix_orders_org_sold_at)."""
    order = order_model.Order
    when = _when()
    return select(order).where(order.is_paid.is_(True), order.is_canceled.is_(False),
                               or_(*(and_(when >= since, when < until) for since, until in spans)))


def _months(since: dt.datetime, until: dt.datetime) -> tuple[list[tuple[dt.datetime, dt.datetime]],
                                                             tuple[dt.date, dt.date] | None]:
    """The period's partial months at its edges (read from the rows) and its whole UTC months [first, end) (read
    from the totals), if any."""
    since, until = (t.astimezone(dt.UTC) if t.tzinfo else t.replace(tzinfo=dt.UTC) for t in (since, until))
    first = since.replace(day=1, hour=0, minute=0, second=0, microsecond=0)
    if first < since:
        first = (first + dt.timedelta(days=32)).replace(day=1)
    end = until.replace(day=1, hour=0, minute=0, second=0, microsecond=0)
    if first >= end:
        return [(since, until)], None
    return [span for span in ((since, first), (end, until)) if span[0] < span[1]], (first.date(), end.date())


@db.planned_with_values()  # a period and an organization decide the best plan
def sales_by_month(session: Session, filters: dict[str, Any]) -> list[dict[str, Any]]:
    """Orders, items and revenue per UTC month (and currency): whole months from the maintained totals, the partial
    months at the period's edges from the orders themselves."""
    since, until = period(filters, 365)
    edges, whole = _months(since, until)
    parts = [_sales_rows(edges)] if edges else []
    if whole:
        totals = order_model.SalesMonthTotal
        parts.append(select(totals.month, totals.currency, totals.orders, totals.items, totals.revenue)
                     .where(totals.month >= whole[0], totals.month < whole[1]))
    return _sales(session, union_all(*parts).subquery())


def _raw_sales_by_month(session: Session, filters: dict[str, Any]) -> list[dict[str, Any]]:
    """sales_by_month read from the orders alone (what the totals must add up to; tests compare the two)."""
    return _sales(session, _sales_rows([period(filters, 365)]).subquery())


def _sales_rows(spans: list[tuple[dt.datetime, dt.datetime]]) -> Select:
    sold = _sold(spans).subquery()
    month = _month(func.coalesce(sold.c.paid_at, sold.c.etsy_created_at))
    item = order_model.OrderItem
    items = (select(item.order_id, func.sum(item.quantity).label("n")).join(sold, sold.c.id == item.order_id)
             .group_by(item.order_id).subquery())
    return (select(month.label("month"), sold.c.currency.label("currency"), func.count().label("orders"),
                   func.coalesce(func.sum(items.c.n), 0).label("items"),
                   func.coalesce(func.sum(sold.c.grandtotal), 0).label("revenue"))
            .select_from(sold).outerjoin(items, items.c.order_id == sold.c.id).group_by(month, sold.c.currency))


def _sales(session: Session, rows: Any) -> list[dict[str, Any]]:
    result = session.execute(select(rows.c.month, rows.c.currency, func.sum(rows.c.orders), func.sum(rows.c["items"]),
                                    func.sum(rows.c.revenue))
                             .group_by(rows.c.month, rows.c.currency).having(func.sum(rows.c.orders) > 0)
                             .order_by(rows.c.month, rows.c.currency))
    return [{"month": m.isoformat()[:7], "currency": currency, "orders": int(orders), "items": int(n),
             "revenue": str(Decimal(revenue).quantize(Decimal("0.01")))} for m, currency, orders, n, revenue in result]


@db.planned_with_values()  # a period and an organization decide the best plan
def top_designs(session: Session, filters: dict[str, Any]) -> list[dict[str, Any]]:
    """Designs by pieces sold: whole months from the maintained totals, the partial months at the period's edges
    from the items themselves."""
    since, until = period(filters, 365)
    edges, whole = _months(since, until)
    item = order_model.OrderItem
    parts = [_key_rows(item.design_file_id, edges)] if edges else []
    if whole:
        totals = order_model.DesignMonthTotal
        parts.append(select(totals.design_file_id.label("key"), totals.pieces, totals.orders)
                     .where(totals.month >= whole[0], totals.month < whole[1]))
    rows, design = union_all(*parts).subquery(), file_model.File
    # Summed per design first, then each (a few hundred at most) looked up by id for its name.
    sums = (select(rows.c.key, func.sum(rows.c.pieces).label("pieces"), func.sum(rows.c.orders).label("orders"))
            .group_by(rows.c.key).having(func.sum(rows.c.orders) > 0).subquery())
    result = session.execute(select(sums.c.key, design.filename, sums.c.pieces, sums.c.orders)
                             .join(design, design.id == sums.c.key).order_by(sums.c.pieces.desc(), sums.c.key)
                             .limit(filters["limit"]))
    return [{"design_file_id": file_id, "filename": name, "pieces": int(pieces), "orders": int(orders)}
            for file_id, name, pieces, orders in result]


def _raw_top_designs(session: Session, filters: dict[str, Any]) -> list[dict[str, Any]]:
    """top_designs read from the items alone (what the totals must add up to; tests compare the two)."""
    since, until = period(filters, 365)
    sold = _sold([(since, until)]).subquery()
    item, design = order_model.OrderItem, file_model.File
    result = session.execute(select(item.design_file_id, design.filename, func.sum(item.quantity),
                                    func.count(func.distinct(item.order_id)))
                             .join(sold, sold.c.id == item.order_id).join(design, design.id == item.design_file_id)
                             .group_by(item.design_file_id, design.filename)
                             .order_by(func.sum(item.quantity).desc(), item.design_file_id).limit(filters["limit"]))
    return [{"design_file_id": file_id, "filename": name, "pieces": int(pieces), "orders": orders}
            for file_id, name, pieces, orders in result]


def _key_rows(key: Any, spans: list[tuple[dt.datetime, dt.datetime]]) -> Select:
    """Pieces and orders per listing or design (`key`) of the items sold in the spans."""
    sold = _sold(spans).subquery()
    item = order_model.OrderItem
    return (select(key.label("key"), func.sum(item.quantity).label("pieces"),
                   func.count(func.distinct(item.order_id)).label("orders"))
            .join(sold, sold.c.id == item.order_id).where(key.is_not(None)).group_by(key))


@db.planned_with_values()  # a period and an organization decide the best plan
def top_listings(session: Session, filters: dict[str, Any]) -> list[dict[str, Any]]:
    """Etsy listings by pieces sold, with their titles: whole months from the maintained totals, the partial months
    at the period's edges from the items themselves; titles read for the listings shown only."""
    since, until = period(filters, 365)
    edges, whole = _months(since, until)
    parts = [_key_rows(order_model.OrderItem.listing_id, edges)] if edges else []
    if whole:
        totals = order_model.ListingMonthTotal
        parts.append(select(totals.listing_id.label("key"), totals.pieces, totals.orders)
                     .where(totals.month >= whole[0], totals.month < whole[1]))
    rows = union_all(*parts).subquery()
    pieces = func.sum(rows.c.pieces)
    top = session.execute(select(rows.c.key, pieces, func.sum(rows.c.orders)).group_by(rows.c.key)
                          .having(func.sum(rows.c.orders) > 0).order_by(pieces.desc(), rows.c.key)
                          .limit(filters["limit"])).all()
    titles = _titles(session, [listing_id for listing_id, _, _ in top], since, until)
    return [{"listing_id": listing_id, "title": titles.get(listing_id), "pieces": int(pieces), "orders": int(orders)}
            for listing_id, pieces, orders in top]


def _raw_top_listings(session: Session, filters: dict[str, Any]) -> list[dict[str, Any]]:
    """top_listings read from the items alone (what the totals must add up to; tests compare the two)."""
    since, until = period(filters, 365)
    sold = _sold([(since, until)]).subquery()
    item = order_model.OrderItem
    result = session.execute(select(item.listing_id, func.max(item.title), func.sum(item.quantity),
                                    func.count(func.distinct(item.order_id)))
                             .join(sold, sold.c.id == item.order_id).where(item.listing_id.is_not(None))
                             .group_by(item.listing_id)
                             .order_by(func.sum(item.quantity).desc(), item.listing_id).limit(filters["limit"]))
    return [{"listing_id": listing_id, "title": title, "pieces": int(pieces), "orders": orders}
            for listing_id, title, pieces, orders in result]


def _titles(session: Session, listing_ids: list[int], since: dt.datetime, until: dt.datetime) -> dict[int, str]:
    """Each listing's greatest title among its items sold in [since, until) (max(title)), read from the greatest
    title down until one is in the period (ix_order_items_org_listing_title)."""
    if not listing_ids:
        return {}
    item, order = order_model.OrderItem, order_model.Order
    wanted = func.unnest(cast(listing_ids, ARRAY(BigInteger))).table_valued("listing_id").render_derived()
    when = _when()
    title = (select(item.title).join(order, order.id == item.order_id)
             .where(item.listing_id == wanted.c.listing_id, item.title.is_not(None), order.is_paid.is_(True),
                    order.is_canceled.is_(False), when >= since, when < until)
             .order_by(item.title.desc()).limit(1).correlate(wanted).scalar_subquery())
    return {listing_id: name for listing_id, name in session.execute(select(wanted.c.listing_id, title))
            if name is not None}


@db.planned_with_values()  # a period and an organization decide the best plan
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


@db.planned_with_values()  # a period and an organization decide the best plan
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
