"""Gang sheet layout previews: layout, totals, preflight findings named by design, film cost, trimmed artwork,
natural sizes, pictures (PNG, SVG), and 422s naming the item."""
from __future__ import annotations

import io
import json

from tests import helpers, imagegen
from tests.web.test_files import upload


def _layout(client, org: dict, body: dict):
    return client.post(f"/api/organizations/{org['org_id']}/gang-sheets/layout", headers=org["headers"], json=body)


def _design(client, org: dict, w: int = 1200, h: int = 900, **kw) -> dict:
    return upload(client, org, imagegen.png(w, h, **kw), name=f"d{w}x{h}.png").get_json()["file"]


def test_layout_answers_sheets_totals_and_film_cost(client):
    owner = helpers.register(client)
    client.patch(f"/api/organizations/{owner['org_id']}", headers=owner["headers"],
                 json={"settings": {"film_price_per_inch": "0.50", "currency": "USD"}})
    a, b = _design(client, owner, 1200, 1050), _design(client, owner, 600, 600, color=(0, 90, 0, 255))
    body = {"sheet_width": 22, "spacing": 0.25, "items": [{"file_id": a["id"], "width_in": 4, "quantity": 12},
                                                           {"file_id": b["id"], "width_in": 2, "height_in": 2,
                                                            "quantity": 30}]}
    response = _layout(client, owner, body)
    assert response.status_code == 200, response.get_json()
    data = response.get_json()
    placements = data["layout"]["sheets"][0]["placements"]
    assert data["sheet_count"] == 1 and len(placements) == 42
    # Keys are the designs' names; `designs` maps each back to its file.
    assert {p["key"] for p in placements} == {a["filename"], b["filename"]}
    assert {k: d["file_id"] for k, d in data["designs"].items()} == {a["filename"]: a["id"], b["filename"]: b["id"]}
    sized = next(p for p in placements if p["key"] == a["filename"])
    assert sorted([sized["width"], sized["height"]]) == [3.5, 4]  # height from the design's aspect ratio
    assert 0 < data["utilization"] <= 1 and data["total_length_in"] == data["layout"]["sheets"][0]["length"]
    assert data["film_cost"] == {"price_per_inch": 0.5, "currency": "USD",
                                 "total": round(0.5 * data["total_length_in"], 2)}
    assert data["preflight"] == [] and data["dpi"] == 300


def test_preflight_flags_low_resolution_and_missing_transparency(client):
    owner = helpers.register(client)
    low = _design(client, owner, 200, 200)
    flat = _design(client, owner, 1500, 1500, alpha=False)
    data = _layout(client, owner, {"items": [{"file_id": low["id"], "width_in": 4, "height_in": 4},
                                             {"file_id": flat["id"], "width_in": 4, "height_in": 4}]}).get_json()
    codes = {(f["key"], f["file_id"], f["code"], f["level"]) for f in data["preflight"]}
    assert (low["filename"], low["id"], "dpi_below_minimum", "error") in codes
    assert (flat["filename"], flat["id"], "no_transparency", "warning") in codes
    messages = " ".join(f["message"] for f in data["preflight"])
    assert f"design '{low['filename']}' placed at 4 x 4 in reaches 50 DPI" in messages


def test_template_sizes_fit_the_design_and_max_length_splits(client):
    owner = helpers.register(client)
    tpl = client.post(f"/api/organizations/{owner['org_id']}/templates/", headers=owner["headers"], json={
        "name": "Tee", "canvas": {"width_in": 22, "height_in": 30, "dpi": 300, "spacing_in": 0.5},
        "sizes": [{"name": "Adult", "width_in": 11, "height_in": 11}]}).get_json()
    wide = _design(client, owner, 2200, 1100)
    data = _layout(client, owner, {"template_id": tpl["id"], "max_length": 12, "items": [
        {"file_id": wide["id"], "size_id": tpl["sizes"][0]["id"], "quantity": 6}]}).get_json()
    assert data["sheet_width"] == 22 and data["sheet_count"] >= 2
    assert all(s["length"] <= 12 for s in data["layout"]["sheets"])
    placed = data["layout"]["sheets"][0]["placements"][0]
    assert sorted([placed["width"], placed["height"]]) == [5.5, 11]
    # Without a printer, the template's 22 x 30 in canvas is the sheet: no sheet is longer than it.
    canvas = _layout(client, owner, {"template_id": tpl["id"], "items": [
        {"file_id": wide["id"], "size_id": tpl["sizes"][0]["id"], "quantity": 16}]}).get_json()
    assert canvas["sheet_count"] >= 2 and all(s["length"] <= 30 for s in canvas["layout"]["sheets"])


