"""API reads run without a transaction and can never write; views that write or stream keep their transaction."""
from __future__ import annotations

from psycopg import pq
from sqlalchemy import func, select

from models import audit, db, tenancy
from models import event as event_model
from services import organizations
from tests import helpers
from web import views


def test_a_read_that_writes_is_refused_and_nothing_lands(client, session, monkeypatch):
    owner = helpers.register(client)
    real_get = organizations.get

    def writing_get(dbs, org_id):
        audit.record(dbs, "organization.peeked", entity_type="organizations", entity_id=org_id)
        dbs.flush()
        return real_get(dbs, org_id)

    monkeypatch.setattr(organizations, "get", writing_get)
    helpers.assert_error(client.get(f"/api/organizations/{owner['org_id']}", headers=owner["headers"]), 500)
    monkeypatch.setattr(organizations, "get", real_get)
    with tenancy.org_scope(owner["org_id"]):
        assert session.scalar(select(func.count()).select_from(event_model.Event)
                              .where(event_model.Event.event_type == "organization.peeked")) == 0
    # The same session writes again once the request is over, and a write request is not read-only.
    assert client.patch(f"/api/organizations/{owner['org_id']}", headers=owner["headers"],
                        json={"name": "Renamed"}).status_code == 200
    assert client.get(f"/api/organizations/{owner['org_id']}", headers=owner["headers"]).get_json()["name"] == \
        "Renamed"


def test_reads_skip_begin_and_rollback_and_give_the_connection_back_as_it_was(app, committed, monkeypatch):
    session, created = committed
    client = app.test_client()
    owner = helpers.register(client)
    created.append(owner["org_id"])
    seen: list[tuple[bool, pq.TransactionStatus]] = []
    real_get = organizations.get

    def watching_get(dbs, org_id):
        row = real_get(dbs, org_id)
        raw = dbs.connection().connection.dbapi_connection
        seen.append((raw.autocommit, raw.info.transaction_status))
        return row

    monkeypatch.setattr(organizations, "get", watching_get)
    assert client.get(f"/api/organizations/{owner['org_id']}", headers=owner["headers"]).status_code == 200
    # After its queries the connection is idle: no transaction was opened around them.
    assert seen == [(True, pq.TransactionStatus.IDLE)]
    # A session opened afterwards (a job, a write request) gets a transaction again on the same pooled connection.
    after = db.get_session()
    after.execute(select(1))
    raw = after.connection().connection.dbapi_connection
    assert (raw.autocommit, raw.info.transaction_status) == (False, pq.TransactionStatus.INTRANS)
    after.rollback()
    # A write request runs in one transaction.
    seen.clear()
    monkeypatch.setattr(organizations, "update", _watching(organizations.update, seen))
    assert client.patch(f"/api/organizations/{owner['org_id']}", headers=owner["headers"],
                        json={"name": "Renamed"}).status_code == 200
    assert seen and set(seen) == {(False, pq.TransactionStatus.INTRANS)}


def _watching(real, seen):
    def call(dbs, *args, **kwargs):
        result = real(dbs, *args, **kwargs)
        raw = dbs.connection().connection.dbapi_connection
        seen.append((raw.autocommit, raw.info.transaction_status))
        return result
    return call


def test_streamed_exports_and_committing_reads_keep_their_transaction(app):
    with app.test_request_context("/api/organizations/1/events/export", method="GET"):
        assert not views.reads_only()
    with app.test_request_context("/api/organizations/1/events/", method="GET"):
        assert views.reads_only()
    with app.test_request_context("/api/organizations/1/events/", method="POST"):
        assert not views.reads_only()
    with app.test_request_context("/api/shops/callback", method="GET"):
        assert not views.reads_only()  # Etsy's callback stores the code: marked by views.commits


def test_a_read_that_queues_a_job_is_refused(client, session, monkeypatch):
    from sqlalchemy import text

    from services import defer

    owner = helpers.register(client)
    real_get = organizations.get

    def queueing_get(dbs, org_id):
        defer.in_transaction(dbs, defer.ANALYSE_DESIGN, queue=defer.DESIGNS_QUEUE, file_id=-1)
        return real_get(dbs, org_id)

    monkeypatch.setattr(organizations, "get", queueing_get)
    helpers.assert_error(client.get(f"/api/organizations/{owner['org_id']}", headers=owner["headers"]), 500)
    assert session.execute(text("SELECT count(*) FROM procrastinate_jobs WHERE args->>'file_id' = '-1'")).scalar() == 0
