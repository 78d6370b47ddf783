"""/api/organizations/{org_id}/design-mappings: rules from listing (+ SKU or variation) to design and size."""
from __future__ import annotations

from flask.views import MethodView
from flask_smorest import Blueprint
from sqlalchemy import select

from jobs import matching
from models import audit, db, errors, order_ops
from models import order as order_model
from web import auth, pagination
from web.schemas import orders as schemas

blp = Blueprint("design_mappings", __name__, url_prefix="/api/organizations/<int:org_id>/design-mappings",
                description="Design matching rules")


def _get(mapping_id: int) -> order_model.DesignMapping:
    row = db.get_session().get(order_model.DesignMapping, mapping_id)
    if row is None:
        raise errors.NotFound("Mapping not found")
    return row


@blp.route("/")
class Mappings(MethodView):
    @auth.required()
    @blp.arguments(schemas.DesignMappingQueryArgsSchema, location="query")
    @blp.response(200, schemas.DesignMappingSchema(many=True))
    @blp.paginate()
    def get(self, args, org_id, pagination_parameters):
        """Rules, optionally of one listing or design."""
        stmt = select(order_model.DesignMapping).order_by(order_model.DesignMapping.id)
        for name in ("listing_id", "design_file_id"):
            if args.get(name) is not None:
                stmt = stmt.where(getattr(order_model.DesignMapping, name) == args[name])
        return pagination.page(db.get_session(), stmt, pagination_parameters)

    @auth.required("operator")
    @blp.arguments(schemas.DesignMappingSchema)
    @blp.response(201, schemas.DesignMappingSchema)
    def post(self, data, org_id):
        """Add a rule; unmatched items it covers are matched at once."""
        session = db.get_session()
        order_ops.check_target(session, data)
        rule = order_model.DesignMapping(**data, variation_key=matching.variation_key(data["variations"]))
        session.add(rule)
        session.flush()
        items = session.scalars(select(order_model.OrderItem).where(
            order_model.OrderItem.listing_id == rule.listing_id,
            order_model.OrderItem.match_status == "unmatched")).all()
        matched = matching.match_items(session, items)
        audit.record(session, "design_mapping.created", entity=rule, payload={**data, "matched_items": matched})
        session.commit()
        return rule


@blp.route("/<int:mapping_id>")
class Mapping(MethodView):
    @auth.required()
    @blp.response(200, schemas.DesignMappingSchema)
    def get(self, org_id, mapping_id):
        """One rule."""
        return _get(mapping_id)

    @auth.required("operator")
    @blp.arguments(schemas.DesignMappingUpdateSchema)
    @blp.response(200, schemas.DesignMappingSchema)
    def patch(self, data, org_id, mapping_id):
        """Point a rule at another design or size (items already matched keep theirs)."""
        session = db.get_session()
        rule = _get(mapping_id)
        order_ops.check_target(session, {"template_id": rule.template_id, **data})
        for key, value in data.items():
            setattr(rule, key, value)
        changes = audit.changes_of(rule)
        if changes:
            audit.record(session, "design_mapping.updated", entity=rule, changes=changes)
        session.commit()
        return rule

    @auth.required("operator")
    @blp.response(204)
    def delete(self, org_id, mapping_id):
        """Remove a rule (matched items keep their design)."""
        session = db.get_session()
        rule = _get(mapping_id)
        audit.record(session, "design_mapping.deleted", entity=rule)
        session.delete(rule)
        session.commit()
