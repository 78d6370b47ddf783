"""Gang sheet layout previews: layout, totals, preflight findings, film cost, and 422s naming the item."""
from __future__ import annotations

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
    assert {p["key"] for p in placements} == {str(a["id"]), str(b["id"])}
    sized = next(p for p in placements if p["key"] == str(a["id"]))
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
    codes = {(f["key"], f["code"], f["level"]) for f in data["preflight"]}
    assert (str(low["id"]), "dpi_below_minimum", "error") in codes
    assert (str(flat["id"]), "no_transparency", "warning") in codes


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
        ({"items": [{"file_id": mine["id"], "width_in": 30, "height_in": 25}]}, str(mine["id"])),
        ({"items": [{"file_id": mine["id"]}]}, "items"),
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
    err = helpers.assert_error(client.post(url, headers=owner["headers"], json={"job_type": "gang_sheets", "params": {
        "items": [{"file_id": design["id"], "width_in": 40, "height_in": 30}]}}), 422)
    assert str(design["id"]) in err["message"]
