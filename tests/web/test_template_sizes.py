"""Templates API: template sizes, their CRUD, canvas limits, nothing half written and tenant isolation."""
from __future__ import annotations

import json

import pytest

from tests import helpers
from tests.web.template_helpers import SIZES, _body, _counts, _create, _url


@pytest.fixture
def owner(client) -> dict:
    return helpers.register(client)


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
