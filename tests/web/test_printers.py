"""Printers API: CRUD, validation, duplicate names, roles and the audit event of every mutation."""
from __future__ import annotations

from tests import helpers
from tests.web.printer_helpers import DTF, SUB, URL, _create, _events, _template


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
