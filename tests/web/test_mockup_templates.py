"""Mockup templates API: CRUD with geometry checked against the photo, roles, audit, and the synchronous preview."""
from __future__ import annotations

import io
from pathlib import Path

import pytest
from PIL import Image
from sqlalchemy import select

from models import event, tenancy
from tests import helpers, imagegen
from tests.web import test_files

RECT = [[200, 150], [600, 150], [600, 450], [200, 450]]
SVG = b'<svg xmlns="http://www.w3.org/2000/svg" width="10" height="10"><rect width="10" height="10"/></svg>'


def _url(org: dict, suffix: str = "") -> str:
    return f"/api/organizations/{org['org_id']}/mockup-templates/{suffix}"


def photo(width: int = 800, height: int = 600) -> bytes:
    buf = io.BytesIO()
    Image.new("RGB", (width, height), (200, 200, 200)).save(buf, "JPEG", quality=90)
    return buf.getvalue()


def _file(client, org: dict, data: bytes, name: str, file_type: str = "templates") -> dict:
    response = test_files.upload(client, org, data, name=name, file_type=file_type, allow_duplicate="true")
    assert response.status_code == 201, response.get_json()
    return response.get_json()["file"]


def _body(base_id: int, **extra) -> dict:
    return {"name": "Tee front", "base_file_id": base_id, "areas": [{"points": RECT}], **extra}


@pytest.fixture
def shop(client):
    owner = helpers.register(client)
    owner["photo"] = _file(client, owner, photo(), "tee.jpg")
    owner["design"] = _file(client, owner, imagegen.png(100, 100, color=(220, 30, 30, 255)), "cat.png", "designs")
    return owner


def _events(session, org_id: int) -> list[event.Event]:
    with tenancy.org_scope(org_id):
        return session.scalars(select(event.Event).where(event.Event.entity_type == "mockup_templates")
                               .order_by(event.Event.id)).all()


def test_crud_with_audit_events(client, session, shop):
    mark = _file(client, shop, imagegen.png(50, 20), "mark.png", "watermarks")
    body = _body(shop["photo"]["id"], watermark={"file_id": mark["id"], "position": "tile"},
                 areas=[{"points": RECT, "blend": "multiply", "fit": "cover"},
                        {"shape": "polygon", "points": [[50, 50], [150, 60], [100, 140]]}])
    created = client.post(_url(shop), headers=shop["headers"], json=body)
    assert created.status_code == 201, created.get_json()
    tpl = created.get_json()
    assert tpl["areas"][0] == {"shape": "quad", "points": RECT, "fit": "cover", "align": "center",
                               "blend": "multiply", "opacity": 1.0, "displacement": 0.0}
    assert tpl["watermark"] == {"file_id": mark["id"], "opacity": 0.3, "scale": 0.2, "position": "tile",
                                "margin": 0.02}
    assert tpl["output"] == {"format": "JPEG", "long_side": 2000, "quality": 90}
    assert client.get(_url(shop, str(tpl["id"])), headers=shop["headers"]).get_json() == tpl
    listed = client.get(_url(shop) + "?q=front", headers=shop["headers"])
    assert [t["id"] for t in listed.get_json()] == [tpl["id"]] and "X-Pagination" in listed.headers
    assert client.get(_url(shop) + "?q=back", headers=shop["headers"]).get_json() == []
    patched = client.patch(_url(shop, str(tpl["id"])), headers=shop["headers"],
                           json={"name": "Tee back", "output": {"format": "WEBP"}, "watermark": None})
    assert patched.status_code == 200, patched.get_json()
    assert patched.get_json()["output"] == {"format": "WEBP", "long_side": 2000, "quality": 90}
    assert patched.get_json()["watermark"] is None and patched.get_json()["name"] == "Tee back"
    assert client.delete(_url(shop, str(tpl["id"])), headers=shop["headers"]).status_code == 204
    helpers.assert_error(client.get(_url(shop, str(tpl["id"])), headers=shop["headers"]), 404)
    events = _events(session, shop["org_id"])
    assert [e.event_type for e in events] == ["mockup_template.created", "mockup_template.updated",
                                              "mockup_template.deleted"]
    assert all(e.user_id == shop["user"]["id"] and e.entity_id == str(tpl["id"]) for e in events)
    assert events[0].changes["name"] == [None, "Tee front"]
    assert events[1].changes["name"] == ["Tee front", "Tee back"] and "watermark" in events[1].changes
    assert events[2].changes["name"] == ["Tee back", None]


