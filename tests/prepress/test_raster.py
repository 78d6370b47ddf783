from __future__ import annotations

import io
import json
import zlib

import numpy as np
import pytest
from PIL import Image

from prepress import raster, raster_compose, raster_png

RED = (255, 0, 0, 255)
GREEN = (0, 255, 0, 255)
BLUE = (0, 0, 255, 255)


def solid(path, size, colour):
    Image.new("RGBA", size, colour).save(path)
    return path


def noise(path, size, seed=0):
    rng = np.random.default_rng(seed)
    a = rng.integers(0, 256, (size[1], size[0], 4), dtype=np.uint8)
    a[: size[1] // 3, :, 3] = 0
    Image.fromarray(a, "RGBA").save(path)
    return path


def place(key, x, y, w, h, rotated=False):
    return {"key": key, "x": x, "y": y, "width": w, "height": h, "rotated": rotated}


def pixels(path):
    with Image.open(path) as im:
        assert im.mode == "RGBA"
        return np.asarray(im).copy()


def rect_of(arr, colour):
    """Bounding box (l, t, r, b) of the pixels of `colour`, asserting they fill it exactly."""
    ys, xs = np.nonzero(np.all(arr == colour, axis=-1))
    box = (int(xs.min()), int(ys.min()), int(xs.max()) + 1, int(ys.max()) + 1)
    assert len(xs) == (box[2] - box[0]) * (box[3] - box[1])
    return box


def test_dpi_written_and_background_transparent(tmp_path):
    designs = {"A": solid(tmp_path / "A.png", (30, 30), RED)}
    sheet = {"length": 1.0, "placements": [place("A", 0.1, 0.1, 0.1, 0.1)]}
    result = raster.render_sheet(sheet, 2.0, designs, 300, tmp_path / "out.png")
    assert (result.width_px, result.height_px) == (600, 300)
    with Image.open(result.path) as im:
        assert im.info["dpi"] == pytest.approx((300, 300), abs=0.01)
        assert im.size == (600, 300)
    arr = pixels(result.path)
    assert rect_of(arr, RED) == (30, 30, 60, 60)
    outside = np.ones(arr.shape[:2], bool)
    outside[30:60, 30:60] = False
    assert not arr[outside].any()  # alpha 0 and no stray colour


def test_pixel_exact_rects_and_adjacent_edges_share_no_pixel(tmp_path):
    designs = {"A": solid(tmp_path / "A.png", (7, 7), RED), "B": solid(tmp_path / "B.png", (9, 5), GREEN),
               "C": solid(tmp_path / "C.png", (4, 4), BLUE)}
    third = 1 / 3
    sheet = {"length": 1.0, "placements": [
        place("A", 0.0, 0.0, third, 0.5),
        place("B", third, 0.0, third, 0.5),  # touches A: 33.33 px rounds to 33 on both sides
        place("C", 2 * third, 0.255, 1.0, 0.745),  # 66.67 -> 67; 25.5 -> 26 (ties round up)
    ]}
    out = raster.render_sheet(sheet, 2.0, designs, 100, tmp_path / "out.png").path
    arr = pixels(out)
    assert arr.shape == (100, 200, 4)
    assert rect_of(arr, RED) == (0, 0, 33, 50)
    assert rect_of(arr, GREEN) == (33, 0, 67, 50)
    assert rect_of(arr, BLUE) == (67, 26, 167, 100)
    assert not arr[50:, :67].any() and not arr[:26, 67:].any() and not arr[:, 167:].any()


def test_rotated_placement_turns_clockwise(tmp_path):
    src = Image.new("RGBA", (40, 20), BLUE)
    src.paste(RED, (0, 0, 40, 5))  # top edge marker
    src.paste(GREEN, (0, 0, 5, 20))  # left edge marker
    src.save(tmp_path / "A.png")
    sheet = {"length": 1.0, "placements": [place("A", 0.5, 0.1, 0.2, 0.4, rotated=True)]}
    arr = pixels(raster.render_sheet(sheet, 1.0, {"A": tmp_path / "A.png"}, 100, tmp_path / "out.png").path)
    item = arr[10:50, 50:70]
    assert item.shape[:2] == (40, 20)
    expected = np.asarray(src.transpose(Image.Transpose.ROTATE_270))
    assert np.array_equal(item, expected)  # exact size: lossless turn, no resampling
    assert (item[5:, -5:] == RED).all()  # top edge went right
    assert (item[:5, :] == GREEN).all()  # left edge went to the top


def test_each_design_resampled_once_to_exact_size(tmp_path, monkeypatch):
    designs = {"A": solid(tmp_path / "A.png", (37, 23), RED), "B": solid(tmp_path / "B.png", (20, 10), GREEN)}
    sheet = {"length": 1.0, "placements": [
        place("A", 0.0, 0.0, 0.31, 0.17),
        place("A", 0.4, 0.0, 0.31, 0.17),  # same design and size: reuses the resampled pixels
        place("A", 0.0, 0.5, 0.17, 0.31, rotated=True),
        place("B", 0.8, 0.5, 0.2, 0.1),  # already the placed size: no resampling at all
    ]}
    calls = []
    real_resize = Image.Image.resize

    def spy(self, size, *args, **kwargs):
        if self.mode == "RGBA":  # Pillow re-enters resize on its premultiplied RGBa copy; count the outer call
            calls.append((self.size, tuple(size)))
        return real_resize(self, size, *args, **kwargs)

    monkeypatch.setattr(Image.Image, "resize", spy)
    arr = pixels(raster.render_sheet(sheet, 1.0, designs, 100, tmp_path / "out.png").path)
    assert sorted(calls) == [((23, 37), (17, 31)), ((37, 23), (31, 17))]
    assert np.array_equal(arr[0:17, 0:31, 3], np.full((17, 31), 255))
    assert not arr[17:50, :, 3].any() and not arr[:17, 31:40, 3].any()
    assert np.array_equal(arr[50:81, 0:17, 3], np.full((31, 17), 255))
    assert rect_of(arr, GREEN) == (80, 50, 100, 60)


def reference_render(sheet, width_in, designs, dpi):
    """The plain full-canvas render the streaming one must reproduce."""
    from prepress import units

    canvas = Image.new("RGBA", (units.inches_to_px(width_in, dpi), units.inches_to_px(sheet["length"], dpi)))
    for p in sheet["placements"]:
        left, top = units.inches_to_px(p["x"], dpi), units.inches_to_px(p["y"], dpi)
        size = (units.inches_to_px(p["x"] + p["width"], dpi) - left,
                units.inches_to_px(p["y"] + p["height"], dpi) - top)
        with Image.open(designs[p["key"]]) as src:
            im = src.convert("RGBA")
        if p["rotated"]:
            im = im.transpose(raster_compose.ROTATION)
        canvas.paste(im if im.size == size else im.resize(size, raster_compose.RESAMPLE), (left, top))
    return np.asarray(canvas)


@pytest.mark.parametrize("strip_rows,threads", [(7, 1), (64, 2), (1000, 3)])
def test_strips_match_full_canvas_render(tmp_path, strip_rows, threads):
    designs = {k: noise(tmp_path / f"{k}.png", size, seed) for seed, (k, size) in
               enumerate({"A": (50, 80), "B": (64, 64), "C": (33, 90)}.items())}
    sheet = {"length": 3.0, "placements": [
        place("A", 0.05, 0.05, 0.5, 0.8), place("B", 0.6, 0.05, 0.64, 0.64), place("C", 1.3, 0.2, 0.9, 0.33, True),
        place("B", 0.05, 1.0, 1.0, 1.0), place("A", 1.1, 1.0, 0.8, 0.5, True), place("C", 0.5, 2.1, 0.3, 0.85),
    ]}
    out = raster.render_sheet(sheet, 2.5, designs, 100, tmp_path / "out.png", strip_rows=strip_rows,
                              threads=threads).path
    assert np.array_equal(pixels(out), reference_render(sheet, 2.5, designs, 100))


def test_missing_design_names_the_key(tmp_path):
    designs = {"A": solid(tmp_path / "A.png", (10, 10), RED), "B": tmp_path / "nope.png"}
    sheet = {"length": 1.0, "placements": [place("A", 0, 0, 0.1, 0.1), place("B", 0.2, 0, 0.1, 0.1)]}
    with pytest.raises(raster.RenderError, match="'B'") as info:
        raster.render_sheet(sheet, 1.0, designs, 100, tmp_path / "out.png")
    assert info.value.key == "B"
    assert isinstance(info.value, ValueError)
    with pytest.raises(raster.RenderError) as info:
        raster.render_sheet(sheet, 1.0, {"A": designs["A"]}, 100, tmp_path / "out.png")
    assert info.value.key == "B"
    assert not (tmp_path / "out.png").exists()


def test_failure_mid_render_leaves_no_partial_file(tmp_path):
    good = solid(tmp_path / "A.png", (10, 10), RED)
    noise(tmp_path / "full.png", (200, 200))
    data = (tmp_path / "full.png").read_bytes()
    (tmp_path / "B.png").write_bytes(data[: len(data) // 2])  # header fine, pixels cut off
    sheet = {"length": 5.0, "placements": [place("A", 0, 0, 0.1, 0.1), place("B", 0, 4.0, 0.5, 0.5)]}
    out = tmp_path / "out" / "sheet.png"
    out.parent.mkdir()
    out.write_bytes(b"previous render")
    with pytest.raises(raster.RenderError) as info:
        raster.render_sheet(sheet, 1.0, {"A": good, "B": tmp_path / "B.png"}, 100, out, strip_rows=10)
    assert info.value.key == "B"
    assert [p.name for p in out.parent.iterdir()] == ["sheet.png"]
    assert out.read_bytes() == b"previous render"


def test_placement_outside_sheet_is_refused(tmp_path):
    designs = {"A": solid(tmp_path / "A.png", (10, 10), RED)}
    sheet = {"length": 1.0, "placements": [place("A", 0.95, 0, 0.1, 0.1)]}
    with pytest.raises(raster.RenderError, match="outside") as info:
        raster.render_sheet(sheet, 1.0, designs, 100, tmp_path / "out.png")
    assert info.value.key == "A"


def test_sheet_width_from_dict_and_conflicts(tmp_path):
    designs = {"A": solid(tmp_path / "A.png", (10, 10), RED)}
    sheet = {"length": 1.0, "sheet_width": 1.5, "placements": [place("A", 0, 0, 0.1, 0.1)]}
    assert raster.render_sheet(sheet, None, designs, 100, tmp_path / "a.png").width_px == 150
    assert raster.render_sheet(sheet, 1.5, designs, 100, tmp_path / "b.png").width_px == 150
    with pytest.raises(raster.RenderError, match="conflicting"):
        raster.render_sheet(sheet, 2.0, designs, 100, tmp_path / "c.png")
    with pytest.raises(raster.RenderError, match="width unknown"):
        raster.render_sheet({"length": 1.0, "placements": []}, None, designs, 100, tmp_path / "d.png")


def test_cut_guides_and_labels_only_in_spacing(tmp_path):
    designs = {"A": noise(tmp_path / "A.png", (40, 40), 1), "B": solid(tmp_path / "B.png", (10, 10), GREEN)}
    sheet = {"length": 1.5, "placements": [place("A", 0.2, 0.2, 0.4, 0.4), place("B", 0.8, 0.2, 0.4, 0.4, True),
                                           place("A", 0.2, 0.9, 0.4, 0.4)]}
    plain = pixels(raster.render_sheet(sheet, 1.5, designs, 100, tmp_path / "plain.png").path)
    inside = np.zeros(plain.shape[:2], bool)
    for y0, x0 in ((20, 20), (20, 80), (90, 20)):
        inside[y0:y0 + 40, x0:x0 + 40] = True
    assert not plain[~inside].any()
    for flags in ({"cut_guides": True}, {"labels": True}, {"cut_guides": True, "labels": True}):
        arr = pixels(raster.render_sheet(sheet, 1.5, designs, 100, tmp_path / "x.png", **flags).path)
        assert np.array_equal(arr[inside], plain[inside])
        assert arr[~inside][:, 3].any()
    guided = pixels(raster.render_sheet(sheet, 1.5, designs, 300, tmp_path / "g.png", cut_guides=True).path)
    # Guide rectangle around the first item: 6 px out from its 60..180 px edges, 2 px thick.
    row = guided[120, :, 3]
    assert row[52:54].all() and not row[54:60].any() and row[186:188].all() and not row[180:186].any()


def test_cli_renders_every_sheet_or_the_chosen_one(tmp_path, capsys):
    ddir = tmp_path / "designs"
    ddir.mkdir()
    solid(ddir / "A.png", (10, 10), RED)
    solid(ddir / "B.png", (10, 10), BLUE)
    layout = {"sheet_width": 1.0, "sheets": [
        {"length": 0.5, "utilization": 0.1, "placements": [place("A", 0, 0, 0.1, 0.1)]},
        {"length": 0.7, "utilization": 0.1, "placements": [place("B", 0, 0, 0.2, 0.2)]}]}
    (tmp_path / "layout.json").write_text(json.dumps(layout))
    args = [str(tmp_path / "layout.json"), "--designs", str(ddir), "--dpi", "100"]
    assert raster.main(args + ["--out", str(tmp_path / "sheet.png")]) == 0
    assert pixels(tmp_path / "sheet-1.png").shape == (50, 100, 4)
    assert pixels(tmp_path / "sheet-2.png").shape == (70, 100, 4)
    assert not (tmp_path / "sheet.png").exists()
    assert raster.main(args + ["--out", str(tmp_path / "two.png"), "--sheet", "2", "--cut-guides"]) == 0
    assert rect_of(pixels(tmp_path / "two.png"), BLUE) == (0, 0, 20, 20)
    (ddir / "B.png").unlink()
    assert raster.main(args + ["--out", str(tmp_path / "bad.png"), "--sheet", "2"]) == 1
    assert "'B'" in capsys.readouterr().err


def test_png_writer_round_trip_and_checks():
    rng = np.random.default_rng(3)
    a = rng.integers(0, 256, (45, 30, 4), dtype=np.uint8)
    buf = io.BytesIO()
    writer = raster_png.PngStripWriter(buf, 30, 45, 254, threads=2)
    with pytest.raises(ValueError):
        writer.write_strip(np.zeros((5, 30, 3), np.uint8))  # RGB: strips are RGBA arrays
    for y in range(0, 45, 4):
        writer.write_strip(a[y:y + 4])
    writer.close()
    with Image.open(io.BytesIO(buf.getvalue())) as im:
        assert np.array_equal(np.asarray(im), a)
        assert im.info["dpi"] == pytest.approx((254, 254), abs=0.01)
    short = raster_png.PngStripWriter(io.BytesIO(), 30, 45, 100)
    short.write_strip(np.zeros((5, 30, 4), np.uint8))
    with pytest.raises(ValueError, match="5 of 45"):
        short.close()


def test_adler32_combine_matches_zlib():
    rng = np.random.default_rng(4)
    for n1, n2 in ((0, 0), (1, 70000), (5552, 5553), (100000, 3)):
        a, b = rng.bytes(n1), rng.bytes(n2)
        assert raster_png.adler32_combine(zlib.adler32(a), zlib.adler32(b), n2) == zlib.adler32(a + b)


def test_malformed_placement_and_unsafe_key_are_render_errors(tmp_path):
    designs = {"A": solid(tmp_path / "A.png", (10, 10), RED)}
    bad = {"length": 1.0, "placements": [{"key": "A", "x": 0, "y": 0, "width": 0.1}]}
    with pytest.raises(raster.RenderError, match="malformed") as info:
        raster.render_sheet(bad, 1.0, designs, 100, tmp_path / "out.png")
    assert info.value.key == "A"
    with pytest.raises(raster.RenderError) as info:
        raster.designs_in_dir(tmp_path, ["A", "../etc/x"])
    assert info.value.key == "../etc/x"


def test_sixteen_bit_grey_design_is_scaled_not_clipped(tmp_path):
    Image.fromarray(np.full((10, 10), 32896, np.uint16)).save(tmp_path / "G.png")  # 50% grey in 16 bits
    sheet = {"length": 0.1, "placements": [place("G", 0, 0, 0.1, 0.1)]}
    arr = pixels(raster.render_sheet(sheet, 0.1, {"G": tmp_path / "G.png"}, 100, tmp_path / "out.png").path)
    assert (arr == (128, 128, 128, 255)).all()


def test_labels_print_the_pick_lists_text_when_given(tmp_path):
    designs = {"7": solid(tmp_path / "A.png", (10, 10), GREEN)}
    sheet = {"length": 1.5, "placements": [place("7", 0.2, 0.2, 0.5, 0.5)]}
    default = pixels(raster.render_sheet(sheet, 2.0, designs, 300, tmp_path / "d.png", labels=True).path)
    named = pixels(raster.render_sheet(sheet, 2.0, designs, 300, tmp_path / "n.png", labels=True,
                                       label_texts=["1-1 R3012345678"]).path)
    # The label sits below the piece (which ends at row 210), at the piece's left edge, in the guide grey.
    sprite = np.asarray(raster_compose._label_sprite("1-1 R3012345678", round(raster_compose.LABEL_HEIGHT_IN * 300)))
    gap = max(1, round(raster_compose.GUIDE_OFFSET_IN * 300)) + max(1, round(raster_compose.GUIDE_WIDTH_IN * 300))
    top = 210 + gap + 1
    region = named[top:top + sprite.shape[0], 60:60 + sprite.shape[1]]
    assert np.array_equal(region[..., 3], sprite[..., 3])
    assert not np.array_equal(default, named) and np.array_equal(default[:210], named[:210])