def test_printer_sets_the_roll_and_sheet_limits(client):
    owner = helpers.register(client)
    client.post("/api/printers/", headers=owner["headers"], json={
        "name": "A3 UV", "printer_type": "uvdtf", "max_width_in": 11.7, "max_height_in": 16.5, "dpi": 600})
    design = _design(client, owner, 3000, 3000)
    data = _layout(client, owner, {"items": [{"file_id": design["id"], "width_in": 5, "height_in": 5,
                                              "quantity": 12}]}).get_json()
    assert data["sheet_width"] == 11.7 and data["dpi"] == 600 and data["sheet_count"] >= 2
    assert all(s["length"] <= 16.5 for s in data["layout"]["sheets"])


def test_bad_requests_name_the_item(client, app, settings, monkeypatch):
    import dataclasses

    owner = helpers.register(client)
    other = helpers.register(client)
    mine = _design(client, owner)
    theirs = _design(client, other, 800, 800)
    cases = [
        ({"items": [{"file_id": mine["id"], "width_in": 0, "height_in": 2}]}, "items"),
        ({"items": [{"file_id": mine["id"], "width_in": -3}]}, "items"),
        ({"items": [{"file_id": mine["id"], "width_in": 2, "quantity": 0}]}, "items"),
        ({"items": [{"file_id": 99999, "width_in": 2}]}, "Unknown file 99999"),
        ({"items": [{"file_id": theirs["id"], "width_in": 2}]}, f"Unknown file {theirs['id']}"),
        ({"items": [{"file_id": mine["id"], "width_in": 30, "height_in": 25}]}, f"item '{mine['filename']}'"),
        ({"items": [{"file_id": mine["id"], "width_in": 2, "size_id": 1}]}, "not both"),
        ({"items": [{"file_id": mine["id"], "width_in": 2}], "rotation": "sideways"}, "rotation"),
    ]
    for body, needle in cases:
        err = helpers.assert_error(_layout(client, owner, body), 422)
        assert needle in json.dumps(err), (body, err)
    monkeypatch.setitem(app.extensions, "esa_settings", dataclasses.replace(settings, gang_max_quantity=10))
    err = helpers.assert_error(_layout(client, owner, {"items": [{"file_id": mine["id"], "width_in": 1,
                                                                  "quantity": 11}]}), 422)
    assert "at most 10" in err["message"]


def test_gang_sheet_job_is_validated_at_creation(client):
    owner = helpers.register(client)
    design = _design(client, owner)
    url = f"/api/organizations/{owner['org_id']}/print-jobs/"
    ok = client.post(url, headers=owner["headers"], json={"job_type": "gang_sheets", "params": {
        "items": [{"file_id": design["id"], "width_in": 4, "quantity": 3}]}})
    assert ok.status_code == 201 and ok.get_json()["params"]["rotation"] == "any"
    # Short runs keep the fast search; 60 in of film or more get the thorough one, unless the request says.
    assert ok.get_json()["params"]["quality"] == "fast"
    long_run = {"items": [{"file_id": design["id"], "width_in": 10, "quantity": 20}]}
    job = client.post(url, headers=owner["headers"], json={"job_type": "gang_sheets", "params": long_run})
    assert job.get_json()["params"]["quality"] == "thorough"
    for given in ({"quality": "fast"}, {"time_budget": 2}):
        job = client.post(url, headers=owner["headers"], json={"job_type": "gang_sheets",
                                                               "params": {**long_run, **given}})
        assert job.get_json()["params"].get("quality") == given.get("quality")
    err = helpers.assert_error(client.post(url, headers=owner["headers"], json={"job_type": "gang_sheets", "params": {
        "items": [{"file_id": design["id"], "width_in": 40, "height_in": 30}]}}), 422)
    assert design["filename"] in err["message"]


def test_trimmed_artwork_is_packed_by_default_and_trim_false_keeps_the_canvas(client):
    owner = helpers.register(client)
    # A 1000 x 800 px canvas whose artwork is the 600 x 400 px box at (100, 200).
    pad = upload(client, owner, imagegen.padded(1000, 800, (100, 200, 700, 600)), name="pad.png").get_json()["file"]
    data = _layout(client, owner, {"items": [{"file_id": pad["id"], "width_in": 3},
                                             {"file_id": pad["id"], "width_in": 3, "trim": False}]}).get_json()
    by_key = {p["key"]: p for p in data["layout"]["sheets"][0]["placements"]}
    trimmed = next(k for k, d in data["designs"].items() if d["trimmed"])
    whole = next(k for k, d in data["designs"].items() if not d["trimmed"])
    assert data["designs"][trimmed]["crop_px"] == [100, 200, 700, 600] and trimmed.startswith("pad.png")
    assert sorted([by_key[trimmed]["width"], by_key[trimmed]["height"]]) == [2, 3]  # 600 x 400 px
    assert sorted([by_key[whole]["width"], by_key[whole]["height"]]) == [2.4, 3]  # 1000 x 800 px
    everything_whole = _layout(client, owner, {"trim": False, "items": [{"file_id": pad["id"], "width_in": 3}]})
    assert [d["trimmed"] for d in everything_whole.get_json()["designs"].values()] == [False]
    # The analysis made for this layout is kept with the file.
    stored = client.get(f"/api/organizations/{owner['org_id']}/files/{pad['id']}", headers=owner["headers"])
    analysis = stored.get_json()["analysis"]
    assert analysis["analysed"] is True and analysis["trim_box"] == {"left": 100, "top": 200, "right": 700,
                                                                     "bottom": 600}


