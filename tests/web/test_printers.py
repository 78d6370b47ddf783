"""Printers API: CRUD and validation, one default per org (also under concurrency), capability, compatible
printers, stats, suggestions, audit events and tenant isolation."""
from __future__ import annotations

import re
import threading
from decimal import Decimal

from sqlalchemy import select

from jobs import context
from models import db, event, printer_ops
from models import organization as org_model
from models import print_job as job_model
from models import printer as printer_model
from models import template as template_model
from tests import helpers

URL = "/api/printers/"
DTF = {"name": "Big DTF", "printer_type": "dtf", "manufacturer": "Prestige", "model": "XL-2", "max_width_in": 22,
       "dpi": 300, "supported_media": ["dtf_film_hot_peel"]}
SUB = {"name": "Desk Sub", "printer_type": "sublimation", "max_width_in": 8.5, "max_height_in": 11, "dpi": 600}


def _create(client, org: dict, **body) -> dict:
    response = client.post(URL, headers=org["headers"], json=body)
    assert response.status_code == 201, response.get_json()
    return response.get_json()


def _defaults(client, org: dict) -> list[str]:
    rows = client.get(f"{URL}?page_size=100", headers=org["headers"]).get_json()
    return [p["name"] for p in rows if p["is_default"]]


def _template(session, org_id: int, name: str, width: str, dpi: int) -> template_model.Template:
    with context.org_scope(org_id):
        row = template_model.Template(name=name, canvas_width_in=Decimal(width), canvas_height_in=Decimal(10),
                                      dpi=dpi)
        session.add(row)
        session.commit()
    return row


def _job(session, org_id: int, status: str, printer_id: int | None, length: str | None = None,
         template_id: int | None = None, params: dict | None = None) -> None:
    with context.org_scope(org_id):
        session.add(job_model.PrintJob(job_type="gang_sheets", status=status, printer_id=printer_id,
                                       template_id=template_id, params=params or {},
                                       output_length_in=None if length is None else Decimal(length)))
        session.commit()


def _events(session, org_id: int, prefix: str = "printer.") -> list[event.Event]:
    with context.org_scope(org_id):
        rows = session.scalars(select(event.Event).order_by(event.Event.id)).all()
    return [e for e in rows if e.event_type.startswith(prefix)]


def test_crud_and_first_printer_becomes_default(client):
    owner = helpers.register(client)
    first = _create(client, owner, **DTF)
    assert first["is_default"] is True and first["is_roll"] is True and first["max_height_in"] is None
    assert (first["max_width_in"], first["dpi"], first["supported_media"]) == (22.0, 300, ["dtf_film_hot_peel"])
    second = _create(client, owner, **SUB)
    assert second["is_default"] is False and second["is_roll"] is False
    assert client.get(f"{URL}{second['id']}", headers=owner["headers"]).get_json()["name"] == "Desk Sub"
    patched = client.patch(f"{URL}{second['id']}", headers=owner["headers"],
                           json={"max_height_in": None, "supported_media": ["paper", "paper"], "model": "SG1000"})
    assert patched.status_code == 200, patched.get_json()
    assert patched.get_json()["is_roll"] is True and patched.get_json()["supported_media"] == ["paper"]
    listing = client.get(f"{URL}?page_size=1", headers=owner["headers"])
    assert len(listing.get_json()) == 1 and '"total": 2' in listing.headers["X-Pagination"]
    by_type = client.get(f"{URL}?printer_type=sublimation", headers=owner["headers"]).get_json()
    assert [p["name"] for p in by_type] == ["Desk Sub"]
    assert [p["name"] for p in client.get(f"{URL}?q=big", headers=owner["headers"]).get_json()] == ["Big DTF"]
    client.patch(f"{URL}{second['id']}", headers=owner["headers"], json={"is_active": False})
    assert [p["name"] for p in client.get(f"{URL}?is_active=false", headers=owner["headers"]).get_json()] == [
        "Desk Sub"]
    assert client.delete(f"{URL}{second['id']}", headers=owner["headers"]).status_code == 204
    helpers.assert_error(client.get(f"{URL}{second['id']}", headers=owner["headers"]), 404)
    helpers.assert_error(client.delete(f"{URL}{second['id']}", headers=owner["headers"]), 404)


