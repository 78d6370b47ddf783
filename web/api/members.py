"""/api/organizations/{org_id}/members: list, add, change role, remove."""
from __future__ import annotations

from flask.views import MethodView
from flask_smorest import Blueprint
from sqlalchemy import select

from models import audit, db, errors, membership
from models import user as user_model
from web import auth, pagination, tokens
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
        stmt = select(user_model.User).order_by(user_model.User.id)
        if "role" in args:
            stmt = stmt.where(user_model.User.role == args["role"])
        if "is_active" in args:
            stmt = stmt.where(user_model.User.is_active.is_(args["is_active"]))
        return pagination.page(db.get_session(), stmt, pagination_parameters)

    @auth.required("admin")
    @blp.arguments(schemas.MemberCreateSchema)
    @blp.response(201, schemas.MemberSchema)
    def post(self, data, org_id):
        """Add a member with a role (only owners add owners)."""
        actor = auth.current_user()
        if data["role"] == "owner" and not (actor.is_superuser or actor.role == "owner"):
            raise errors.Forbidden("Only an owner can add an owner")
        session = db.get_session()
        member = membership.new_user(session, org_id=org_id, email=data["email"], role=data["role"],
                                     password_hash=tokens.hash_password(data["password"]),
                                     full_name=data.get("full_name"))
        audit.record(session, "member.added", entity=member,
                     changes={"email": [None, member.email], "role": [None, member.role]})
        session.commit()
        return member


@blp.route("/<int:user_id>")
class Member(MethodView):
    @auth.required()
    @blp.response(200, schemas.MemberSchema)
    def get(self, org_id, user_id):
        """One member."""
        return membership.get_member(db.get_session(), user_id)

    @auth.required("admin")
    @blp.arguments(schemas.MemberUpdateSchema)
    @blp.response(200, schemas.MemberSchema)
    def patch(self, data, org_id, user_id):
        """Change a member's role, name or active flag."""
        session = db.get_session()
        member = membership.get_member(session, user_id)
        changes = membership.update_member(session, auth.current_user(), member, data)
        if changes:
            audit.record(session, "member.updated", entity=member, changes=changes)
        session.commit()
        return member

    @auth.required("admin")
    @blp.response(204)
    def delete(self, org_id, user_id):
        """Remove a member (their audit history stays)."""
        session = db.get_session()
        member = membership.get_member(session, user_id)
        audit.record(session, "member.removed", entity=member, changes={"email": [member.email, None]})
        membership.remove_member(session, auth.current_user(), member)
        session.commit()
