"""/api/printers/{id}/queue and /sends: sheets sent to the printer's RIP hot folder."""
from __future__ import annotations

from flask.views import MethodView

from models import db
from services import rip
from web import auth, features, pagination, views
from web.blueprint import Blueprint
from web.schemas import printer_sends as schemas

blp = Blueprint("printer_sends", __name__, url_prefix="/api/printers",
                description="Sending gang sheets to a printer's RIP hot folder, and what it printed")


@blp.route("/<int:printer_id>/queue")
class Queue(MethodView):
    @auth.required()
    @features.required("print")
    @blp.arguments(schemas.QueueArgsSchema, location="query")
    @blp.response(200, schemas.PrinterSendSchema(many=True))
    @blp.paginate()
    def get(self, args, printer_id, pagination_parameters):
        """The printer's sends, newest first: pending, sent and printed sheets."""
        session = db.get_session()
        return pagination.page(session, rip.queue(session, printer_id, args.get("status")), pagination_parameters)


@blp.route("/<int:printer_id>/sends")
class Sends(MethodView):
    @auth.required("operator")
    @features.required("print")
    @blp.arguments(schemas.SendRequestSchema)
    @blp.response(202, schemas.PrinterSendSchema(many=True))
    @views.commits
    def post(self, data, printer_id):
        """Send a completed gang sheet job's sheets (all, or those listed) to the printer's hot folder."""
        return rip.send(db.get_session(), printer_id, data["print_job_id"], sheets=data.get("sheets"),
                        created_by=auth.current_user().id)


@blp.route("/<int:printer_id>/sends/<int:send_id>")
class Send(MethodView):
    @auth.required()
    @features.required("print")
    @blp.response(200, schemas.PrinterSendSchema)
    def get(self, printer_id, send_id):
        """One send."""
        return rip.get(db.get_session(), send_id, printer_id=printer_id)


def _action(name: str, doc: str, call, role: str = "operator"):
    """A POST on /sends/{send_id}/{name} calling `call(session, printer_id, send_id)`."""

    @auth.required(role)
    @features.required("print")
    @blp.response(200, schemas.PrinterSendSchema)
    @views.commits
    def post(self, printer_id, send_id):
        return call(db.get_session(), printer_id, send_id)

    post.__doc__ = doc
    view = type(f"Send{name.title().replace('-', '')}", (MethodView,), {"post": post})
    blp.route(f"/<int:printer_id>/sends/<int:send_id>/{name}")(view)


_action("resend", "Queue a failed, waiting or cancelled send again.", rip.resend)
_action("cancel", "Cancel a send that has not reached the hot folder.", rip.cancel)
_action("printed", "Mark a sent sheet printed (its orders move to printed once all their sheets are).",
        rip.mark_printed)
_action("reprint", "Print a sent or printed sheet again: a new send under a new name (audited).",
        lambda session, printer_id, send_id: rip.reprint(session, printer_id, send_id, auth.current_user().id))
