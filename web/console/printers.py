"""Printers and their RIP hot folders: output settings, each printer's queue of sent and printed sheets, sending a
gang sheet job, and resend, cancel, printed and reprint (services.rip does the work, as for the API)."""
from __future__ import annotations

from flask import Blueprint, flash, redirect, request, url_for

from models import db
from models import printer as printer_model
from models import printer_send as send_model
from services import printers, rip
from web import features as gates
from web.console import pages, session
from web.schemas import printers as printer_schemas

FOLDERS = ("hot_folder", "processed_folder")
CHOICES = ("output_format", "file_name_pattern")
SWITCHES = ("mirror", "job_ticket", "auto_send")


@session.required()
@gates.required("print")
def printer(printer_id: int):
    """One printer: its output settings and its queue (a status narrows it)."""
    dbs = db.get_session()
    row = printers.get(dbs, printer_id)
    status = request.args.get("status") or None
    if status not in (None, *send_model.STATUSES):
        status = None
    return pages.render("printer.html", printer=row, page=pages.Page(rip.queue(dbs, printer_id, status)),
                        status=status, statuses=send_model.STATUSES, formats=printer_model.OUTPUT_FORMATS)


@session.required("admin")
@gates.required("print")
@pages.commits
def output(printer_id: int):
    """Save the output settings; a hot folder outside the storage root or missing is refused here, not at send."""
    form = request.form
    # A blank folder clears it; a blank format or pattern keeps what is saved.
    data: dict[str, object] = {k: form.get(k, "").strip() or None for k in FOLDERS}
    data.update({k: form[k].strip() for k in CHOICES if form.get(k, "").strip()})
    data.update({k: form.get(k) == "on" for k in SWITCHES})
    dbs = db.get_session()
    printers.update(dbs, printers.get(dbs, printer_id), printer_schemas.PrinterUpdateSchema().load(data))
    flash("Output settings saved.", "ok")
    return redirect(url_for("console.printer", printer_id=printer_id))


@session.required("operator")
@gates.required("print")
@pages.commits
def send_job(job_id: int):
    """Send a completed gang sheet job's sheets to the chosen printer's hot folder."""
    printer_id = request.form.get("printer_id", type=int)
    if not printer_id:
        flash("Choose a printer first.", "error")
        return redirect(url_for("console.job", job_id=job_id))
    made = rip.send(db.get_session(), printer_id, job_id, created_by=session.current().id)
    flash(f"{len(made)} sheet(s) queued for the printer's hot folder.", "ok")
    return redirect(url_for("console.printer", printer_id=printer_id))


def _action(name: str, call, done: str):
    @session.required("operator")
    @gates.required("print")
    @pages.commits
    def view(printer_id: int, send_id: int):
        call(db.get_session(), printer_id, send_id)
        flash(done, "ok")
        return redirect(pages.back(url_for("console.printer", printer_id=printer_id)))

    view.__name__ = f"send_{name}"
    return view


_ACTIONS = {
    "resend": _action("resend", rip.resend, "Queued again."),
    "cancel": _action("cancel", rip.cancel, "Send cancelled."),
    "printed": _action("printed", rip.mark_printed, "Marked printed."),
    "reprint": _action("reprint", lambda dbs, p, s: rip.reprint(dbs, p, s, session.current().id),
                       "Reprint queued (recorded in the audit log)."),
}


def register(blp: Blueprint) -> None:
    blp.add_url_rule("/printers/<int:printer_id>", "printer", printer)
    blp.add_url_rule("/printers/<int:printer_id>/output", "printer_output", output, methods=["POST"])
    blp.add_url_rule("/jobs/<int:job_id>/send", "job_send", send_job, methods=["POST"])
    for name, view in _ACTIONS.items():
        blp.add_url_rule(f"/printers/<int:printer_id>/sends/<int:send_id>/{name}", f"send_{name}", view,
                         methods=["POST"])