@pytest.mark.parametrize("points, shape, problem", [
    ([[200, 150], [900, 150], [600, 450], [200, 450]], "quad", "outside the 800x600 photo"),
    ([[200, 150], [600, 450], [600, 150], [200, 450]], "quad", "self-intersecting"),
    ([[200, 150], [400, 150], [600, 150], [300, 150]], "quad", "zero-size"),
    ([[100, 100], [200, 200], [300, 300], [400, 400]], "quad", "collinear"),
    ([[200, 150], [200, 450], [600, 450], [600, 150]], "quad", "mirrored"),
    ([[200, 150], [600, 150], [600, 150], [200, 450]], "quad", "repeat"),
    ([[200, 150], [600, 150], [300, 250], [200, 450]], "quad", "not convex"),
    ([[100, 100], [300, 300], [100, 300], [300, 100]], "polygon", "self-intersecting"),
    ([[100, 100], [200, 100], [300, 100]], "polygon", "zero-size"),
    ([[-5, 10], [100, 10], [100, 100]], "polygon", "outside"),
])
def test_geometry_problems_are_422_naming_the_area(client, session, shop, points, shape, problem):
    body = _body(shop["photo"]["id"], areas=[{"points": RECT}, {"shape": shape, "points": points}])
    err = helpers.assert_error(client.post(_url(shop), headers=shop["headers"], json=body), 422)
    assert list(err["errors"]["areas"]) == ["1"], err
    assert problem in err["errors"]["areas"]["1"][0] and "area 1" in err["message"], err
    assert _events(session, shop["org_id"]) == []


@pytest.mark.parametrize("area, field", [
    ({"points": RECT[:3]}, "points"),
    ({"shape": "polygon", "points": RECT[:2]}, "points"),
    ({"points": [["200", 150], *RECT[1:]]}, "points"),
    ({"points": RECT, "opacity": 1.5}, "opacity"),
    ({"points": RECT, "displacement": -1}, "displacement"),
    ({"points": RECT, "fit": "fill"}, "fit"),
    ({"points": RECT, "blend": "screen"}, "blend"),
    ({"points": RECT, "align": "middle"}, "align"),
])
def test_area_options_are_checked(client, shop, area, field):
    body = _body(shop["photo"]["id"], areas=[area])
    err = helpers.assert_error(client.post(_url(shop), headers=shop["headers"], json=body), 422)
    assert field in err["errors"]["areas"]["0"], err


def test_area_count_and_output_bounds(client, shop):
    base = shop["photo"]["id"]
    for body, field in [(_body(base, areas=[]), "areas"), (_body(base, areas=[{"points": RECT}] * 11), "areas"),
                        (_body(base, output={"long_side": 100}), "output"),
                        (_body(base, output={"format": "GIF"}), "output"),
                        (_body(base, watermark={"file_id": base, "opacity": 2}), "watermark")]:
        err = helpers.assert_error(client.post(_url(shop), headers=shop["headers"], json=body), 422)
        assert field in err["errors"], (body, err)


