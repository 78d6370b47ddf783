from __future__ import annotations

import numpy as np
import pytest
from PIL import Image

from prepress import print_file, raster
from tests.prepress import raster_helpers
from tests.prepress.test_raster_exact import RED, padded_artwork


def test_crop_box_is_fitted_to_the_ordered_size(tmp_path):
    path = padded_artwork(tmp_path / "padded.png")  # 40 x 30 px artwork in a 100 x 80 px canvas
    out = tmp_path / "print.png"
    facts = print_file.render(raster.DesignSource(path, crop=(20, 25, 60, 55)), out, width_in=0.8, height_in=0.6,
                              dpi=100)
    assert (facts.width_px, facts.height_px, facts.design_width_px, facts.design_height_px) == (80, 60, 40, 30)
    assert facts.effective_dpi == 50
    arr = raster_helpers.pixels(out)
    assert arr.shape == (60, 80, 4)
    assert (arr[..., 3] == 255).all()  # the artwork fills the print edge to edge
    assert (arr[10:, :] == RED).all() and (arr[0, :, 2] > 200).all()  # blue top row on top, red below
    with Image.open(out) as im:
        assert im.info["dpi"] == pytest.approx((100, 100), abs=0.01)
    whole = tmp_path / "whole.png"
    print_file.render(path, whole, width_in=0.8, height_in=0.6, dpi=100)
    margins = raster_helpers.pixels(whole)
    assert not margins[:15, :, 3].any() and (margins[25:36, 20:40] == RED).all()  # the padding printed too


def test_bad_crop_and_over_the_limit_leave_nothing(tmp_path):
    path = padded_artwork(tmp_path / "padded.png")
    out = tmp_path / "print.png"
    with pytest.raises(print_file.PrintFileError, match="crop box"):
        print_file.render(raster.DesignSource(path, crop=(0, 0, 120, 10)), out, width_in=1, height_in=1, dpi=100)
    with pytest.raises(print_file.PrintFileError, match="100x80 = 0.0 MP, over the 0.001 MP limit"):
        print_file.render(path, out, width_in=1, height_in=1, dpi=100, max_pixels=1000)
    assert sorted(p.name for p in tmp_path.iterdir()) == ["padded.png"]


def test_pillow_global_limit_does_not_apply(tmp_path, monkeypatch):
    path = padded_artwork(tmp_path / "padded.png")
    monkeypatch.setattr(Image, "MAX_IMAGE_PIXELS", 10)
    facts = print_file.render(path, tmp_path / "p.png", width_in=2, height_in=1.6, dpi=100)
    assert (facts.width_px, facts.height_px) == (200, 160)
    monkeypatch.setattr(Image, "MAX_IMAGE_PIXELS", None)
    assert np.asarray(Image.open(tmp_path / "p.png")).shape == (160, 200, 4)
