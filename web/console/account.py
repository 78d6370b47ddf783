"""Sign in, sign up, sign out, and a superuser's switch of organization."""
from __future__ import annotations

from flask import Blueprint, flash, redirect, request, url_for

from models import db, errors
from services import accounts, organizations
from web import auth
from web.console import pages, session
from web.schemas import auth as auth_schemas


def sign_in():
    """The sign-in form; a wrong password shows the form again with the reason."""
    target = session.safe_next(request.values.get("next"))
    if session.current() is not None and request.method == "GET":
        return redirect(target)
    error, email = None, request.form.get("email", "")
    if request.method == "POST":
        try:
            session.sign_in(email, request.form.get("password", ""))
            return redirect(target)
        except (errors.Unauthorized, errors.TooManyRequests) as exc:
            db.get_session().rollback()
            error = exc.message
    return pages.render("sign_in.html", 401 if error else 200, error=error, email=email,
                        next=request.values.get("next", ""))


def sign_up():
    """A new organization and its owner, signed in at once."""
    error, form = None, request.form
    if request.method == "POST":
        auth.throttle("sign-up")
        data = auth_schemas.RegisterSchema().load({
            key: form.get(key, "") for key in ("email", "password", "organization_name", "full_name")
            if key != "full_name" or form.get(key)})
        dbs = db.get_session()
        try:
            org = organizations.create(dbs, name=data["organization_name"], shop_name=data.get("shop_name"))
            auth.enter_org(org.id)
            user = accounts.register_owner(dbs, org, data)
            dbs.commit()
        except errors.Conflict as exc:
            dbs.rollback()
            error = exc.message
        else:
            session.begin(user)
            flash(f"Welcome! {org.name} is ready.", "ok")
            return redirect(url_for("console.today"))
    return pages.render("sign_up.html", 409 if error else 200, error=error, form=form)


def sign_out():
    """Forget the session."""
    session.sign_out()
    flash("You are signed out.", "ok")
    return redirect(url_for("console.sign_in"))


@session.required()
def switch_org():
    """Superusers act in any organization; members see their own."""
    me = session.current()
    assert me is not None
    if request.method == "POST":
        session.switch_org(int(request.form.get("org_id", "0") or 0))
        return redirect(url_for("console.today"))
    orgs = db.get_session().scalars(organizations.search(me, {}).limit(500)).all()
    return pages.render("switch_org.html", orgs=orgs)


def register(blp: Blueprint) -> None:
    blp.add_url_rule("/sign-in", "sign_in", sign_in, methods=["GET", "POST"])
    blp.add_url_rule("/sign-up", "sign_up", sign_up, methods=["GET", "POST"])
    blp.add_url_rule("/sign-out", "sign_out", sign_out, methods=["POST"])
    blp.add_url_rule("/organization", "switch_org", switch_org, methods=["GET", "POST"])