def test_validation_errors(client, session):
    owner = helpers.register(client)
    other = helpers.register(client)
    foreign = _template(session, other["org_id"], "Theirs", "12", 300)
    mine = _template(session, owner["org_id"], "Mine", "12", 300)
    cases = [
        ({**DTF, "max_width_in": -1}, "max_width_in"),
        ({**DTF, "max_width_in": 0}, "max_width_in"),
        ({**DTF, "max_height_in": -5}, "max_height_in"),
        ({**DTF, "printer_type": "laser"}, "printer_type"),
        ({**DTF, "dpi": 71}, "dpi"),
        ({**DTF, "dpi": 4801}, "dpi"),
        ({**DTF, "colour": "red"}, "colour"),
        ({**DTF, "is_active": "yes"}, "is_active"),
        ({k: v for k, v in DTF.items() if k != "name"}, "name"),
        ({**DTF, "supported_template_ids": [foreign.id]}, "supported_template_ids"),
        ({**DTF, "supported_template_ids": [mine.id, 987654321]}, "supported_template_ids"),
        ({**DTF, "is_active": False, "is_default": True}, "is_default"),
        ({**DTF, "name": "   "}, "name"),
        ({**DTF, "dpi": "300"}, "dpi"),
    ]
    for body, field in cases:
        err = helpers.assert_error(client.post(URL, headers=owner["headers"], json=body), 422)
        assert field in err.get("errors", {}), (field, err)
    row = _create(client, owner, **DTF, supported_template_ids=[mine.id, mine.id])
    assert row["supported_template_ids"] == [mine.id]
    for body, field in [({"dpi": 5000}, "dpi"), ({"unknown": 1}, "unknown"), ({"max_width_in": -2}, "max_width_in"),
                        ({"supported_template_ids": [foreign.id]}, "supported_template_ids")]:
        err = helpers.assert_error(client.patch(f"{URL}{row['id']}", headers=owner["headers"], json=body), 422)
        assert field in err["errors"], err
    helpers.assert_error(client.post(f"{URL}{row['id']}/check-capability", headers=owner["headers"],
                                     json={"width_in": -1, "length_in": 5, "dpi": 300}), 422)
    helpers.assert_error(client.get(f"{URL}compatible/find?width_in=abc", headers=owner["headers"]), 422)


def test_duplicate_name_is_409(client):
    owner = helpers.register(client)
    _create(client, owner, **DTF)
    second = _create(client, owner, **SUB)
    helpers.assert_error(client.post(URL, headers=owner["headers"], json=DTF), 409)
    helpers.assert_error(client.patch(f"{URL}{second['id']}", headers=owner["headers"], json={"name": "Big DTF"}),
                         409)
    # The same name in another organization is fine.
    _create(client, helpers.register(client), **DTF)


def test_roles(client):
    owner = helpers.register(client)
    row = _create(client, owner, **DTF)
    viewer = helpers.add_member(client, owner, "viewer")
    operator = helpers.add_member(client, owner, "operator")
    admin = helpers.add_member(client, owner, "admin")
    for who in (viewer, operator):
        assert client.get(URL, headers=who["headers"]).status_code == 200
        assert client.get(f"{URL}{row['id']}", headers=who["headers"]).status_code == 200
        assert client.post(f"{URL}{row['id']}/check-capability", headers=who["headers"],
                           json={"width_in": 1, "length_in": 1, "dpi": 300}).status_code == 200
        helpers.assert_error(client.post(URL, headers=who["headers"], json=SUB), 403)
        helpers.assert_error(client.patch(f"{URL}{row['id']}", headers=who["headers"], json={"dpi": 600}), 403)
        helpers.assert_error(client.post(f"{URL}{row['id']}/set-default", headers=who["headers"]), 403)
        helpers.assert_error(client.delete(f"{URL}{row['id']}", headers=who["headers"]), 403)
    assert client.post(URL, headers=admin["headers"], json=SUB).status_code == 201
    helpers.assert_error(client.get(URL), 401)


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
        except BaseException as exc:  # noqa: BLE001 - reported to the test below
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
    org = org_model.create(session, name="Race Prints")
    created.append(org.id)
    with context.org_scope(org.id):
        printers = [printer_model.Printer(name=f"P{i}", printer_type="dtf", max_width_in=Decimal(22), dpi=300,
                                          is_default=(i == 0)) for i in range(10)]
        session.add_all(printers)
        session.commit()
        ids = [p.id for p in printers]

    def set_default(i: int) -> None:
        with context.org_scope(org.id):
            own = db.get_session()  # the scoped session is per thread
            printer_ops.set_default(own, ids[i])
            own.commit()

    assert _in_threads(10, set_default) == []
    session.rollback()
    with context.org_scope(org.id):
        defaults = session.scalars(select(printer_model.Printer.id).where(printer_model.Printer.is_default)).all()
        assert len(defaults) == 1 and defaults[0] in ids
        switches = session.scalars(select(event.Event).where(event.Event.event_type == "printer.default_set")).all()
    # Each call switched from the default the previous one committed (one of them may have found itself set).
    assert len(switches) in (9, 10)


