"""Templates API: CRUD of templates and their sizes, canvas rules, roles, audit events, nothing half written."""
from __future__ import annotations

import json

import pytest
from sqlalchemy import func, select

from jobs import context
from models import event
from models import template as template_model
from tests import helpers

CANVAS = {"width_in": 22, "height_in": 24, "dpi": 300, "spacing_in": 0.25, "margin_in": 0.5, "allow_stretch": False}
SIZES = [{"name": "Adult", "width_in": 11, "height_in": 12.5}, {"name": "Youth", "width_in": 9, "height_in": 10}]


def _url(org: dict, suffix: str = "") -> str:
    return f"/api/organizations/{org['org_id']}/templates/{suffix}"


def _body(**overrides) -> dict:
    return {"name": "Adult tee front", "description": "DTF front print", "product_type": "tee",
            "canvas": dict(CANVAS), "sizes": [dict(s) for s in SIZES], **overrides}


def _create(client, org: dict, **overrides) -> dict:
    response = client.post(_url(org), headers=org["headers"], json=_body(**overrides))
    assert response.status_code == 201, response.get_json()
    return response.get_json()


def _counts(session, org_id: int) -> tuple[int, int, int]:
    with context.org_scope(org_id):
        return (session.scalar(select(func.count()).select_from(template_model.Template)),
                session.scalar(select(func.count()).select_from(template_model.TemplateSize)),
                session.scalar(select(func.count()).select_from(event.Event)))


def _events(session, org_id: int, prefix: str = "template.") -> list[event.Event]:
    with context.org_scope(org_id):
        return list(session.scalars(select(event.Event).where(event.Event.event_type.startswith(prefix))
                                    .order_by(event.Event.id)))


@pytest.fixture
def owner(client) -> dict:
    return helpers.register(client)


def test_create_and_get_show_canvas_and_sizes(client, owner):
    created = _create(client, owner)
    assert created["name"] == "Adult tee front" and created["product_type"] == "tee"
    assert created["description"] == "DTF front print"
    assert created["canvas"] == {"width_in": 22.0, "height_in": 24.0, "dpi": 300, "spacing_in": 0.25,
                                 "margin_in": 0.5, "allow_stretch": False}
    assert [(s["name"], s["width_in"], s["height_in"]) for s in created["sizes"]] == [
        ("Adult", 11.0, 12.5), ("Youth", 9.0, 10.0)]
    assert all(isinstance(s["id"], int) for s in created["sizes"])
    assert created["created_at"] and created["updated_at"]
    got = client.get(_url(owner, str(created["id"])), headers=owner["headers"])
    assert got.status_code == 200 and got.get_json() == created


def test_create_applies_canvas_defaults_and_allows_no_sizes(client, owner):
    created = _create(client, owner, canvas={"width_in": 22.5, "height_in": 100}, sizes=[], description=None,
                      product_type=None)
    assert created["canvas"] == {"width_in": 22.5, "height_in": 100.0, "dpi": 300, "spacing_in": 0.25,
                                 "margin_in": 0.0, "allow_stretch": False}
    assert created["sizes"] == [] and created["description"] is None and created["product_type"] is None
    minimal = client.post(_url(owner), headers=owner["headers"],
                          json={"name": "UVDTF 16oz", "canvas": {"width_in": 9.5, "height_in": 4.25}})
    assert minimal.status_code == 201 and minimal.get_json()["sizes"] == []


def test_list_filters_and_paginates(client, owner):
    _create(client, owner, name="UVDTF 16oz", product_type="uvdtf", sizes=[])
    _create(client, owner, name="UVDTF 20oz", product_type="uvdtf", sizes=[])
    _create(client, owner, name="Adult tee front", product_type="tee")
    _create(client, owner, name="100%_cotton", product_type="tee", sizes=[])
    h = owner["headers"]
    names = [t["name"] for t in client.get(_url(owner), headers=h).get_json()]
    assert names == ["100%_cotton", "Adult tee front", "UVDTF 16oz", "UVDTF 20oz"]
    assert [t["name"] for t in client.get(_url(owner, "?q=uvdtf"), headers=h).get_json()] == [
        "UVDTF 16oz", "UVDTF 20oz"]
    # LIKE wildcards in q are literal.
    assert [t["name"] for t in client.get(_url(owner, "?q=%25_"), headers=h).get_json()] == ["100%_cotton"]
    assert [t["name"] for t in client.get(_url(owner, "?product_type=tee"), headers=h).get_json()] == [
        "100%_cotton", "Adult tee front"]
    assert [t["name"] for t in client.get(_url(owner, "?q=20&product_type=uvdtf"), headers=h).get_json()] == [
        "UVDTF 20oz"]
    page = client.get(_url(owner, "?page=2&page_size=3"), headers=h)
    assert [t["name"] for t in page.get_json()] == ["UVDTF 20oz"]
    assert json.loads(page.headers["X-Pagination"])["total"] == 4
    helpers.assert_error(client.get(_url(owner, "?page_size=0"), headers=h), 422)


