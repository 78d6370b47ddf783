"""/api/organizations/{org_id}/events: the audit trail, integration events, errors, stats and export."""
from __future__ import annotations

from flask.views import MethodView

from models import db
from services import events
from web import auth, export, features, pagination, rowjson, views
from web.blueprint import Blueprint
from web.schemas import events as schemas

NEXT_CURSOR = "X-Next-Cursor"
# The lists' rows as PostgreSQL writes them (web.rowjson), with the keys of the next page's cursor.
ROWS = rowjson.columns(schemas.EventSchema(), events.Event, events.Event.created_at, events.Event.id)

blp = Blueprint("events", __name__, url_prefix="/api/organizations/<int:org_id>/events",
                description="Audit events")


@blp.route("/search", methods=["GET"])  # the deployment guide's path
@blp.route("/")
class Events(MethodView):
    @auth.required()
    @blp.arguments(schemas.EventListArgsSchema, location="query")
    @blp.response(200, schemas.EventSchema(many=True), headers={NEXT_CURSOR: {
        "description": "The cursor of the next page (`after`), when this page is full",
        "schema": {"type": "string"}}})
    @blp.paginate()
    def get(self, args, org_id, pagination_parameters):
        """Search events by type, entity, user, level and time range; `page` or the keyset cursor `after`."""
        session = db.get_session()
        rows = pagination.page(session, events.search(args), pagination_parameters,
                               total=events.kept_total(args), columns=ROWS)
        full = len(rows) == pagination_parameters.page_size
        return rowjson.response(rows), 200, {NEXT_CURSOR: events.cursor_of(rows[-1])} if full else {}

    @auth.required("operator")
    @blp.arguments(schemas.EventCreateSchema)
    @blp.response(201, schemas.EventSchema)
    @views.commits
    def post(self, data, org_id):
        """Record an integration's own event."""
        return events.record(db.get_session(), data)


@blp.route("/<int:event_id>")
class Event(MethodView):
    @auth.required()
    @blp.response(200, schemas.EventSchema)
    def get(self, org_id, event_id):
        """One event."""
        return events.get(db.get_session(), event_id)


@blp.route("/audit/<string:entity_type>/<string:entity_id>")  # the deployment guide's path
@blp.route("/audit-trail/<string:entity_type>/<string:entity_id>")
class AuditTrail(MethodView):
    @auth.required()
    @blp.response(200, schemas.EventSchema(many=True))
    @blp.paginate()
    def get(self, org_id, entity_type, entity_id, pagination_parameters):
        """Every event of one entity, newest first."""
        stmt = events.search({"entity_type": entity_type, "entity_id": entity_id})
        return rowjson.response(pagination.page(db.get_session(), stmt, pagination_parameters, columns=ROWS))


@blp.route("/activity/user/<int:user_id>")  # the deployment guide's path
@blp.route("/users/<int:user_id>/activity")
class UserActivity(MethodView):
    @auth.required()
    @blp.arguments(schemas.EventQueryArgsSchema, location="query")
    @blp.response(200, schemas.EventSchema(many=True))
    @blp.paginate()
    def get(self, args, org_id, user_id, pagination_parameters):
        """What one member did."""
        session = db.get_session()
        return rowjson.response(pagination.page(session, events.activity(session, user_id, args),
                                                pagination_parameters, columns=ROWS))


@blp.route("/activity/errors")  # the deployment guide's path
@blp.route("/system-errors")
class SystemErrors(MethodView):
    @auth.required()
    @blp.arguments(schemas.EventQueryArgsSchema, location="query")
    @blp.response(200, schemas.EventSchema(many=True))
    @blp.paginate()
    def get(self, args, org_id, pagination_parameters):
        """Error-level events (failed jobs, integration errors)."""
        stmt = events.search({**args, "level": "error"})
        return rowjson.response(pagination.page(db.get_session(), stmt, pagination_parameters, columns=ROWS))


@blp.route("/stats/summary")
class Stats(MethodView):
    @auth.required()
    @features.required("analytics")
    @blp.response(200, schemas.EventStatsSchema)
    def get(self, org_id):
        """Counts by type and level."""
        return events.stats(db.get_session())


@blp.route("/export/audit-trail")  # the deployment guide's path
@blp.route("/export")
class Export(MethodView):
    @auth.required("admin")
    @blp.arguments(schemas.EventExportArgsSchema, location="query")
    @blp.response(200, content_type="application/x-ndjson",
                  description="The audit trail as JSON Lines (format=jsonl) or CSV (format=csv), streamed")
    @views.transaction  # its rows come through a server-side cursor, which lives in a transaction
    def get(self, args, org_id):
        """Export the (filtered) audit trail, streamed row by row."""
        return export.events_response(org_id, args)
