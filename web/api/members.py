"""/api/organizations/{org_id}/members: list, add, change role, remove."""
from __future__ import annotations

from flask.views import MethodView

from models import db
from services import members
from web import auth, pagination, views
from web.blueprint import Blueprint
from web.schemas import members as schemas

blp = Blueprint("members", __name__, url_prefix="/api/organizations/<int:org_id>/members",
                description="Members of an organization and their roles")


@blp.route("/")
class Members(MethodView):
    @auth.required()
    @blp.arguments(schemas.MemberQueryArgsSchema, location="query")
    @blp.response(200, schemas.MemberSchema(many=True))
    @blp.paginate()
    def get(self, args, org_id, pagination_parameters):
        """Members of the organization."""
        return pagination.page(db.get_session(), members.search(args), pagination_parameters)

    @auth.required("admin")
    @blp.arguments(schemas.MemberCreateSchema)
    @blp.response(201, schemas.MemberSchema)
    @views.commits
    def post(self, data, org_id):
        """Add a member with a role (only owners add owners)."""
        return members.add(db.get_session(), auth.current_user(), org_id, data)


@blp.route("/<int:user_id>")
class Member(MethodView):
    @auth.required()
    @blp.response(200, schemas.MemberSchema)
    def get(self, org_id, user_id):
        """One member."""
        return members.get(db.get_session(), user_id)

    @auth.required("admin")
    @blp.arguments(schemas.MemberUpdateSchema)
    @blp.response(200, schemas.MemberSchema)
    @views.commits
    def patch(self, data, org_id, user_id):
        """Change a member's role, name or active flag."""
        return members.update(db.get_session(), auth.current_user(), user_id, data)

    @auth.required("admin")
    @blp.response(204)
    @views.commits
    def delete(self, org_id, user_id):
        """Remove a member (their audit history stays)."""
        members.remove(db.get_session(), auth.current_user(), user_id)
