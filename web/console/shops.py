"""Shops: connect an Etsy shop (the OAuth callback sends the browser to the confirmation page here), sync status,
sync now, disconnect."""
from __future__ import annotations

from flask import Blueprint, flash, redirect, request, url_for

from models import db, errors
from services import features as feature_flags
from services import organizations, shops
from web import features, views
from web.console import pages, session


@session.required()
@features.required("etsy_sync")
def shop_list():
    return pages.render("shops.html", shops=db.get_session().scalars(shops.search().limit(200)).all())


@session.required("admin")
@features.required("etsy_sync")
@pages.commits
def connect():
    """Start connecting: the browser goes to Etsy, which sends it back to the callback, then to the confirmation."""
    me = session.current()
    assert me is not None
    started = shops.start_connect(db.get_session(), views.settings(), org_id=session.org_id(), user_id=me.id,
                                  scopes=list(shops.DEFAULT_SCOPES))
    return redirect(started["authorization_url"])


def confirm(confirmation: str):
    """Only the member who started the connection, signed in, stores the shop; anyone else is refused."""
    me = session.current()
    if me is None:
        return redirect(url_for("console.sign_in", next=request.path))
    dbs = db.get_session()
    feature_flags.require(dbs, "etsy_sync")
    if request.method == "POST":
        try:
            shop = shops.confirm_connect(dbs, views.settings(), confirmation, user_id=me.id,
                                         org_id=session.org_id())
        except (errors.Conflict, errors.Invalid) as exc:
            dbs.rollback()
            flash(exc.message, "error")
            return redirect(url_for("console.shops"))
        dbs.commit()
        flash(f"Connected the Etsy shop {shop.name}. Orders sync every {shop.sync_interval_minutes} minutes.", "ok")
        return redirect(url_for("console.shops"))
    try:
        attempt = shops.awaiting(dbs, confirmation, me.id, session.org_id())
    except errors.Forbidden as exc:
        return pages.render("shop_refused.html", 403, message=exc.message)
    return pages.render("shop_confirm.html", attempt=attempt, confirmation=confirmation,
                        organization=organizations.get(dbs, session.org_id()))


@session.required("operator")
@features.required("etsy_sync")
@pages.commits
def sync(shop_id: int):
    me = session.current()
    assert me is not None
    job = shops.sync_now(db.get_session(), shop_id, full=False, created_by=me.id)
    flash(f"Sync queued as job #{job.id}.", "ok")
    return redirect(url_for("console.shops"))


@session.required("admin")
@features.required("etsy_sync")
@pages.commits
def disconnect(shop_id: int):
    shops.disconnect(db.get_session(), shop_id)
    flash("Disconnected: its tokens are destroyed; orders and history are kept.", "ok")
    return redirect(url_for("console.shops"))


def register(blp: Blueprint) -> None:
    blp.add_url_rule("/shops", "shops", shop_list)
    blp.add_url_rule("/shops/connect", "shop_connect", connect, methods=["POST"])
    blp.add_url_rule("/shops/confirm/<confirmation>", "shop_confirm", confirm, methods=["GET", "POST"])
    blp.add_url_rule("/shops/<int:shop_id>/sync", "shop_sync", sync, methods=["POST"])
    blp.add_url_rule("/shops/<int:shop_id>/disconnect", "shop_disconnect", disconnect, methods=["POST"])