def test_concurrent_first_printers_retry_and_leave_one_default(committed):
    session, created = committed
    org = org_model.create(session, name="Race Creates")
    session.commit()
    created.append(org.id)

    def create(i: int) -> None:
        with context.org_scope(org.id):
            own = db.get_session()
            printer_ops.create(own, {"name": f"First {i}", "printer_type": "dtf", "max_width_in": Decimal(22)})
            own.commit()

    assert _in_threads(10, create) == []
    with context.org_scope(org.id):
        rows = session.scalars(select(printer_model.Printer)).all()
    assert len(rows) == 10 and sum(p.is_default for p in rows) == 1


def test_check_capability_reasons(client):
    owner = helpers.register(client)
    sheet_printer = _create(client, owner, **SUB)
    url = f"{URL}{sheet_printer['id']}/check-capability"
    ok = client.post(url, headers=owner["headers"], json={"width_in": 8, "length_in": 10, "dpi": 300}).get_json()
    assert ok["fits"] is True and ok["reasons"] == [] and ok["printer"]["id"] == sheet_printer["id"]
    bad = client.post(url, headers=owner["headers"], json={"width_in": 9, "length_in": 12, "dpi": 1200}).get_json()
    assert bad["fits"] is False and len(bad["reasons"]) == 3
    assert any("width 9" in r for r in bad["reasons"]) and any("length 12" in r for r in bad["reasons"])
    assert any("1200 DPI" in r for r in bad["reasons"])
    roll = _create(client, owner, **DTF)
    long = client.post(f"{URL}{roll['id']}/check-capability", headers=owner["headers"],
                       json={"width_in": 22, "length_in": 500, "dpi": 300}).get_json()
    assert long["fits"] is True
    client.patch(f"{URL}{roll['id']}", headers=owner["headers"], json={"is_active": False})
    inactive = client.post(f"{URL}{roll['id']}/check-capability", headers=owner["headers"],
                           json={"width_in": 1, "length_in": 1, "dpi": 72}).get_json()
    assert inactive["fits"] is False and inactive["reasons"] == ["printer is inactive"]
    helpers.assert_error(client.post(url, headers=owner["headers"], json={"width_in": 8, "length_in": 10}), 422)


def test_compatible_find_lists_fitting_active_printers_default_first(client):
    owner = helpers.register(client)
    wide = _create(client, owner, **{**DTF, "name": "Wide", "max_width_in": 24})
    narrow = _create(client, owner, **{**DTF, "name": "Narrow", "max_width_in": 13})
    _create(client, owner, **{**DTF, "name": "Off", "max_width_in": 30, "is_active": False})
    sheet = _create(client, owner, **SUB)

    def find(query: str) -> list[str]:
        response = client.get(f"{URL}compatible/find?{query}", headers=owner["headers"])
        assert response.status_code == 200, response.get_json()
        return [p["name"] for p in response.get_json()]

    assert find("width_in=8&length_in=10&dpi=300") == ["Wide", "Desk Sub", "Narrow"]
    assert find("width_in=12&length_in=100&dpi=300") == ["Wide", "Narrow"]
    assert find("width_in=20") == ["Wide"]
    assert find("width_in=8&length_in=10&dpi=600") == ["Desk Sub"]
    assert find("width_in=40") == []
    client.post(f"{URL}{narrow['id']}/set-default", headers=owner["headers"])
    assert find("width_in=8&length_in=10&dpi=300") == ["Narrow", "Desk Sub", "Wide"]
    assert wide["is_default"] and not sheet["is_default"]