def test_photo_must_be_a_readable_image_of_the_org(client, settings, shop):
    svg = _file(client, shop, SVG, "vector.svg")
    err = helpers.assert_error(client.post(_url(shop), headers=shop["headers"], json=_body(svg["id"])), 422)
    assert "base_file_id" in err["errors"] and "not a raster image" in err["message"]
    broken = _file(client, shop, photo(), "broken.jpg")
    (Path(settings.local_root_path) / broken["storage_key"]).write_bytes(b"\xff\xd8\xff\xe0 not really a jpeg")
    err = helpers.assert_error(client.post(_url(shop), headers=shop["headers"], json=_body(broken["id"])), 422)
    assert "base_file_id" in err["errors"] and "not a readable image" in err["message"]
    other = helpers.register(client)
    foreign = _file(client, other, photo(), "theirs.jpg")
    err = helpers.assert_error(client.post(_url(shop), headers=shop["headers"], json=_body(foreign["id"])), 422)
    assert err["errors"] == {"base_file_id": [f"Unknown file {foreign['id']}"]}
    err = helpers.assert_error(client.post(_url(shop), headers=shop["headers"], json=_body(
        shop["photo"]["id"], watermark={"file_id": svg["id"]})), 422)
    assert "watermark.file_id" in err["errors"]


def test_duplicate_name_is_409(client, shop):
    assert client.post(_url(shop), headers=shop["headers"], json=_body(shop["photo"]["id"])).status_code == 201
    helpers.assert_error(client.post(_url(shop), headers=shop["headers"], json=_body(shop["photo"]["id"])), 409)
    second = client.post(_url(shop), headers=shop["headers"], json=_body(shop["photo"]["id"], name="Mug"))
    helpers.assert_error(client.patch(_url(shop, str(second.get_json()["id"])), headers=shop["headers"],
                                      json={"name": "Tee front"}), 409)
    # The same name in another organization is fine.
    other = helpers.register(client)
    theirs = _file(client, other, photo(), "tee.jpg")
    assert client.post(_url(other), headers=other["headers"], json=_body(theirs["id"])).status_code == 201


def test_patch_rechecks_areas_against_a_new_photo(client, shop):
    tpl = client.post(_url(shop), headers=shop["headers"], json=_body(shop["photo"]["id"])).get_json()
    small = _file(client, shop, photo(300, 200), "small.jpg")
    err = helpers.assert_error(client.patch(_url(shop, str(tpl["id"])), headers=shop["headers"],
                                            json={"base_file_id": small["id"]}), 422)
    assert "outside the 300x200 photo" in err["errors"]["areas"]["0"][0]
    moved = client.patch(_url(shop, str(tpl["id"])), headers=shop["headers"],
                         json={"base_file_id": small["id"], "areas": [{"points": [[10, 10], [290, 10],
                                                                                  [290, 190], [10, 190]]}]})
    assert moved.status_code == 200 and moved.get_json()["base_file_id"] == small["id"]


def test_viewer_reads_admin_manages(client, shop):
    tpl = client.post(_url(shop), headers=shop["headers"], json=_body(shop["photo"]["id"])).get_json()
    viewer, operator = helpers.add_member(client, shop, "viewer"), helpers.add_member(client, shop, "operator")
    admin = helpers.add_member(client, shop, "admin")
    for member in (viewer, operator):
        assert client.get(_url(shop), headers=member["headers"]).status_code == 200
        assert client.get(_url(shop, str(tpl["id"])), headers=member["headers"]).status_code == 200
        helpers.assert_error(client.post(_url(shop), headers=member["headers"],
                                         json=_body(shop["photo"]["id"], name="Other")), 403)
        helpers.assert_error(client.patch(_url(shop, str(tpl["id"])), headers=member["headers"],
                                          json={"name": "X"}), 403)
        helpers.assert_error(client.delete(_url(shop, str(tpl["id"])), headers=member["headers"]), 403)
    preview = client.post(_url(shop, f"{tpl['id']}/preview"), headers=viewer["headers"],
                          json={"file_id": shop["design"]["id"]})
    assert preview.status_code == 200
    made = client.post(_url(shop), headers=admin["headers"], json=_body(shop["photo"]["id"], name="Admin's"))
    assert made.status_code == 201
    assert client.patch(_url(shop, str(tpl["id"])), headers=admin["headers"], json={"name": "Y"}).status_code == 200
    assert client.delete(_url(shop, str(made.get_json()["id"])), headers=admin["headers"]).status_code == 204


