"""The renderer's pixels equal Pillow's for every path a design can take; crops; the input limit is ours only."""
from __future__ import annotations

import json

import numpy as np
import pytest
import pyvips
from PIL import Image

from prepress import raster, raster_resample, raster_source
from tests.prepress import raster_helpers

RED = (255, 0, 0, 255)
BLUE = (0, 0, 255, 255)


def random_design(path, size, rng):
    a = rng.integers(0, 256, (size[1], size[0], 4), dtype=np.uint8)
    a[..., 3] = np.where(rng.random(a.shape[:2]) < 0.3, 0, a[..., 3])  # fully transparent pixels with colour
    a[..., 3] = np.where(rng.random(a.shape[:2]) < 0.3, 255, a[..., 3])
    Image.fromarray(a).save(path)
    return path


@pytest.mark.parametrize("seed", range(6))
def test_disk_path_and_memory_path_equal_pillow(tmp_path, seed):
    """Random sizes (up, down, one axis, both; either pass first), crops and turns, cut into odd bands and chunks."""
    rng = np.random.default_rng(seed)
    for case in range(25):
        w, h = (int(v) for v in rng.integers(1, 60, 2))
        path = random_design(tmp_path / f"{case}.png", (w, h), rng)
        crop = None
        if rng.random() < 0.5 and w > 1 and h > 1:
            left, top = int(rng.integers(0, w - 1)), int(rng.integers(0, h - 1))
            crop = (left, top, int(rng.integers(left + 1, w + 1)), int(rng.integers(top + 1, h + 1)))
        rotated = bool(rng.random() < 0.5)
        size = (int(rng.integers(1, 90)), int(rng.integers(1, 90)))
        source = raster.DesignSource(path, crop)
        expected = raster_helpers.pillow_sprite(source, size, rotated)
        design = raster_source.Design("k", source, 10**9)
        assert np.array_equal(raster_resample.in_memory(design, size, rotated).pixels, expected)
        sprite = raster_resample.on_disk(design, size, rotated, tmp_path, band_rows=int(rng.integers(1, 9)),
                                         chunk_bytes=int(rng.integers(1, 3000)))
        try:
            assert np.array_equal(sprite.rows(0, sprite.height), expected), (case, (w, h), crop, rotated, size)
        finally:
            sprite.close()
    assert [p.name for p in tmp_path.iterdir() if not p.name.endswith(".png")] == []  # stores left nothing


def test_unscaled_and_turned_designs_are_copied_exactly(tmp_path):
    rng = np.random.default_rng(9)
    path = random_design(tmp_path / "a.png", (37, 23), rng)
    design = raster_source.Design("a", raster.DesignSource(path), 10**9)
    for rotated, size in ((False, (37, 23)), (True, (23, 37))):
        sprite = raster_resample.on_disk(design, size, rotated, tmp_path, band_rows=5, chunk_bytes=100)
        assert np.array_equal(sprite.rows(3, 20), raster_helpers.pillow_sprite(path, size, rotated)[3:20])
        sprite.close()


def _formats(rng):
    rgb = rng.integers(0, 256, (21, 17, 3), dtype=np.uint8)
    grey = rgb[..., 0]
    yield "rgba", Image.fromarray(np.dstack([rgb, grey]))
    yield "rgb", Image.fromarray(rgb)
    yield "l", Image.fromarray(grey)
    yield "la", Image.merge("LA", [Image.fromarray(grey), Image.fromarray(rgb[..., 1])])
    yield "p", Image.fromarray(rgb).convert("P", palette=Image.Palette.ADAPTIVE, colors=32)
    yield "i16", Image.fromarray(rng.integers(0, 65536, (21, 17), dtype=np.uint16))