def test_update_name_description_and_canvas(client, owner):
    created = _create(client, owner)
    url = _url(owner, str(created["id"]))
    response = client.patch(url, headers=owner["headers"],
                            json={"name": "Tee front", "description": None,
                                  "canvas": {"dpi": 600, "allow_stretch": True, "height_in": 30}})
    assert response.status_code == 200, response.get_json()
    body = response.get_json()
    assert body["name"] == "Tee front" and body["description"] is None and body["product_type"] == "tee"
    assert body["canvas"] == {**{k: float(v) for k, v in CANVAS.items() if k not in ("dpi", "allow_stretch")},
                              "height_in": 30.0, "dpi": 600, "allow_stretch": True}
    assert body["sizes"] == created["sizes"]
    assert client.get(url, headers=owner["headers"]).get_json() == body


def test_shrinking_the_canvas_below_a_size_is_refused_naming_it(client, owner, session):
    created = _create(client, owner)
    before = _counts(session, owner["org_id"])
    url = _url(owner, str(created["id"]))
    err = helpers.assert_error(client.patch(url, headers=owner["headers"], json={"canvas": {"width_in": 10}}), 422)
    assert "Adult" in err["message"] and "Adult" in err["errors"]["canvas"]["width_in"][0]
    err = helpers.assert_error(client.patch(url, headers=owner["headers"],
                                            json={"name": "Renamed", "canvas": {"height_in": 12}}), 422)
    assert "Adult" in err["message"] and "height_in" in err["errors"]["canvas"]
    # Nothing of the refused change was kept, not even the valid rename.
    assert client.get(url, headers=owner["headers"]).get_json() == created
    assert _counts(session, owner["org_id"]) == before
    # Exactly the largest size still fits.
    ok = client.patch(url, headers=owner["headers"], json={"canvas": {"width_in": 11, "height_in": 12.5}})
    assert ok.status_code == 200 and ok.get_json()["canvas"]["width_in"] == 11.0


@pytest.mark.parametrize("canvas, field", [
    ({"width_in": 0, "height_in": 24}, "width_in"),
    ({"width_in": -1, "height_in": 24}, "width_in"),
    ({"width_in": 22, "height_in": -0.5}, "height_in"),
    ({"width_in": 22, "height_in": 0.0001}, "height_in"),
    ({"width_in": 5000, "height_in": 24}, "width_in"),
    ({"width_in": "22", "height_in": 24}, "width_in"),
    ({"width_in": 22, "height_in": 24, "dpi": 71}, "dpi"),
    ({"width_in": 22, "height_in": 24, "dpi": 4801}, "dpi"),
    ({"width_in": 22, "height_in": 24, "dpi": 300.5}, "dpi"),
    ({"width_in": 22, "height_in": 24, "spacing_in": -0.1}, "spacing_in"),
    ({"width_in": 22, "height_in": 24, "margin_in": 11}, "margin_in"),
    ({"width_in": 22, "height_in": 24, "allow_stretch": "yes"}, "allow_stretch"),
    ({"width_in": 22, "height_in": 24, "bleed_in": 1}, "bleed_in"),
    ({"height_in": 24}, "width_in"),
])
def test_invalid_canvas_is_422_naming_the_field(client, owner, session, canvas, field):
    before = _counts(session, owner["org_id"])
    err = helpers.assert_error(client.post(_url(owner), headers=owner["headers"],
                                           json=_body(canvas=canvas, sizes=[])), 422)
    assert field in err["errors"]["canvas"], err
    assert _counts(session, owner["org_id"]) == before


def test_dpi_bounds_are_inclusive(client, owner):
    assert _create(client, owner, name="low", canvas={**CANVAS, "dpi": 72})["canvas"]["dpi"] == 72
    assert _create(client, owner, name="high", canvas={**CANVAS, "dpi": 4800})["canvas"]["dpi"] == 4800


