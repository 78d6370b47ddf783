"""Templates API: role permissions and exactly one audit event per successful mutation."""
from __future__ import annotations

import pytest

from tests import helpers
from tests.web.template_helpers import _body, _counts, _create, _events, _url


@pytest.fixture
def owner(client) -> dict:
    return helpers.register(client)


def test_viewers_and_operators_read_admins_manage(client, owner):
    created = _create(client, owner)
    admin = helpers.add_member(client, owner, "admin")
    t_url = _url(owner, str(created["id"]))
    s_url = f"{t_url}/sizes"
    size_url = f"{s_url}/{created['sizes'][0]['id']}"
    for role in ("viewer", "operator"):
        who = helpers.add_member(client, owner, role)
        h = who["headers"]
        assert client.get(_url(owner), headers=h).status_code == 200
        assert client.get(t_url, headers=h).get_json() == created
        assert client.get(s_url, headers=h).status_code == 200
        assert client.get(size_url, headers=h).status_code == 200
        helpers.assert_error(client.post(_url(owner), headers=h, json=_body(name="Nope")), 403)
        helpers.assert_error(client.patch(t_url, headers=h, json={"name": "Nope"}), 403)
        helpers.assert_error(client.delete(t_url, headers=h), 403)
        helpers.assert_error(client.post(s_url, headers=h, json={"name": "Nope", "width_in": 1,
                                                                 "height_in": 1}), 403)
        helpers.assert_error(client.patch(size_url, headers=h, json={"name": "Nope"}), 403)
        helpers.assert_error(client.delete(size_url, headers=h), 403)
    h = admin["headers"]
    assert client.post(_url(owner), headers=h, json=_body(name="By admin")).status_code == 201
    assert client.patch(t_url, headers=h, json={"description": "edited"}).status_code == 200
    added = client.post(s_url, headers=h, json={"name": "Toddler", "width_in": 6, "height_in": 6})
    assert added.status_code == 201
    assert client.patch(f"{s_url}/{added.get_json()['id']}", headers=h, json={"width_in": 7}).status_code == 200
    assert client.delete(f"{s_url}/{added.get_json()['id']}", headers=h).status_code == 204
    assert client.delete(t_url, headers=h).status_code == 204
    helpers.assert_error(client.get(_url(owner)), 401)


def test_each_mutation_writes_one_audit_event(client, owner, session):
    org_id, h = owner["org_id"], owner["headers"]
    created = _create(client, owner)
    [ev] = _events(session, org_id)
    assert (ev.event_type, ev.entity_type, ev.entity_id) == ("template.created", "templates", str(created["id"]))
    assert ev.user_id == owner["user"]["id"] and ev.request_id
    assert ev.changes["name"] == [None, "Adult tee front"] and ev.changes["dpi"] == [None, 300]
    assert ev.changes["sizes"][1] == [{"name": "Adult", "width_in": "11.000", "height_in": "12.500"},
                                      {"name": "Youth", "width_in": "9.000", "height_in": "10.000"}]
    t_url = _url(owner, str(created["id"]))
    adult = created["sizes"][0]["id"]
    pocket = client.post(f"{t_url}/sizes", headers=h, json={"name": "Pocket", "width_in": 4, "height_in": 4})
    pocket_id = pocket.get_json()["id"]
    steps = [
        ("PATCH", t_url, {"canvas": {"dpi": 600}}, "template.updated", "templates", created["id"],
         {"dpi": [300, 600]}),
        ("PATCH", f"{t_url}/sizes/{adult}", {"width_in": 10}, "template.size_updated", "template_sizes", adult,
         {"width_in": ["11.000", "10.000"]}),
        ("DELETE", f"{t_url}/sizes/{adult}", None, "template.size_removed", "template_sizes", adult,
         {"name": ["Adult", None]}),
        ("DELETE", t_url, None, "template.deleted", "templates", created["id"], None),
    ]
    added = _events(session, org_id)[-1]
    assert (added.event_type, added.entity_id, added.payload) == ("template.size_added", str(pocket_id),
                                                                 {"template_id": created["id"]})
    assert added.changes["name"] == [None, "Pocket"]
    for method, path, body, expected, entity_type, entity_id, changes in steps:
        before = len(_events(session, org_id, ""))
        response = client.open(path, method=method, headers=h, json=body)
        assert response.status_code < 300, (method, path, response.get_json())
        rows = _events(session, org_id, "")
        assert len(rows) == before + 1, (method, path)
        last = rows[-1]
        assert (last.event_type, last.entity_type, last.entity_id) == (expected, entity_type, str(entity_id))
        assert last.user_id == owner["user"]["id"]
        if changes is not None:
            assert last.changes == changes
    assert _events(session, org_id)[-1].changes["name"] == ["Adult tee front", None]


def test_noop_update_writes_no_event(client, owner, session):
    created = _create(client, owner)
    before = _counts(session, owner["org_id"])
    response = client.patch(_url(owner, str(created["id"])), headers=owner["headers"],
                            json={"name": "Adult tee front", "canvas": {"dpi": 300, "width_in": 22.0}})
    assert response.status_code == 200 and response.get_json() == created
    assert _counts(session, owner["org_id"]) == before


def test_failed_mutations_write_no_event(client, owner, session):
    created = _create(client, owner)
    before = _counts(session, owner["org_id"])
    h = owner["headers"]
    t_url = _url(owner, str(created["id"]))
    client.post(_url(owner), headers=h, json=_body())  # duplicate name
    client.patch(t_url, headers=h, json={"canvas": {"width_in": 1}})
    client.post(f"{t_url}/sizes", headers=h, json={"name": "Adult", "width_in": 1, "height_in": 1})
    client.post(f"{t_url}/sizes", headers=h, json={"name": "Huge", "width_in": 100, "height_in": 1})
    client.patch(f"{t_url}/sizes/{created['sizes'][1]['id']}", headers=h, json={"name": "Adult"})
    assert _counts(session, owner["org_id"]) == before
