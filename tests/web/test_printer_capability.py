"""Printers API: capability checks, compatible printers, job stats, config suggestions and tenant isolation."""
from __future__ import annotations

import re

from tests import helpers
from tests.web.printer_helpers import DTF, SUB, URL, _create, _events, _job, _template


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
    helpers.set_features(client, owner, analytics=True)
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


# Bodies valid enough to pass validation, so a 404 comes from the tenant check rather than from input errors.
_BODIES = {"check-capability": {"width_in": 1, "length_in": 1, "dpi": 72}, "set-default": None,
           "<int:printer_id>": {"name": "Hijacked", "dpi": 72}, "": {**SUB, "name": "Intruder's own"},
           "sends": {"print_job_id": 1}}
_QUERIES = {"compatible/find": "?width_in=1"}


def _printer_rules(app) -> list:
    return [(rule, method) for rule in app.url_map.iter_rules() if rule.rule.startswith("/api/printers")
            for method in sorted(rule.methods & {"GET", "POST", "PUT", "PATCH", "DELETE"})]


def test_tenancy_walk_never_reaches_another_orgs_printers(app, client, session):
    victim = helpers.register(client, org_name="Victim Prints")
    secret = _create(client, victim, **{**DTF, "name": "Victim Secret Printer"})
    _job(session, victim["org_id"], "completed", secret["id"], "10", params={"width_in": 31.5})
    intruder = helpers.register(client, org_name="Intruder Co")
    for org in (victim, intruder):
        helpers.set_features(client, org, analytics=True)
    rules = _printer_rules(app)
    assert len(rules) == 19, rules  # 12, and the hot folder queue and sends
    for rule, method in rules:
        path = re.sub(r"<int:(printer|send)_id>", str(secret["id"]), rule.rule)
        tail = rule.rule.removeprefix("/api/printers/")
        key = tail.rsplit("/", 1)[-1] if "/" in tail else tail
        kwargs = {"headers": intruder["headers"]}
        if method in ("POST", "PUT", "PATCH"):
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
        path = re.sub(r"<int:(printer|send)_id>", str(secret["id"]), rule.rule)
        assert client.open(path, method=method).status_code == 401, (method, path)
