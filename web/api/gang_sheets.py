"""/api/organizations/{org_id}/gang-sheets/layout: a synchronous layout preview with preflight and film cost."""
from __future__ import annotations

from flask.views import MethodView
from flask_smorest import Blueprint

from models import db
from services import gang_sheets
from web import auth, features, views
from web.schemas import gang_sheets as schemas

blp = Blueprint("gang_sheets", __name__, url_prefix="/api/organizations/<int:org_id>/gang-sheets",
                description="Gang sheet layout previews (rendering is a gang_sheets print job)")


@blp.route("/layout")
class Layout(MethodView):
    @auth.required()
    @features.required("gang_sheets")
    @blp.arguments(schemas.GangSheetLayoutRequestSchema)
    @blp.response(200, schemas.GangSheetLayoutSchema)
    def post(self, params, org_id):
        """Lay out designs on the roll: sheets, length, utilization, preflight findings and film cost."""
        return gang_sheets.preview(db.get_session(), views.settings(), org_id, params)
