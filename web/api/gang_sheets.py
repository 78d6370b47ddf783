"""/api/organizations/{org_id}/gang-sheets/layout: a synchronous layout preview with preflight and film cost."""
from __future__ import annotations

from flask import current_app
from flask.views import MethodView
from flask_smorest import Blueprint

from jobs import gang_plan
from models import db
from models import organization as org_model
from prepress import imposition, preflight
from web import auth
from web.schemas import gang_sheets as schemas

blp = Blueprint("gang_sheets", __name__, url_prefix="/api/organizations/<int:org_id>/gang-sheets",
                description="Gang sheet layout previews (rendering is a gang_sheets print job)")


@blp.route("/layout")
class Layout(MethodView):
    @auth.required()
    @blp.arguments(schemas.GangSheetLayoutRequestSchema)
    @blp.response(200, schemas.GangSheetLayoutSchema)
    def post(self, params, org_id):
        """Lay out designs on the roll: sheets, length, utilization, preflight findings and film cost."""
        session = db.get_session()
        plan = gang_plan.build(session, params, current_app.extensions["esa_settings"].gang_max_quantity)
        layout = plan.impose()
        findings = preflight.check_layout(imposition.layout_to_dict(layout), plan.sheet_width,
                                          gang_plan.facts_from_rows(plan.files), dpi=plan.dpi,
                                          min_dpi=plan.min_dpi, **plan.limits())
        return gang_plan.summary(session.get(org_model.Organization, org_id), plan, layout, findings)