def test_natural_size_from_dpi_metadata_or_a_422_saying_what_to_give(client):
    owner = helpers.register(client)
    # 600 x 300 px of artwork at 300 DPI: 2 x 1 in, whatever the transparent canvas around it.
    art = upload(client, owner, imagegen.padded(900, 500, (100, 100, 700, 400)), name="art.png").get_json()["file"]
    data = _layout(client, owner, {"rotation": "none", "items": [{"file_id": art["id"], "quantity": 2}]}).get_json()
    assert [(p["width"], p["height"]) for p in data["layout"]["sheets"][0]["placements"]] == [(2, 1), (2, 1)]
    whole = _layout(client, owner, {"rotation": "none", "trim": False, "items": [{"file_id": art["id"]}]})
    assert [(p["width"], p["height"]) for p in whole.get_json()["layout"]["sheets"][0]["placements"]] == [(3, 1.6667)]
    bare = upload(client, owner, imagegen.padded(300, 300, (0, 0, 300, 300), dpi=None), name="bare.png")
    err = helpers.assert_error(_layout(client, owner, {"items": [{"file_id": art["id"]},
                                                                 {"file_id": bare.get_json()["file"]["id"]}]}), 422)
    assert "'bare.png' has no DPI metadata" in err["message"] and "give width_in" in err["message"]
    assert "items.1" in err["errors"]


def test_the_schema_says_what_an_item_without_a_size_prints_at(client):
    spec = client.get("/api/openapi.json").get_json()
    item = next(s for name, s in spec["components"]["schemas"].items()
                if "file_id" in s.get("properties", {}) and "group" in s["properties"])
    for field in ("width_in", "size_id"):
        assert "natural size" in item["properties"][field]["description"]
        assert "DPI metadata" in item["properties"][field]["description"]


def test_layout_pictures_by_format_or_accept(client):
    from PIL import Image

    owner = helpers.register(client)
    design = upload(client, owner, imagegen.padded(900, 600, (50, 50, 850, 550)), name="rose.png").get_json()["file"]
    body = {"max_length": 12, "items": [{"file_id": design["id"], "width_in": 4, "quantity": 40, "group": "1234"}]}
    png = _layout_as(client, owner, body, query="?format=png")
    assert png.status_code == 200 and png.mimetype == "image/png"
    count = int(png.headers["X-Sheet-Count"])
    assert count >= 2
    picture = Image.open(io.BytesIO(png.data))
    assert 1000 < max(picture.size) <= 1600
    svg = _layout_as(client, owner, body, headers={"Accept": "image/svg+xml"}, query=f"?sheet={count}")
    text = svg.get_data(as_text=True)
    assert svg.mimetype == "image/svg+xml" and text.startswith("<svg") or "<svg" in text[:200]
    assert "rose.png" in text and "order 1234" in text and "Utilization" in text and f"Sheet {count} of" in text
    assert _layout_as(client, owner, body).mimetype == "application/json"
    assert _layout_as(client, owner, body, headers={"Accept": "application/json"}).get_json()["sheet_count"] == count
    helpers.assert_error(_layout_as(client, owner, body, query=f"?format=png&sheet={count + 1}"), 422)
    helpers.assert_error(_layout_as(client, owner, body, query="?format=gif"), 422)


def _layout_as(client, org: dict, body: dict, *, headers: dict | None = None, query: str = ""):
    return client.post(f"/api/organizations/{org['org_id']}/gang-sheets/layout{query}",
                       headers={**org["headers"], **(headers or {})}, json=body)


def test_a_printer_shorter_than_an_item_is_a_422_saying_why(client):
    owner = helpers.register(client)
    client.post("/api/printers/", headers=owner["headers"], json={
        "name": "Cut sheets", "printer_type": "dtf", "max_width_in": 22, "max_height_in": 24, "dpi": 300})
    tall = upload(client, owner, imagegen.padded(1500, 9000, (0, 0, 1500, 9000)), name="tall.png").get_json()["file"]
    err = helpers.assert_error(_layout(client, owner, {"rotation": "none", "items": [{"file_id": tall["id"]}]}), 422)
    assert "'tall.png'" in err["message"] and "printer 'Cut sheets' takes sheets up to 24 in" in err["message"]
