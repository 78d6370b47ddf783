from __future__ import annotations

import json

import numpy as np
import pytest
from PIL import Image

from prepress import analysis, imageinfo, trim
from tests.prepress import imagecraft


def padded(tmp_path, dpi=300):
    alpha = np.zeros((900, 600), np.uint8)
    alpha[150:750, 60:510] = 255
    return imagecraft.rgba_png(tmp_path / "padded.png", alpha, dpi=dpi)


def test_analysis_of_a_padded_design(tmp_path):
    found = analysis.analyze(padded(tmp_path))
    assert found == analysis.DesignAnalysis(600, 900, 300.0, 300.0, True, trim.Box(60, 150, 510, 750), 8)
    assert found.trimmed_size_px == (450, 600)
    assert found.trimmed_size_in == (1.5, 2.0)
    assert analysis.natural_size(found) == (1.5, 2.0)
    assert analysis.natural_size(found, trimmed=False) == (2.0, 3.0)
    assert found.trim_fractions == (0.1, 150 / 900, 0.85, 750 / 900)
    assert analysis.DesignAnalysis(10, 10, None, None, True, None).trim_fractions is None


def test_json_round_trip_with_derived_sizes(tmp_path):
    found = analysis.analyze(padded(tmp_path))
    data = json.loads(json.dumps(found.to_json()))
    assert data == {"version": 1, "width_px": 600, "height_px": 900, "dpi_x": 300.0, "dpi_y": 300.0, "dpi": 300.0,
                    "has_alpha": True, "alpha_threshold": 8,
                    "trim_box": {"left": 60, "top": 150, "right": 510, "bottom": 750},
                    "trimmed_width_px": 450, "trimmed_height_px": 600,
                    "trimmed_width_in": 1.5, "trimmed_height_in": 2.0}
    assert analysis.DesignAnalysis.from_json(data) == found
    nothing = analysis.DesignAnalysis(10, 10, None, None, True, None)
    assert nothing.to_json()["trim_box"] is None and nothing.to_json()["trimmed_width_in"] is None
    assert analysis.DesignAnalysis.from_json(nothing.to_json()) == nothing


@pytest.mark.parametrize("change", [{"version": 2}, {"width_px": "600"}, {"trim_box": {"left": 1}}, {"dpi_x": -3},
                                    {"has_alpha": None, "alpha_threshold": True}])
def test_from_json_refuses_what_it_did_not_write(tmp_path, change):
    data = analysis.analyze(padded(tmp_path)).to_json() | change
    with pytest.raises(ValueError):
        analysis.DesignAnalysis.from_json(data)
    with pytest.raises(ValueError):
        analysis.DesignAnalysis.from_json({k: v for k, v in data.items() if k != "height_px"})


def test_given_facts_are_used_and_threshold_is_kept(tmp_path):
    path = padded(tmp_path)
    facts = imageinfo.inspect(path, max_pixels=10**6)
    found = analysis.analyze(path, facts, alpha_threshold=254)
    assert (found.trim_box, found.alpha_threshold) == (trim.Box(60, 150, 510, 750), 254)


def test_no_alpha_means_the_whole_image_and_anisotropic_dpi(tmp_path):
    path = tmp_path / "flat.tif"
    Image.new("RGB", (600, 300)).save(path, dpi=(300, 150))
    found = analysis.analyze(path)
    assert (found.has_alpha, found.trim_box, found.dpi) == (False, trim.Box(0, 0, 600, 300), 150.0)
    assert analysis.natural_size(found) == (2.0, 2.0)


def test_without_dpi_natural_size_says_what_to_give(tmp_path):
    found = analysis.analyze(padded(tmp_path, dpi=None))
    assert found.dpi is None and found.trimmed_size_in is None and found.trimmed_size_px == (450, 600)
    with pytest.raises(analysis.SizeUnknown) as caught:
        analysis.natural_size(found, name="rose <1>.png")
    assert str(caught.value) == ("Design 'rose <1>.png' has no DPI metadata, so its natural print size is unknown: "
                                 "give width_in (the height follows its proportions) or size_id")


def test_fully_transparent_design_has_no_natural_size(tmp_path):
    found = analysis.analyze(imagecraft.rgba_png(tmp_path / "clear.png", np.zeros((20, 20), np.uint8)))
    assert found.trim_box is None and found.trimmed_size_px == (0, 0)
    with pytest.raises(analysis.SizeUnknown, match="no visible artwork"):
        analysis.natural_size(found)
    assert analysis.natural_size(found, trimmed=False) == pytest.approx((20 / 300, 20 / 300))


def test_a_real_size_design(tmp_path):
    path = imagecraft.big_design(tmp_path / "big.png")
    try:
        found = analysis.analyze(path)
    finally:
        path.unlink()
    assert (found.width_px, found.height_px, found.trim_box) == (6600, 18000, trim.Box(*imagecraft.BIG_ART))
    assert analysis.natural_size(found) == (18.0, 16100 / 300)
    assert analysis.natural_size(found, trimmed=False) == (22.0, 60.0)