def test_stats_group_jobs_by_printer(client, session):
    owner = helpers.register(client)
    a = _create(client, owner, **DTF)
    b = _create(client, owner, **SUB)
    _create(client, owner, **{**SUB, "name": "Idle"})
    for status, length in [("completed", "36.5"), ("completed", "12"), ("failed", "99"), ("queued", None)]:
        _job(session, owner["org_id"], status, a["id"], length)
    _job(session, owner["org_id"], "completed", b["id"], "11")
    _job(session, owner["org_id"], "completed", None, "1000")
    other = helpers.register(client)
    _job(session, other["org_id"], "completed", None, "5000")
    stats = client.get(f"{URL}stats/summary", headers=owner["headers"]).get_json()
    rows = {p["name"]: p for p in stats["printers"]}
    assert set(rows) == {"Big DTF", "Desk Sub", "Idle"}
    assert rows["Big DTF"]["jobs"] == {"queued": 1, "processing": 0, "completed": 2, "failed": 1, "cancelled": 0}
    assert rows["Big DTF"]["jobs_total"] == 4 and rows["Big DTF"]["completed_length_in"] == 48.5
    assert rows["Desk Sub"]["jobs_total"] == 1 and rows["Desk Sub"]["completed_length_in"] == 11.0
    assert rows["Idle"]["jobs_total"] == 0 and rows["Idle"]["completed_length_in"] == 0.0
    assert stats["jobs_total"] == 5 and stats["completed_length_in"] == 59.5


def test_suggestions_include_presets_and_history(client, session):
    owner = helpers.register(client)
    _create(client, owner, **DTF)
    tee = _template(session, owner["org_id"], "Tee", "11.5", 300)
    _template(session, owner["org_id"], "Tee 2", "11.5", 300)
    cup = _template(session, owner["org_id"], "Cup wrap", "9.5", 600)
    for _ in range(3):
        _job(session, owner["org_id"], "completed", None, "20", params={"width_in": 22, "dpi": 300})
    _job(session, owner["org_id"], "completed", None, "5", template_id=cup.id)
    _job(session, owner["org_id"], "failed", None, None, template_id=tee.id, params={"width_in": 77})
    _job(session, owner["org_id"], "completed", None, "5", params={"width_in": "not a number"})
    _job(session, owner["org_id"], "completed", None, "5", params={"width_in": 1e300, "dpi": -3})
    body = client.get(f"{URL}suggestions/config", headers=owner["headers"]).get_json()
    presets = {p["key"]: p for p in body["printers"]}
    assert {"dtf-22-roll", "dtf-24-roll", "dtf-13-desktop", "uvdtf-a3", "sublimation-letter", "sublimation-a4",
            "sublimation-a3"} <= set(presets)
    assert presets["dtf-22-roll"]["already_covered"] is True and presets["dtf-24-roll"]["already_covered"] is False
    assert presets["uvdtf-a3"]["supported_media"] and all(p["reason"] for p in body["printers"])
    widths = {w["width_in"]: w for w in body["widths"]}
    assert widths[22.0]["completed_jobs"] == 3 and widths[22.0]["source"] == "history"
    assert widths[11.5]["templates"] == 2 and widths[9.5]["completed_jobs"] == 1 and 77.0 not in widths
    assert body["widths"][0]["width_in"] == 22.0 and "3 completed job" in body["widths"][0]["reason"]
    dpis = {d["dpi"]: d for d in body["dpis"]}
    assert dpis[300]["source"] == "history" and dpis[300]["completed_jobs"] == 3 and dpis[300]["templates"] == 2
    assert dpis[600]["completed_jobs"] == 1 and dpis[600]["already_covered"] is False
    assert dpis[400]["source"] == "preset" and dpis[400]["reason"]