@pytest.mark.parametrize("size, field", [
    ({"name": "Adult", "width_in": 0, "height_in": 10}, "width_in"),
    ({"name": "Adult", "width_in": 10, "height_in": -2}, "height_in"),
    ({"name": "Adult", "width_in": 23, "height_in": 10}, "width_in"),
    ({"name": "Adult", "width_in": 10, "height_in": 24.001}, "height_in"),
    ({"name": "", "width_in": 10, "height_in": 10}, "name"),
    ({"name": " Adult", "width_in": 10, "height_in": 10}, "name"),
    ({"name": "Adult", "width_in": 10}, "height_in"),
    ({"name": "Adult", "width_in": 10, "height_in": 10, "color": "red"}, "color"),
])
def test_a_bad_size_writes_neither_template_nor_sizes(client, owner, session, size, field):
    before = _counts(session, owner["org_id"])
    err = helpers.assert_error(client.post(_url(owner), headers=owner["headers"],
                                           json=_body(sizes=[SIZES[1], size])), 422)
    assert field in err["errors"]["sizes"]["1"], err
    assert _counts(session, owner["org_id"]) == before


def test_duplicate_names(client, owner, session):
    err = helpers.assert_error(client.post(_url(owner), headers=owner["headers"],
                                           json=_body(sizes=[SIZES[0], SIZES[1], dict(SIZES[0])])), 422)
    assert "Duplicate" in err["errors"]["sizes"]["2"]["name"][0] and "0" not in err["errors"]["sizes"]
    _create(client, owner)
    before = _counts(session, owner["org_id"])
    err = helpers.assert_error(client.post(_url(owner), headers=owner["headers"], json=_body()), 409)
    assert err["errors"]["constraint"] == "uq_templates_org_id_name"
    assert _counts(session, owner["org_id"]) == before
    other = _create(client, owner, name="Other")
    helpers.assert_error(client.patch(_url(owner, str(other["id"])), headers=owner["headers"],
                                      json={"name": "Adult tee front"}), 409)
    # Another organization may use the same name.
    _create(client, helpers.register(client))


def test_update_validation(client, owner):
    created = _create(client, owner)
    url = _url(owner, str(created["id"]))
    for body, field in [({"name": ""}, "name"), ({"name": None}, "name"), ({"sizes": []}, "sizes"),
                        ({"canvas": {"dpi": 10}}, "dpi"), ({"canvas": {"margin_in": 12}}, "margin_in"),
                        ({"canvas": {"allow_stretch": "true"}}, "allow_stretch"), ({"id": 5}, "id")]:
        err = helpers.assert_error(client.patch(url, headers=owner["headers"], json=body), 422)
        assert field in json.dumps(err["errors"]), (body, err)
    assert client.get(url, headers=owner["headers"]).get_json() == created


def test_size_crud(client, owner):
    created = _create(client, owner)
    sizes_url = _url(owner, f"{created['id']}/sizes")
    h = owner["headers"]
    listed = client.get(sizes_url, headers=h)
    assert listed.status_code == 200 and listed.get_json() == created["sizes"]
    assert json.loads(listed.headers["X-Pagination"])["total"] == 2
    added = client.post(sizes_url, headers=h, json={"name": "Pocket", "width_in": 4, "height_in": 4})
    assert added.status_code == 201, added.get_json()
    pocket = added.get_json()
    assert pocket["name"] == "Pocket" and pocket["width_in"] == 4.0 and isinstance(pocket["id"], int)
    assert client.get(f"{sizes_url}/{pocket['id']}", headers=h).get_json() == pocket
    patched = client.patch(f"{sizes_url}/{pocket['id']}", headers=h, json={"name": "Left chest", "height_in": 3.5})
    assert patched.status_code == 200
    assert patched.get_json() == {**pocket, "name": "Left chest", "height_in": 3.5}
    template = client.get(_url(owner, str(created["id"])), headers=h).get_json()
    assert [s["name"] for s in template["sizes"]] == ["Adult", "Youth", "Left chest"]
    assert client.delete(f"{sizes_url}/{created['sizes'][0]['id']}", headers=h).status_code == 204
    assert [s["name"] for s in client.get(sizes_url, headers=h).get_json()] == ["Youth", "Left chest"]
    helpers.assert_error(client.get(f"{sizes_url}/{created['sizes'][0]['id']}", headers=h), 404)


