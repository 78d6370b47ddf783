"""Templates API: creating, listing, updating and deleting templates, canvas rules and the OpenAPI entry."""
from __future__ import annotations

import json

import pytest
from sqlalchemy import select

from models import template as template_model
from models import tenancy
from tests import helpers
from tests.web.template_helpers import CANVAS, SIZES, _body, _counts, _create, _url


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


def test_delete_template_removes_its_sizes(client, owner, session):
    created = _create(client, owner)
    keep = _create(client, owner, name="Keep")
    url = _url(owner, str(created["id"]))
    assert client.delete(url, headers=owner["headers"]).status_code == 204
    helpers.assert_error(client.get(url, headers=owner["headers"]), 404)
    helpers.assert_error(client.delete(url, headers=owner["headers"]), 404)
    with tenancy.org_scope(owner["org_id"]):
        names = session.scalars(select(template_model.TemplateSize.name)
                                .order_by(template_model.TemplateSize.id)).all()
    assert names == [s["name"] for s in keep["sizes"]]


def test_templates_are_in_the_openapi_document(client):
    paths = client.get("/api/openapi.json").get_json()["paths"]
    for path in ("/api/organizations/{org_id}/templates/", "/api/organizations/{org_id}/templates/{template_id}",
                 "/api/organizations/{org_id}/templates/{template_id}/sizes",
                 "/api/organizations/{org_id}/templates/{template_id}/sizes/{size_id}"):
        assert path in paths, path
    schema = client.get("/api/openapi.json").get_json()["components"]["schemas"]["Template"]
    assert "canvas" in schema["properties"] and "sizes" in schema["properties"]
