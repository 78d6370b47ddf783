"""/api/organizations/{org_id}/library/imports: register the files already on the NAS, where they are."""
from __future__ import annotations

from flask.views import MethodView

from models import db
from services import library_import
from web import auth, features, views
from web.blueprint import Blueprint
from web.schemas import library as schemas
from web.schemas import print_jobs as job_schemas

blp = Blueprint("library", __name__, url_prefix="/api/organizations/<int:org_id>/library",
                description="The existing NAS library")


@blp.route("/imports")
class Imports(MethodView):
    @auth.required("operator")
    @features.required("designs")
    @blp.arguments(schemas.LibraryImportSchema)
    @blp.response(201, job_schemas.PrintJobSchema)
    @views.commits
    def post(self, data, org_id):
        """Queue an imports job: new files in the folders are registered at once, then checked in the background."""
        return library_import.start(db.get_session(), data["file_types"], auth.current_user().id)
