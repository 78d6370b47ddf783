"""Uploads at the size shops use: a 22 x 60 in design at 300 DPI (119 MP) passes; over MAX_IMAGE_MEGAPIXELS, or a
true decompression bomb, is a 422 naming the limit and the image's size, with nothing stored."""
from __future__ import annotations

import dataclasses

import pytest

from tests import helpers, imagegen
from tests.prepress import imagecraft
from tests.web.test_files import _storage_files, upload


@pytest.fixture(scope="module")
def banner() -> bytes:
    """6,600 x 18,000 px at 300 DPI: 20 x 56 in of artwork on a transparent 22 x 60 in canvas."""
    return imagegen.padded(6600, 18000, (300, 600, 6300, 17400))


def test_a_22_by_60_inch_design_at_300_dpi_uploads_and_lays_out_at_its_natural_size(client, banner):
    owner = helpers.register(client)
    response = upload(client, owner, banner, name="banner.png")
    assert response.status_code == 201, response.get_json()
    f = response.get_json()["file"]
    assert (f["width_px"], f["height_px"], f["dpi"], f["has_alpha"], f["has_thumbnail"]) == (6600, 18000, 300.0,
                                                                                             True, True)
    layout = client.post(f"/api/organizations/{owner['org_id']}/gang-sheets/layout", headers=owner["headers"],
                         json={"rotation": "none", "items": [{"file_id": f["id"]}]}).get_json()
    [placed] = layout["layout"]["sheets"][0]["placements"]
    assert (placed["width"], placed["height"]) == (20, 56) and layout["preflight"] == []


def test_over_the_configured_limit_is_a_422_naming_limit_and_size(client, app, settings, monkeypatch, banner):
    owner = helpers.register(client)
    monkeypatch.setitem(app.extensions, "esa_settings", dataclasses.replace(settings, max_image_pixels=100_000_000))
    before = _storage_files(settings)
    err = helpers.assert_error(upload(client, owner, banner, name="banner.png"), 422)
    assert err["message"] == ("Image is 6,600 x 18,000 px (118.8 MP), over the 100 MP limit "
                              "(decompression bomb protection)")
    assert err["errors"] == {"file": [err["message"]]} and _storage_files(settings) == before


def test_a_true_decompression_bomb_is_a_422(client, settings):
    owner = helpers.register(client)
    before = _storage_files(settings)
    err = helpers.assert_error(upload(client, owner, imagecraft.png_header_only(100_000, 100_000), name="b.png"), 422)
    assert "100,000 x 100,000 px (10,000 MP), over the 600 MP limit" in err["message"]
    assert _storage_files(settings) == before