@pytest.mark.parametrize("transparency", [False, True])
def test_file_kinds_convert_like_pillow(tmp_path, transparency):
    """Grey, grey+alpha, RGB, palette (with tRNS), 16-bit grey and 16-bit RGBA: the values Pillow gives."""
    rng = np.random.default_rng(1)
    paths = []
    for name, image in _formats(rng):
        path = tmp_path / f"{name}.png"
        extra = {}
        if transparency and image.mode in ("RGB", "L", "P"):
            extra["transparency"] = (tuple(int(v) for v in np.asarray(image)[0, 0]) if image.mode == "RGB"
                                     else int(np.asarray(image)[0, 0]))
        image.save(path, **extra)
        paths.append(path)
    wide = tmp_path / "rgba16.png"
    pyvips.Image.new_from_memory(rng.integers(0, 65536, (9, 11, 4), dtype=np.uint16).tobytes(), 11, 9, 4,
                                 "ushort").copy(interpretation="rgb16").pngsave(str(wide))
    paths.append(wide)
    jpeg = tmp_path / "photo.jpg"
    Image.fromarray(rng.integers(0, 256, (40, 48, 3), dtype=np.uint8)).save(jpeg, quality=80)
    paths.append(jpeg)
    for path in paths:
        design = raster_source.Design("k", raster.DesignSource(path), 10**9)
        expected = raster_helpers.pillow_sprite(path, (design.width, design.height), False)
        assert np.array_equal(design.load(), expected), path.name


def padded_artwork(path):
    """A 100 x 80 transparent canvas with 40 x 30 px of red artwork at (20, 25) and a blue top row of it."""
    canvas = Image.new("RGBA", (100, 80), (0, 0, 0, 0))
    canvas.paste(RED, (20, 25, 60, 55))
    canvas.paste(BLUE, (20, 25, 60, 26))
    canvas.save(path)
    return path


def test_crop_renders_only_the_artwork_at_the_placed_size(tmp_path):
    path = padded_artwork(tmp_path / "padded.png")
    designs = {"A": raster.DesignSource(path, crop=(20, 25, 60, 55)), "B": path}
    sheet = {"length": 1.0, "placements": [
        {"key": "A", "x": 0.0, "y": 0.0, "width": 0.4, "height": 0.3},  # exact size: a plain copy
        {"key": "A", "x": 0.5, "y": 0.0, "width": 0.3, "height": 0.4, "rotated": True},
        {"key": "B", "x": 0.0, "y": 0.4, "width": 1.0, "height": 0.6},  # whole canvas, margins and all
    ]}
    out = raster.render_sheet(sheet, 2.0, designs, 100, tmp_path / "out.png").path
    arr = raster_helpers.pixels(out)
    assert (arr[1:30, 0:40] == RED).all() and (arr[0, 0:40] == BLUE).all()
    assert not arr[30:40, :50, 3].any() and not arr[:40, 40:50, 3].any() and not arr[:40, 80:, 3].any()
    turned = arr[0:40, 50:80]  # 0.3 x 0.4 in placed, top edge turned to the right
    assert (turned[:, :29] == RED).all() and (turned[:, 29] == BLUE).all()
    assert np.array_equal(arr[40:100, 0:100], raster_helpers.pillow_sprite(path, (100, 60), False))


def test_crop_scaled_fills_the_placement_exactly(tmp_path):
    path = padded_artwork(tmp_path / "padded.png")
    designs = {"A": raster.DesignSource(path, crop=(20, 26, 60, 55))}  # the red only
    sheet = {"length": 1.0, "placements": [{"key": "A", "x": 0.1, "y": 0.2, "width": 0.8, "height": 0.58}]}
    arr = raster_helpers.pixels(raster.render_sheet(sheet, 1.0, designs, 100, tmp_path / "o.png").path)
    assert (arr[20:78, 10:90] == RED).all()  # every pixel of the 80 x 58 placement, edges included
    assert not arr[:20, :, 3].any() and not arr[78:, :, 3].any() and not arr[:, :10, 3].any()


def test_bad_crop_and_design_over_the_limit_name_the_key(tmp_path):
    path = padded_artwork(tmp_path / "padded.png")
    sheet = {"length": 1.0, "placements": [{"key": "A", "x": 0, "y": 0, "width": 0.5, "height": 0.5}]}
    for crop in ((0, 0, 101, 80), (30, 10, 30, 20), (-1, 0, 10, 10)):
        with pytest.raises(raster.RenderError, match="crop") as info:
            raster.render_sheet(sheet, 1.0, {"A": raster.DesignSource(path, crop)}, 100, tmp_path / "o.png")
        assert info.value.key == "A"
    with pytest.raises(raster.RenderError, match="100x80 = 0.0 MP, over the 0.005 MP limit") as info:
        raster.render_sheet(sheet, 1.0, {"A": path}, 100, tmp_path / "o.png", max_input_pixels=5000)
    assert info.value.key == "A"
    assert not (tmp_path / "o.png").exists()


