"""Orders with their items and production state; unmatched items with suggestions, match (saves the rule) and
produce now."""
from __future__ import annotations

from flask import Blueprint, flash, redirect, request, url_for

from models import db
from services import files, orders, shops, templates, today
from web import features
from web.console import pages, session
from web.schemas import orders as order_schemas


@session.required()
@features.required("orders")
def order_list():
    waiting = request.args.get("state", "")
    stmt = orders.search({"q": request.args.get("q", "").strip() or None,
                          "shop_id": request.args.get("shop_id", type=int)})
    if waiting in today.WAITING:
        stmt = today.orders_waiting(stmt, waiting)
    page = pages.Page(stmt)
    states = today.order_states(db.get_session(), [o.id for o in page.rows])
    return pages.render("orders.html", page=page, states=states, state=waiting, q=request.args.get("q", ""))


@session.required()
@features.required("orders")
def order(order_id: int):
    return pages.render("order.html", order=orders.detail(db.get_session(), order_id))


@session.required()
@features.required("orders")
def unmatched():
    dbs = db.get_session()
    stmt, total = orders.unmatched()
    page = pages.Page(stmt, size=20, total=total)
    items = orders.with_suggestions(dbs, page.rows)
    owners = orders.by_ids(dbs, {i.order_id for i in page.rows})
    recent = dbs.scalars(files.search({"file_type": "designs"}).limit(200)).all()
    return pages.render("unmatched.html", page=page, items=items, orders=owners, designs=recent,
                        templates=dbs.scalars(templates.search({}).limit(100)).all(),
                        shops={s.id: s for s in dbs.scalars(shops.search().limit(100))})


@session.required("operator")
@features.required("orders")
@pages.commits
def match(item_id: int):
    form = {k: v for k, v in request.form.items() if k == "scope" and v}
    # A suggestion's radio button, or the list after it when the operator picked another design there.
    # A typed pick reads "12 · fox.png" (the design list's value): its number is the design.
    picked = [v.split("·", 1)[0].strip() for v in request.form.getlist("design_file_id") if v.strip()]
    if picked:
        form["design_file_id"] = picked[-1]
    # The size picker's value is "template_id:size_id" (sizes are grouped by template).
    template_id, _, size_id = request.form.get("size", "").partition(":")
    if template_id and size_id:
        form.update(template_id=template_id, size_id=size_id)
    data = order_schemas.MatchSchema().load(form)
    result = orders.match(db.get_session(), item_id, data)
    also = f" and {result['also_matched']} other item(s) by the saved rule" if result["also_matched"] else ""
    flash(f"Matched item {item_id}{also}.", "ok")
    return redirect(pages.back(url_for("console.unmatched")))


@session.required("operator")
@features.required("orders")
@pages.commits
def produce():
    me = session.current()
    assert me is not None
    ids = [int(i) for i in request.form.getlist("order_id") if i.isdigit()]
    data = order_schemas.ProduceSchema().load({"order_ids": ids})
    result = orders.produce(db.get_session(), data["order_ids"], me.id)
    skipped = "; ".join(s["reason"] for s in result["skipped"][:3])
    if result["jobs"]:
        flash(f"Queued {len(result['jobs'])} gang sheet job(s) with {result['items']} item(s)."
              + (f" Skipped: {skipped}" if skipped else ""), "ok")
        return redirect(url_for("console.job", job_id=result["jobs"][0]))
    flash("Nothing to produce" + (f": {skipped}" if skipped else ": no matched items waiting."), "error")
    return redirect(pages.back(url_for("console.orders")))


def register(blp: Blueprint) -> None:
    blp.add_url_rule("/orders", "orders", order_list)
    blp.add_url_rule("/orders/<int:order_id>", "order", order)
    blp.add_url_rule("/orders/unmatched", "unmatched", unmatched)
    blp.add_url_rule("/orders/items/<int:item_id>/match", "match", match, methods=["POST"])
    blp.add_url_rule("/orders/produce", "produce", produce, methods=["POST"])