def test_size_validation(client, owner, session):
    created = _create(client, owner)
    sizes_url = _url(owner, f"{created['id']}/sizes")
    adult = f"{sizes_url}/{created['sizes'][0]['id']}"
    h = owner["headers"]
    before = _counts(session, owner["org_id"])
    for body, field in [({"name": "Big", "width_in": 22.5, "height_in": 5}, "width_in"),
                        ({"name": "Tall", "width_in": 5, "height_in": 25}, "height_in"),
                        ({"name": "Zero", "width_in": 0, "height_in": 5}, "width_in"),
                        ({"name": "Neg", "width_in": 5, "height_in": -5}, "height_in"),
                        ({"name": "Str", "width_in": "5", "height_in": 5}, "width_in"),
                        ({"width_in": 5, "height_in": 5}, "name"),
                        ({"name": "X", "width_in": 5, "height_in": 5, "id": 3}, "id")]:
        err = helpers.assert_error(client.post(sizes_url, headers=h, json=body), 422)
        assert field in err["errors"], (body, err)
    err = helpers.assert_error(client.post(sizes_url, headers=h, json={"name": "Youth", "width_in": 1,
                                                                       "height_in": 1}), 409)
    assert err["errors"]["constraint"] == "uq_template_sizes_template_id_name"
    for body, field in [({"width_in": 30}, "width_in"), ({"height_in": 0}, "height_in"),
                        ({"name": ""}, "name"), ({"template_id": 1}, "template_id")]:
        err = helpers.assert_error(client.patch(adult, headers=h, json=body), 422)
        assert field in err["errors"], (body, err)
    helpers.assert_error(client.patch(adult, headers=h, json={"name": "Youth"}), 409)
    assert _counts(session, owner["org_id"]) == before
    assert client.get(_url(owner, str(created["id"])), headers=h).get_json() == created
    # Exactly the canvas size fits.
    full = client.post(sizes_url, headers=h, json={"name": "Full sheet", "width_in": 22, "height_in": 24})
    assert full.status_code == 201


def test_size_of_another_template_or_org_is_404(client, owner):
    first = _create(client, owner)
    second = _create(client, owner, name="Second")
    h = owner["headers"]
    foreign = first["sizes"][0]["id"]
    wrong = _url(owner, f"{second['id']}/sizes/{foreign}")
    helpers.assert_error(client.get(wrong, headers=h), 404)
    helpers.assert_error(client.patch(wrong, headers=h, json={"name": "Hijack"}), 404)
    helpers.assert_error(client.delete(wrong, headers=h), 404)
    helpers.assert_error(client.get(_url(owner, f"{first['id']}/sizes/987654"), headers=h), 404)
    helpers.assert_error(client.get(_url(owner, "987654"), headers=h), 404)
    helpers.assert_error(client.get(_url(owner, "987654/sizes"), headers=h), 404)
    intruder = helpers.register(client)
    mine = _create(client, intruder)
    # The intruder's own org in the path, the victim's ids: still not found.
    for path in (str(first["id"]), f"{first['id']}/sizes", f"{mine['id']}/sizes/{foreign}"):
        helpers.assert_error(client.get(_url(intruder, path), headers=intruder["headers"]), 404)
    helpers.assert_error(client.patch(_url(intruder, str(first["id"])), headers=intruder["headers"],
                                      json={"name": "Hijacked"}), 404)
    helpers.assert_error(client.delete(_url(intruder, str(first["id"])), headers=intruder["headers"]), 404)
    helpers.assert_error(client.get(_url(owner), headers=intruder["headers"]), 404)
    assert [t["name"] for t in client.get(_url(intruder), headers=intruder["headers"]).get_json()] == [
        "Adult tee front"]
    assert client.get(_url(owner, str(first["id"])), headers=h).get_json() == first


def test_delete_template_removes_its_sizes(client, owner, session):
    created = _create(client, owner)
    keep = _create(client, owner, name="Keep")
    url = _url(owner, str(created["id"]))
    assert client.delete(url, headers=owner["headers"]).status_code == 204
    helpers.assert_error(client.get(url, headers=owner["headers"]), 404)
    helpers.assert_error(client.delete(url, headers=owner["headers"]), 404)
    with context.org_scope(owner["org_id"]):
        names = session.scalars(select(template_model.TemplateSize.name)
                                .order_by(template_model.TemplateSize.id)).all()
    assert names == [s["name"] for s in keep["sizes"]]


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


def test_templates_are_in_the_openapi_document(client):
    paths = client.get("/api/openapi.json").get_json()["paths"]
    for path in ("/api/organizations/{org_id}/templates/", "/api/organizations/{org_id}/templates/{template_id}",
                 "/api/organizations/{org_id}/templates/{template_id}/sizes",
                 "/api/organizations/{org_id}/templates/{template_id}/sizes/{size_id}"):
        assert path in paths, path
    schema = client.get("/api/openapi.json").get_json()["components"]["schemas"]["Template"]
    assert "canvas" in schema["properties"] and "sizes" in schema["properties"]