def test_pillow_global_limit_does_not_apply(tmp_path, monkeypatch):
    """Only the caller's limit counts: a Pillow MAX_IMAGE_PIXELS far below the design and the sheet changes nothing."""
    path = padded_artwork(tmp_path / "padded.png")
    monkeypatch.setattr(Image, "MAX_IMAGE_PIXELS", 100)
    sheet = {"length": 2.0, "placements": [{"key": "A", "x": 0, "y": 0, "width": 1.5, "height": 1.2, "rotated": True}]}
    result = raster.render_sheet(sheet, 2.0, {"A": path}, 100, tmp_path / "o.png", max_input_pixels=8000)
    assert (result.width_px, result.height_px) == (200, 200)
    monkeypatch.setattr(Image, "MAX_IMAGE_PIXELS", None)
    assert np.array_equal(raster_helpers.pixels(result.path)[:120, :150],
                          raster_helpers.pillow_sprite(path, (150, 120), True))


def test_sheet_through_disk_sprites_equals_sheet_through_memory(tmp_path):
    rng = np.random.default_rng(3)
    designs = {k: random_design(tmp_path / f"{k}.png", size, rng)
               for k, size in {"A": (50, 80), "B": (64, 64), "C": (33, 90)}.items()}
    designs["C"] = raster.DesignSource(designs["C"], crop=(3, 5, 30, 88))
    sheet = {"length": 3.0, "placements": [
        {"key": "A", "x": 0.05, "y": 0.05, "width": 0.5, "height": 0.8},
        {"key": "B", "x": 0.6, "y": 0.05, "width": 0.64, "height": 0.64},
        {"key": "C", "x": 1.3, "y": 0.2, "width": 0.9, "height": 0.33, "rotated": True},
        {"key": "B", "x": 0.05, "y": 1.0, "width": 1.0, "height": 1.0},
        {"key": "A", "x": 1.1, "y": 1.0, "width": 0.8, "height": 0.5, "rotated": True},
        {"key": "C", "x": 0.5, "y": 2.1, "width": 0.3, "height": 0.85}]}
    for small_pixels, cache_bytes in ((0, 0), (10**9, 10**9), (4000, 20000)):
        out = raster.render_sheet(sheet, 2.5, designs, 100, tmp_path / "out.png", strip_rows=17,
                                  small_pixels=small_pixels, cache_bytes=cache_bytes).path
        raster_helpers.assert_same_pixels(out, raster_helpers.reference_strips(sheet, 2.5, designs, 100, 40), 40)


def test_cli_takes_the_pixel_limit(tmp_path, capsys):
    ddir = tmp_path / "designs"
    ddir.mkdir()
    Image.new("RGBA", (1500, 1000), RED).save(ddir / "A.png")  # 1.5 MP
    layout = {"sheet_width": 1.0, "sheets": [{"length": 1.0, "placements": [
        {"key": "A", "x": 0, "y": 0, "width": 0.5, "height": 0.5}]}]}
    (tmp_path / "layout.json").write_text(json.dumps(layout))
    args = [str(tmp_path / "layout.json"), "--designs", str(ddir), "--dpi", "100", "--out", str(tmp_path / "o.png")]
    assert raster.main(args + ["--max-megapixels", "1"]) == 1
    assert "1500x1000 = 1.5 MP, over the 1 MP limit" in capsys.readouterr().err
    assert not (tmp_path / "o.png").exists()
    assert raster.main(args + ["--max-megapixels", "2"]) == 0
    assert (raster_helpers.pixels(tmp_path / "o.png")[:50, :50] == RED).all()


def test_very_wide_designs_use_fewer_rows_per_band(tmp_path, monkeypatch):
    path = random_design(tmp_path / "wide.png", (3000, 40), np.random.default_rng(4))
    monkeypatch.setattr(raster_resample, "BAND_BYTES", 4 * 3000 * 3)  # three rows of this design per band
    design = raster_source.Design("w", raster.DesignSource(path), 10**9)
    for rotated, size in ((False, (1000, 30)), (True, (35, 2500))):
        sprite = raster_resample.on_disk(design, size, rotated, tmp_path)
        assert np.array_equal(sprite.rows(0, sprite.height), raster_helpers.pillow_sprite(path, size, rotated))
        sprite.close()