def test_another_orgs_template_is_404(client, shop):
    tpl = client.post(_url(shop), headers=shop["headers"], json=_body(shop["photo"]["id"])).get_json()
    other = helpers.register(client)
    for method in ("GET", "PATCH", "DELETE"):
        helpers.assert_error(client.open(_url(other, str(tpl["id"])), method=method, headers=other["headers"],
                                         json={"name": "Mine"} if method == "PATCH" else None), 404)
    theirs = _file(client, other, imagegen.png(), "d.png", "designs")
    helpers.assert_error(client.post(_url(other, f"{tpl['id']}/preview"), headers=other["headers"],
                                     json={"file_id": theirs["id"]}), 404)


@pytest.mark.parametrize("fmt, mime, long_side", [("JPEG", "image/jpeg", 500), ("WEBP", "image/webp", 600),
                                                  ("PNG", "image/png", 320)])
def test_preview_is_a_decodable_image_of_the_requested_size(client, shop, fmt, mime, long_side):
    tpl = client.post(_url(shop), headers=shop["headers"], json=_body(shop["photo"]["id"], areas=[
        {"points": RECT, "fit": "stretch"}])).get_json()
    response = client.post(_url(shop, f"{tpl['id']}/preview"), headers=shop["headers"],
                           json={"file_id": shop["design"]["id"], "long_side": long_side, "format": fmt})
    assert response.status_code == 200, response.get_data(as_text=True)[:300]
    assert response.mimetype == mime
    image = Image.open(io.BytesIO(response.data))
    image.load()
    assert image.format == fmt and image.size == (long_side, round(long_side * 0.75))
    # The design lands inside the print area; the photo stays grey outside it.
    scale = long_side / 800
    red, grey = image.convert("RGB").getpixel((round(400 * scale), round(300 * scale))), image.convert(
        "RGB").getpixel((5, 5))
    assert red[0] > 180 and red[1] < 80 and all(abs(c - 200) < 12 for c in grey), (red, grey)


def test_preview_refuses_bad_designs_and_sizes(client, settings, shop):
    tpl = client.post(_url(shop), headers=shop["headers"], json=_body(shop["photo"]["id"])).get_json()
    url = _url(shop, f"{tpl['id']}/preview")
    svg = _file(client, shop, SVG, "logo.svg", "designs")
    err = helpers.assert_error(client.post(url, headers=shop["headers"], json={"file_id": svg["id"]}), 422)
    assert "file_id" in err["errors"] and "not a raster image" in err["message"]
    broken = _file(client, shop, imagegen.png(60, 60), "broken.png", "designs")
    (Path(settings.local_root_path) / broken["storage_key"]).write_bytes(imagegen.png(60, 60)[:120])
    err = helpers.assert_error(client.post(url, headers=shop["headers"], json={"file_id": broken["id"]}), 422)
    assert "file_id" in err["errors"] and "not a readable image" in err["message"]
    other = helpers.register(client)
    foreign = _file(client, other, imagegen.png(), "theirs.png", "designs")
    err = helpers.assert_error(client.post(url, headers=shop["headers"], json={"file_id": foreign["id"]}), 422)
    assert err["errors"] == {"file_id": [f"Unknown file {foreign['id']}"]}
    for body in ({"file_id": shop["design"]["id"], "long_side": 1201},
                 {"file_id": shop["design"]["id"], "format": "GIF"}, {}):
        helpers.assert_error(client.post(url, headers=shop["headers"], json=body), 422)
