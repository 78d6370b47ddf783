"""/api/organizations/{org_id}/shipments and orders/{order_id}/ship: orders shipped with tracking, sent to Etsy."""
from __future__ import annotations

from flask.views import MethodView

from models import db
from services import shipments
from web import auth, features, pagination, views
from web.blueprint import Blueprint
from web.schemas import shipments as schemas

blp = Blueprint("shipments", __name__, url_prefix="/api/organizations/<int:org_id>",
                description="Orders marked shipped with carrier and tracking code")


@blp.route("/shipments/")
class Shipments(MethodView):
    @auth.required()
    @features.required("orders")
    @blp.arguments(schemas.ShipmentQueryArgsSchema, location="query")
    @blp.response(200, schemas.ShipmentSchema(many=True))
    @blp.paginate()
    def get(self, args, org_id, pagination_parameters):
        """Shipments by order, job or status, newest first."""
        return pagination.page(db.get_session(), shipments.search(args), pagination_parameters)

    @auth.required("operator")
    @features.required("orders")
    @blp.arguments(schemas.ShipmentCreateSchema)
    @blp.response(201, schemas.ShipmentBatchSchema)
    @views.commits
    def post(self, data, org_id):
        """Mark orders (or a gang sheet job's orders) shipped; one shipments job sends them to Etsy."""
        return shipments.create(db.get_session(), data, auth.current_user().id)


@blp.route("/shipments/<int:shipment_id>")
class Shipment(MethodView):
    @auth.required()
    @features.required("orders")
    @blp.response(200, schemas.ShipmentSchema)
    def get(self, org_id, shipment_id):
        """One shipment: sent or not, Etsy's shipment id, and Etsy's reason when it was refused."""
        return shipments.get(db.get_session(), shipment_id)


@blp.route("/orders/<int:order_id>/ship")
class ShipOrder(MethodView):
    @auth.required("operator")
    @features.required("orders")
    @blp.arguments(schemas.ShipOrderSchema)
    @blp.response(201, schemas.ShipmentBatchSchema)
    @views.commits
    def post(self, data, org_id, order_id):
        """Mark one order shipped with carrier and tracking code."""
        return shipments.ship_order(db.get_session(), order_id, data, auth.current_user().id)
