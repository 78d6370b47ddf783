"""/api/organizations/{org_id}/insights: sales per month, top designs and listings, film per day, cost per order."""
from __future__ import annotations

from flask.views import MethodView

from models import db
from services import insights
from web import auth, features
from web.blueprint import Blueprint
from web.schemas import insights as schemas

blp = Blueprint("insights", __name__, url_prefix="/api/organizations/<int:org_id>/insights",
                description="The numbers an owner looks at")


@blp.route("/sales-by-month")
class SalesByMonth(MethodView):
    @auth.required()
    @features.required("analytics")
    @blp.arguments(schemas.InsightQueryArgsSchema, location="query")
    @blp.response(200, schemas.MonthSalesSchema(many=True))
    def get(self, args, org_id):
        """Paid, not canceled orders per month: orders, items and revenue per currency."""
        return insights.sales_by_month(db.get_session(), args)


@blp.route("/top-designs")
class TopDesigns(MethodView):
    @auth.required()
    @features.required("analytics")
    @blp.arguments(schemas.InsightQueryArgsSchema, location="query")
    @blp.response(200, schemas.TopDesignSchema(many=True))
    def get(self, args, org_id):
        """Designs by pieces sold."""
        return insights.top_designs(db.get_session(), args)


@blp.route("/top-listings")
class TopListings(MethodView):
    @auth.required()
    @features.required("analytics")
    @blp.arguments(schemas.InsightQueryArgsSchema, location="query")
    @blp.response(200, schemas.TopListingSchema(many=True))
    def get(self, args, org_id):
        """Etsy listings by pieces sold."""
        return insights.top_listings(db.get_session(), args)


@blp.route("/film-by-day")
class FilmByDay(MethodView):
    @auth.required()
    @features.required("analytics")
    @blp.arguments(schemas.InsightQueryArgsSchema, location="query")
    @blp.response(200, schemas.FilmByDaySchema)
    def get(self, args, org_id):
        """Film printed per day by finished gang sheet and print file jobs, and its cost."""
        return insights.film_by_day(db.get_session(), args)


@blp.route("/cost-per-order")
class CostPerOrder(MethodView):
    @auth.required()
    @features.required("analytics")
    @blp.arguments(schemas.InsightQueryArgsSchema, location="query")
    @blp.response(200, schemas.CostPerOrderSchema)
    def get(self, args, org_id):
        """Film per order (each sheet's film shared by its orders' piece area) and its cost."""
        return insights.cost_per_order(db.get_session(), args)
