"""/api/organizations/{org_id}/orders: search, get, unmatched items, match, produce by hand, reprint."""
from __future__ import annotations

from flask.views import MethodView

from models import db
from services import orders
from web import auth, features, pagination, views
from web.blueprint import Blueprint
from web.schemas import orders as schemas

blp = Blueprint("orders", __name__, url_prefix="/api/organizations/<int:org_id>/orders",
                description="Etsy orders, design matching and production")


@blp.route("/")
class Orders(MethodView):
    @auth.required()
    @features.required("orders")
    @blp.arguments(schemas.OrderQueryArgsSchema, location="query")
    @blp.response(200, schemas.OrderSchema(many=True))
    @blp.paginate()
    def get(self, args, org_id, pagination_parameters):
        """Search orders by shop, state, buyer, receipt id and date range."""
        return pagination.page(db.get_session(), orders.search(args), pagination_parameters)


@blp.route("/<int:order_id>")
class Order(MethodView):
    @auth.required()
    @features.required("orders")
    @blp.response(200, schemas.OrderDetailSchema)
    def get(self, org_id, order_id):
        """One order with its items."""
        return orders.detail(db.get_session(), order_id)


@blp.route("/unmatched")
class Unmatched(MethodView):
    @auth.required()
    @features.required("orders")
    @blp.response(200, schemas.UnmatchedItemSchema(many=True))
    @blp.paginate()
    def get(self, org_id, pagination_parameters):
        """Items no rule or SKU matched, with design suggestions."""
        session = db.get_session()
        stmt, total = orders.unmatched()
        return orders.with_suggestions(session, pagination.page(session, stmt, pagination_parameters, total=total))


@blp.route("/items/<int:item_id>/match")
class Match(MethodView):
    @auth.required("operator")
    @features.required("orders")
    @blp.arguments(schemas.MatchSchema)
    @blp.response(200, schemas.MatchResultSchema)
    @views.commits
    def post(self, data, org_id, item_id):
        """Match an item to a design (and size); the rule is saved and applied to other unmatched items."""
        return orders.match(db.get_session(), item_id, data)


@blp.route("/produce")
class Produce(MethodView):
    @auth.required("operator")
    @features.required("orders")
    @blp.arguments(schemas.ProduceSchema)
    @blp.response(201, schemas.ProduceResultSchema)
    @views.commits
    def post(self, data, org_id):
        """Make gang sheets now for picked orders' ready items (skipping the hold window)."""
        return orders.produce(db.get_session(), data["order_ids"], auth.current_user().id)


@blp.route("/<int:order_id>/reprint")
class Reprint(MethodView):
    @auth.required("operator")
    @features.required("orders")
    @blp.response(201, schemas.ProduceResultSchema)
    @views.commits
    def post(self, org_id, order_id):
        """Print an order's matched items again (a new job, even if they were produced before)."""
        return orders.reprint(db.get_session(), order_id, auth.current_user().id)
