"""Printers API: exactly one default printer per organization, also under concurrent requests."""
from __future__ import annotations

import threading
from decimal import Decimal

from sqlalchemy import select

from models import db, event, tenancy
from models import printer as printer_model
from services import organizations
from services import printers as printer_ops
from tests import helpers
from tests.web.printer_helpers import DTF, SUB, URL, _create, _defaults


def test_set_default_keeps_exactly_one(client):
    owner = helpers.register(client)
    a = _create(client, owner, **DTF)
    b = _create(client, owner, **SUB)
    c = _create(client, owner, **{**SUB, "name": "Spare", "is_active": False})
    assert _defaults(client, owner) == ["Big DTF"]
    response = client.post(f"{URL}{b['id']}/set-default", headers=owner["headers"])
    assert response.status_code == 200 and response.get_json()["is_default"] is True
    assert _defaults(client, owner) == ["Desk Sub"]
    assert client.post(f"{URL}{b['id']}/set-default", headers=owner["headers"]).status_code == 200
    assert _defaults(client, owner) == ["Desk Sub"]
    helpers.assert_error(client.post(f"{URL}{c['id']}/set-default", headers=owner["headers"]), 409)
    helpers.assert_error(client.post(f"{URL}987654321/set-default", headers=owner["headers"]), 404)
    # Creating with is_default, and PATCH is_default (activating on the way), move the one default too.
    d = _create(client, owner, **{**DTF, "name": "New Default", "is_default": True})
    assert _defaults(client, owner) == ["New Default"]
    client.patch(f"{URL}{c['id']}", headers=owner["headers"], json={"is_default": True, "is_active": True})
    assert _defaults(client, owner) == ["Spare"]
    assert client.get(f"{URL}default/get", headers=owner["headers"]).get_json()["id"] == c["id"]
    # Losing the default (unset, deactivated, deleted) hands it to the oldest other active printer.
    client.patch(f"{URL}{c['id']}", headers=owner["headers"], json={"is_default": False})
    assert _defaults(client, owner) == ["Big DTF"]
    client.patch(f"{URL}{a['id']}", headers=owner["headers"], json={"is_active": False})
    assert _defaults(client, owner) == ["Desk Sub"]
    assert client.delete(f"{URL}{b['id']}", headers=owner["headers"]).status_code == 204
    assert _defaults(client, owner) == ["Spare"]
    for row in (c, d):
        client.delete(f"{URL}{row['id']}", headers=owner["headers"])
    assert _defaults(client, owner) == []
    helpers.assert_error(client.get(f"{URL}default/get", headers=owner["headers"]), 404)
    # Only an inactive printer is left: it is not made the default.
    assert client.get(URL, headers=owner["headers"]).get_json()[0]["is_active"] is False


def _in_threads(count: int, work) -> list[BaseException]:
    barrier = threading.Barrier(count)
    failures: list[BaseException] = []

    def run(i: int) -> None:
        try:
            barrier.wait()
            work(i)
        except BaseException as exc:
            failures.append(exc)
        finally:
            db.session.remove()

    threads = [threading.Thread(target=run, args=(i,)) for i in range(count)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return failures


def test_concurrent_set_default_leaves_exactly_one_default(committed):
    session, created = committed
    org = organizations.create(session, name="Race Prints")
    created.append(org.id)
    with tenancy.org_scope(org.id):
        printers = [printer_model.Printer(name=f"P{i}", printer_type="dtf", max_width_in=Decimal(22), dpi=300,
                                          is_default=(i == 0)) for i in range(10)]
        session.add_all(printers)
        session.commit()
        ids = [p.id for p in printers]

    def set_default(i: int) -> None:
        with tenancy.org_scope(org.id):
            own = db.get_session()  # the scoped session is per thread
            printer_ops.set_default(own, ids[i])
            own.commit()

    assert _in_threads(10, set_default) == []
    session.rollback()
    with tenancy.org_scope(org.id):
        defaults = session.scalars(select(printer_model.Printer.id).where(printer_model.Printer.is_default)).all()
        assert len(defaults) == 1 and defaults[0] in ids
        switches = session.scalars(select(event.Event).where(event.Event.event_type == "printer.default_set")).all()
    # Each call switched from the default the previous one committed (one of them may have found itself set).
    assert len(switches) in (9, 10)


def test_concurrent_first_printers_retry_and_leave_one_default(committed):
    session, created = committed
    org = organizations.create(session, name="Race Creates")
    session.commit()
    created.append(org.id)

    def create(i: int) -> None:
        with tenancy.org_scope(org.id):
            own = db.get_session()
            printer_ops.create(own, {"name": f"First {i}", "printer_type": "dtf", "max_width_in": Decimal(22)})
            own.commit()

    assert _in_threads(10, create) == []
    with tenancy.org_scope(org.id):
        rows = session.scalars(select(printer_model.Printer)).all()
    assert len(rows) == 10 and sum(p.is_default for p in rows) == 1


def test_a_lost_race_on_the_default_index_is_a_409_not_a_500(client, monkeypatch):
    owner = helpers.register(client)
    _create(client, owner, **DTF)
    other = _create(client, owner, **SUB)
    # Seeing no rows is what a transaction that raced a concurrent insert sees; the index still refuses it.
    monkeypatch.setattr(printer_ops, "_lock_printers", lambda session: [printer_ops.get(session, other["id"])])
    err = helpers.assert_error(client.post(f"{URL}{other['id']}/set-default", headers=owner["headers"]), 409)
    assert "try again" in err["message"]
    monkeypatch.undo()
    assert _defaults(client, owner) == ["Big DTF"]
