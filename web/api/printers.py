"""/api/printers: the caller's organization's printers, their default, capability checks, stats and suggestions."""
from __future__ import annotations

from flask.views import MethodView
from flask_smorest import Blueprint

from models import db, printer_ops, printer_suggestions
from web import auth, pagination
from web.schemas import printers as schemas

blp = Blueprint("printers", __name__, url_prefix="/api/printers",
                description="Printers of the caller's organization (one default per organization)")


@blp.route("/")
class Printers(MethodView):
    @auth.required()
    @blp.arguments(schemas.PrinterQueryArgsSchema, location="query")
    @blp.response(200, schemas.PrinterSchema(many=True))
    @blp.paginate()
    def get(self, args, pagination_parameters):
        """Printers by type, active flag and name."""
        return pagination.page(db.get_session(), printer_ops.search(args), pagination_parameters)

    @auth.required("admin")
    @blp.arguments(schemas.PrinterCreateSchema)
    @blp.response(201, schemas.PrinterSchema)
    def post(self, data):
        """Add a printer (the organization's first active printer becomes the default)."""
        session = db.get_session()
        row = printer_ops.create(session, data)
        session.commit()
        return row


@blp.route("/<int:printer_id>")
class Printer(MethodView):
    @auth.required()
    @blp.response(200, schemas.PrinterSchema)
    def get(self, printer_id):
        """One printer."""
        return printer_ops.get(db.get_session(), printer_id)

    @auth.required("admin")
    @blp.arguments(schemas.PrinterUpdateSchema)
    @blp.response(200, schemas.PrinterSchema)
    def patch(self, data, printer_id):
        """Change a printer; deactivating or unsetting the default hands it to the oldest other active printer."""
        session = db.get_session()
        row = printer_ops.update(session, printer_ops.get(session, printer_id), data)
        session.commit()
        return row

    @auth.required("admin")
    @blp.response(204)
    def delete(self, printer_id):
        """Delete a printer (its jobs stay); the oldest other active printer takes over as default."""
        session = db.get_session()
        printer_ops.delete(session, printer_ops.get(session, printer_id))
        session.commit()


@blp.route("/<int:printer_id>/check-capability")
class CheckCapability(MethodView):
    @auth.required()
    @blp.arguments(schemas.SheetSchema)
    @blp.response(200, schemas.CapabilitySchema)
    def post(self, sheet, printer_id):
        """Whether a sheet (width x length at a DPI) fits the printer, and why not."""
        row = printer_ops.get(db.get_session(), printer_id)
        return printer_ops.check(row, sheet["width_in"], sheet["length_in"], sheet["dpi"])


@blp.route("/<int:printer_id>/set-default")
class SetDefault(MethodView):
    @auth.required("admin")
    @blp.response(200, schemas.PrinterSchema)
    def post(self, printer_id):
        """Make the printer the organization's one default."""
        session = db.get_session()
        row = printer_ops.set_default(session, printer_id)
        session.commit()
        return row


@blp.route("/compatible/find")
class Compatible(MethodView):
    @auth.required()
    @blp.arguments(schemas.CompatibleQueryArgsSchema, location="query")
    @blp.response(200, schemas.PrinterSchema(many=True))
    def get(self, args):
        """Active printers that fit the sheet, the default first, then the narrowest."""
        return printer_ops.compatible(db.get_session(), args["width_in"], args.get("length_in"), args.get("dpi"))


@blp.route("/default/get")
class Default(MethodView):
    @auth.required()
    @blp.response(200, schemas.PrinterSchema)
    def get(self):
        """The organization's default printer."""
        return printer_ops.default(db.get_session())


@blp.route("/stats/summary")
class Stats(MethodView):
    @auth.required()
    @blp.response(200, schemas.PrinterStatsSummarySchema)
    def get(self):
        """Jobs by status and film printed (completed jobs) per printer."""
        return printer_ops.stats(db.get_session())


@blp.route("/suggestions/config")
class Suggestions(MethodView):
    @auth.required()
    @blp.response(200, schemas.SuggestionsSchema)
    def get(self):
        """Printer presets, DPI options and the widths and DPIs the organization uses most."""
        return printer_suggestions.suggestions(db.get_session())
