"""/api/organizations/{org_id}/gang-sheets/layout: a synchronous layout preview (data or picture), preflight and
film cost."""
from __future__ import annotations

from flask import Response, request
from flask.views import MethodView

from models import db
from services import gang_sheets
from web import auth, downloads, features, views
from web.blueprint import Blueprint
from web.schemas import gang_sheets as schemas

blp = Blueprint("gang_sheets", __name__, url_prefix="/api/organizations/<int:org_id>/gang-sheets",
                description="Gang sheet layout previews (rendering is a gang_sheets print job)")
_ACCEPTED = {"application/json": "json", "image/png": "png", "image/svg+xml": "svg"}


@blp.route("/layout")
class Layout(MethodView):
    @auth.required()
    @features.required("gang_sheets")
    @blp.arguments(schemas.GangSheetLayoutRequestSchema)
    @blp.arguments(schemas.GangSheetLayoutArgsSchema, location="query")
    @blp.response(200, schemas.GangSheetLayoutSchema,
                  description="The layout as JSON; or, asked by `format` or Accept, one sheet as image/png or "
                              "image/svg+xml (outline, pieces from thumbnails, labels, utilization, film length)")
    @blp.alt_response(429, response="DEFAULT_ERROR",
                      description="LAYOUT_CONCURRENCY layouts of the organization are running (Retry-After); "
                                  "longer or larger work goes to a gang_sheets job")
    @views.commits
    def post(self, params, args, org_id):
        """Lay out designs on the roll: sheets, length, utilization, preflight findings and film cost, or a picture."""
        fmt = args.get("format") or _ACCEPTED[request.accept_mimetypes.best_match(_ACCEPTED, "application/json")]
        session, settings = db.get_session(), views.settings()
        if fmt == "json":
            return gang_sheets.preview(session, settings, org_id, params)
        image, mimetype, count = gang_sheets.picture(session, settings, params, fmt, args["sheet"])
        return Response(image, mimetype=mimetype, headers={"X-Sheet-Count": str(count), **downloads.disposition(
            f"sheet-{args['sheet']}.{fmt}", inline=fmt == "png")})