def test_every_mutation_is_audited(client, session):
    owner = helpers.register(client)
    a = _create(client, owner, **DTF)
    b = _create(client, owner, **SUB)
    client.patch(f"{URL}{b['id']}", headers=owner["headers"], json={"dpi": 1200, "name": "Renamed"})
    client.patch(f"{URL}{b['id']}", headers=owner["headers"], json={})
    client.post(f"{URL}{b['id']}/set-default", headers=owner["headers"])
    client.delete(f"{URL}{b['id']}", headers=owner["headers"])
    trail = [(e.event_type, e.entity_id) for e in _events(session, owner["org_id"])]
    assert trail == [
        ("printer.created", str(a["id"])), ("printer.default_set", str(a["id"])),
        ("printer.created", str(b["id"])),
        ("printer.updated", str(b["id"])),
        ("printer.default_set", str(b["id"])),
        ("printer.deleted", str(b["id"])), ("printer.default_set", str(a["id"])),
    ]
    events = _events(session, owner["org_id"])
    assert events[0].changes["name"] == [None, "Big DTF"] and events[0].changes["is_default"] == [None, True]
    assert events[2].changes["is_default"] == [None, False] and events[2].changes["max_height_in"] == [None, "11.000"]
    assert events[3].changes == {"dpi": [600, 1200], "name": ["Desk Sub", "Renamed"]}
    assert events[4].payload["previous_default_id"] == a["id"]
    assert all(e.user_id == owner["user"]["id"] and e.entity_type == "printers" for e in events)


# Bodies valid enough to pass validation, so a 404 comes from the tenant check rather than from input errors.
_BODIES = {"check-capability": {"width_in": 1, "length_in": 1, "dpi": 72}, "set-default": None,
           "<int:printer_id>": {"name": "Hijacked", "dpi": 72}, "": {**SUB, "name": "Intruder's own"}}
_QUERIES = {"compatible/find": "?width_in=1"}


def _printer_rules(app) -> list:
    return [(rule, method) for rule in app.url_map.iter_rules() if rule.rule.startswith("/api/printers")
            for method in sorted(rule.methods & {"GET", "POST", "PUT", "PATCH", "DELETE"})]


def test_tenancy_walk_never_reaches_another_orgs_printers(app, client, session):
    victim = helpers.register(client, org_name="Victim Prints")
    secret = _create(client, victim, **{**DTF, "name": "Victim Secret Printer"})
    _job(session, victim["org_id"], "completed", secret["id"], "10", params={"width_in": 31.5})
    intruder = helpers.register(client, org_name="Intruder Co")
    rules = _printer_rules(app)
    assert len(rules) == 11, rules
    for rule, method in rules:
        path = re.sub(r"<int:printer_id>", str(secret["id"]), rule.rule)
        tail = rule.rule.removeprefix("/api/printers/")
        key = tail.rsplit("/", 1)[-1] if "/" in tail else tail
        kwargs = {"headers": intruder["headers"]}
        if method in ("POST", "PATCH"):
            kwargs["json"] = _BODIES.get(key)
        response = client.open(path + _QUERIES.get(tail, ""), method=method, **kwargs)
        if "printer_id" in rule.arguments:
            assert response.status_code == 404, (method, path, response.status_code, response.get_json())
        else:
            assert response.status_code in (200, 201, 404), (method, path, response.get_json())
        text = response.get_data(as_text=True)
        assert "Victim Secret Printer" not in text and str(secret["id"]) not in re.findall(r'"id": ?(\d+)', text)
        assert "31.5" not in text, (method, path)
    after = client.get(f"{URL}{secret['id']}", headers=victim["headers"]).get_json()
    assert after["name"] == "Victim Secret Printer" and after["is_default"] is True and after["dpi"] == 300
    stats = client.get(f"{URL}stats/summary", headers=victim["headers"]).get_json()
    assert stats["printers"][0]["jobs_total"] == 1
    assert [e.event_type for e in _events(session, victim["org_id"])] == ["printer.created", "printer.default_set"]
    for rule, method in rules:
        path = re.sub(r"<int:printer_id>", str(secret["id"]), rule.rule)
        assert client.open(path, method=method).status_code == 401, (method, path)


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
