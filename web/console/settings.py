"""Settings: printers, templates and sizes, members and roles, feature flags, the audit log and its export."""
from __future__ import annotations

from flask import Blueprint, flash, redirect, request, url_for

from models import db
from models import printer as printer_model
from models import user as user_model
from services import events, features, members, organizations, printers, templates
from web import export
from web import features as gates
from web.console import pages, session
from web.schemas import members as member_schemas
from web.schemas import printers as printer_schemas
from web.schemas import templates as template_schemas


@session.required()
def settings():
    dbs = db.get_session()
    return pages.render(
        "settings.html", printers=dbs.scalars(printers.search({}).limit(100)).all(),
        templates=dbs.scalars(templates.search({}).limit(100)).all(),
        members=dbs.scalars(members.search({}).limit(200)).all(), roles=user_model.ROLES,
        flags=organizations.features(dbs, session.org_id()), meanings=features.MEANINGS,
        printer_types=printer_model.PRINTER_TYPES)


@session.required("admin")
@gates.required("print")
@pages.commits
def add_printer():
    form = {k: v for k, v in request.form.items() if k in ("name", "printer_type", "max_width_in", "dpi") and v}
    if "dpi" in form:
        form["dpi"] = int(form["dpi"]) if form["dpi"].isdigit() else form["dpi"]
    row = printers.create(db.get_session(), printer_schemas.PrinterCreateSchema().load(form))
    flash(f"Printer {row.name} added.", "ok")
    return redirect(url_for("console.settings") + "#printers")


def _number(value: str | None) -> float | str | None:
    """A form's number as the schemas read JSON numbers (what is no number stays, and is named by the schema)."""
    try:
        number = float(value or "")
    except ValueError:
        return value
    return int(number) if number.is_integer() else number


@session.required("admin")
@pages.commits
def add_template():
    """A template: its name, product and canvas (sizes are added one by one below it)."""
    form = request.form
    data = template_schemas.TemplateCreateSchema().load({
        "name": form.get("name", ""), **({"product_type": form["product_type"]} if form.get("product_type") else {}),
        "canvas": {"width_in": _number(form.get("width_in")), "height_in": _number(form.get("height_in")),
                   "dpi": _number(form.get("dpi") or "300")}})
    row = templates.create(db.get_session(), data)
    flash(f"Template {row.name} added; now add its sizes.", "ok")
    return redirect(url_for("console.settings") + "#templates")


@session.required("admin")
@pages.commits
def add_size():
    form = request.form
    data = template_schemas.SizeSchema().load({"name": form.get("name", ""), "width_in": _number(form.get("width_in")),
                                               "height_in": _number(form.get("height_in"))})
    size = templates.add_size(db.get_session(), request.form.get("template_id", 0, type=int), data)
    flash(f"Size {size.name} added.", "ok")
    return redirect(url_for("console.settings") + "#templates")


@session.required("admin")
@pages.commits
def add_member():
    me = session.current()
    assert me is not None
    form = {k: v for k, v in request.form.items() if k in ("email", "password", "role", "full_name") and v}
    row = members.add(db.get_session(), me, session.org_id(), member_schemas.MemberCreateSchema().load(form))
    flash(f"{row.email} joined as {row.role}.", "ok")
    return redirect(url_for("console.settings") + "#members")


@session.required("admin")
@pages.commits
def set_role(user_id: int):
    me = session.current()
    assert me is not None
    data = member_schemas.MemberUpdateSchema().load({"role": request.form.get("role", "")})
    row = members.update(db.get_session(), me, user_id, data)
    flash(f"{row.email} is now {row.role}.", "ok")
    return redirect(url_for("console.settings") + "#members")


@session.required("admin")
@pages.commits
def set_features():
    """Checked boxes are on, the others off."""
    on = set(request.form.getlist("flag"))
    organizations.set_features(db.get_session(), session.org_id(),
                               {name: name in on for name in features.MEANINGS})
    flash("Feature flags saved.", "ok")
    return redirect(url_for("console.settings") + "#features")


@session.required("admin")
def audit():
    level = request.args.get("level") or None
    stmt = events.search({"level": level if level in ("info", "warning", "error") else None,
                          "event_type": request.args.get("event_type") or None})
    return pages.render("audit.html", page=pages.Page(stmt), level=level or "",
                        event_type=request.args.get("event_type", ""))


@session.required("admin")
def audit_export():
    return export.events_response(session.org_id(), {"format": "csv"})


def register(blp: Blueprint) -> None:
    blp.add_url_rule("/settings", "settings", settings)
    blp.add_url_rule("/settings/printers", "printer_add", add_printer, methods=["POST"])
    blp.add_url_rule("/settings/templates", "template_add", add_template, methods=["POST"])
    blp.add_url_rule("/settings/templates/sizes", "size_add", add_size, methods=["POST"])
    blp.add_url_rule("/settings/members", "member_add", add_member, methods=["POST"])
    blp.add_url_rule("/settings/members/<int:user_id>/role", "member_role", set_role, methods=["POST"])
    blp.add_url_rule("/settings/features", "features", set_features, methods=["POST"])
    blp.add_url_rule("/settings/audit", "audit", audit)
    blp.add_url_rule("/settings/audit.csv", "audit_export", audit_export)
