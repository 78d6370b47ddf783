"""/api/printers: the caller's organization's printers, their default, capability checks, stats and suggestions."""
from __future__ import annotations

from flask.views import MethodView

from models import db
from services import printer_suggestions, printers
from web import auth, features, pagination, views
from web.blueprint import Blueprint
from web.schemas import printers as schemas

blp = Blueprint("printers", __name__, url_prefix="/api/printers",
                description="Printers of the caller's organization (one default per organization)")


@blp.route("/")
class Printers(MethodView):
    @auth.required()
    @features.required("print")
    @blp.arguments(schemas.PrinterQueryArgsSchema, location="query")
    @blp.response(200, schemas.PrinterSchema(many=True))
    @blp.paginate()
    def get(self, args, pagination_parameters):
        """Printers by type, active flag and name."""
        return pagination.page(db.get_session(), printers.search(args), pagination_parameters)

    @auth.required("admin")
    @features.required("print")
    @blp.arguments(schemas.PrinterCreateSchema)
    @blp.response(201, schemas.PrinterSchema)
    @views.commits
    def post(self, data):
        """Add a printer (the organization's first active printer becomes the default)."""
        return printers.create(db.get_session(), data)


@blp.route("/<int:printer_id>")
class Printer(MethodView):
    @auth.required()
    @features.required("print")
    @blp.response(200, schemas.PrinterSchema)
    def get(self, printer_id):
        """One printer."""
        return printers.get(db.get_session(), printer_id)

    @auth.required("admin")
    @features.required("print")
    @blp.arguments(schemas.PrinterUpdateSchema)
    @blp.response(200, schemas.PrinterSchema)
    @views.commits
    def patch(self, data, printer_id):
        """Change a printer; deactivating or unsetting the default hands it to the oldest other active printer."""
        session = db.get_session()
        return printers.update(session, printers.get(session, printer_id), data)

    put = patch  # the deployment guide's clients update with PUT

    @auth.required("admin")
    @features.required("print")
    @blp.response(204)
    @views.commits
    def delete(self, printer_id):
        """Delete a printer (its jobs stay); the oldest other active printer takes over as default."""
        session = db.get_session()
        printers.delete(session, printers.get(session, printer_id))


@blp.route("/<int:printer_id>/check-capability")
class CheckCapability(MethodView):
    @auth.required()
    @features.required("print")
    @blp.arguments(schemas.SheetSchema)
    @blp.response(200, schemas.CapabilitySchema)
    def post(self, sheet, printer_id):
        """Whether a sheet (width x length at a DPI) fits the printer, and why not."""
        return printers.check(db.get_session(), printer_id, sheet["width_in"], sheet["length_in"], sheet["dpi"])


@blp.route("/<int:printer_id>/set-default")
class SetDefault(MethodView):
    @auth.required("admin")
    @features.required("print")
    @blp.response(200, schemas.PrinterSchema)
    @views.commits
    def post(self, printer_id):
        """Make the printer the organization's one default."""
        return printers.set_default(db.get_session(), printer_id)


@blp.route("/compatible/find")
class Compatible(MethodView):
    @auth.required()
    @features.required("print")
    @blp.arguments(schemas.CompatibleQueryArgsSchema, location="query")
    @blp.response(200, schemas.PrinterSchema(many=True))
    def get(self, args):
        """Active printers that fit the sheet, the default first, then the narrowest."""
        return printers.compatible(db.get_session(), args["width_in"], args.get("length_in"), args.get("dpi"))


@blp.route("/default/get")
class Default(MethodView):
    @auth.required()
    @features.required("print")
    @blp.response(200, schemas.PrinterSchema)
    def get(self):
        """The organization's default printer."""
        return printers.default(db.get_session())


@blp.route("/stats/summary")
class Stats(MethodView):
    @auth.required()
    @features.required("print")
    @features.required("analytics")
    @blp.response(200, schemas.PrinterStatsSummarySchema)
    def get(self):
        """Jobs by status and film printed (completed jobs) per printer."""
        return printers.stats(db.get_session())


@blp.route("/suggestions/config")
class Suggestions(MethodView):
    @auth.required()
    @features.required("print")
    @blp.response(200, schemas.SuggestionsSchema)
    def get(self):
        """Printer presets, DPI options and the widths and DPIs the organization uses most."""
        return printer_suggestions.suggestions(db.get_session())
