"""/api/organizations/{org_id}/orders: search, get, unmatched items, match, produce by hand, reprint."""
from __future__ import annotations

from flask.views import MethodView
from flask_smorest import Blueprint

from jobs import matching, production
from models import audit, db, errors, order_ops
from models import order as order_model
from web import auth, pagination
from web.schemas import orders as schemas

blp = Blueprint("orders", __name__, url_prefix="/api/organizations/<int:org_id>/orders",
                description="Etsy orders, design matching and production")


@blp.route("/")
class Orders(MethodView):
    @auth.required()
    @blp.arguments(schemas.OrderQueryArgsSchema, location="query")
    @blp.response(200, schemas.OrderSchema(many=True))
    @blp.paginate()
    def get(self, args, org_id, pagination_parameters):
        """Search orders by shop, state, buyer, receipt id and date range."""
        return pagination.page(db.get_session(), order_ops.search(args), pagination_parameters)


@blp.route("/<int:order_id>")
class Order(MethodView):
    @auth.required()
    @blp.response(200, schemas.OrderDetailSchema)
    def get(self, org_id, order_id):
        """One order with its items."""
        session = db.get_session()
        order = order_ops.get_order(session, order_id)
        return {**{c.key: getattr(order, c.key) for c in order_model.Order.__table__.columns},
                "items": order_ops.items_of(session, order_id)}


@blp.route("/unmatched")
class Unmatched(MethodView):
    @auth.required()
    @blp.response(200, schemas.UnmatchedItemSchema(many=True))
    @blp.paginate()
    def get(self, org_id, pagination_parameters):
        """Items no rule or SKU matched, with design suggestions."""
        session = db.get_session()
        items = pagination.page(session, order_ops.unmatched(), pagination_parameters)
        suggested = matching.suggestions(session, items)
        return [{**{c.key: getattr(i, c.key) for c in order_model.OrderItem.__table__.columns},
                 "suggestions": suggested[i.id]} for i in items]


@blp.route("/items/<int:item_id>/match")
class Match(MethodView):
    @auth.required("operator")
    @blp.arguments(schemas.MatchSchema)
    @blp.response(200, schemas.MatchResultSchema)
    def post(self, data, org_id, item_id):
        """Match an item to a design (and size); the rule is saved and applied to other unmatched items."""
        session = db.get_session()
        item = session.get(order_model.OrderItem, item_id)
        if item is None:
            raise errors.NotFound("Order item not found")
        order_ops.check_target(session, data)
        rule, others = matching.manual_match(session, item, design_file_id=data["design_file_id"],
                                             template_id=data.get("template_id"), size_id=data.get("size_id"),
                                             scope=data["scope"])
        audit.record(session, "order_item.matched", entity=item, changes=audit.changes_of(item),
                     payload={"mapping_id": rule.id if rule else None, "also_matched": others})
        session.commit()
        return {"item": item, "mapping_id": rule.id if rule else None, "also_matched": others}


@blp.route("/produce")
class Produce(MethodView):
    @auth.required("operator")
    @blp.arguments(schemas.ProduceSchema)
    @blp.response(201, schemas.ProduceResultSchema)
    def post(self, data, org_id):
        """Make gang sheets now for picked orders' ready items (skipping the hold window)."""
        session = db.get_session()
        order_ops.check_orders(session, data["order_ids"])
        result = production.produce(session, order_ids=data["order_ids"], created_by=auth.current_user().id)
        session.commit()
        return result


@blp.route("/<int:order_id>/reprint")
class Reprint(MethodView):
    @auth.required("operator")
    @blp.response(201, schemas.ProduceResultSchema)
    def post(self, org_id, order_id):
        """Print an order's matched items again (a new job, even if they were produced before)."""
        session = db.get_session()
        order_ops.get_order(session, order_id)
        result = production.produce(session, order_ids=[order_id], created_by=auth.current_user().id, reprint=True)
        session.commit()
        return result
