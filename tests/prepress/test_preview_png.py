from __future__ import annotations

import io

import numpy as np
import pytest
from PIL import Image

from prepress import preview, preview_art, preview_columns, preview_png
from tests.prepress.preview_helpers import BLUE, GREEN, ORANGE, RED, grid, place, thumb, two_tone


def render(sheet, thumbnails, labels=None, **kwargs):
    kwargs.setdefault("sheet_width", 22)
    data = preview.png(sheet, thumbnails=thumbnails, labels=labels or {}, utilization=0.8, film_length_in=120,
                       **kwargs)
    image = Image.open(io.BytesIO(data))
    assert image.format == "PNG"
    return image.convert("RGB"), preview.png_plan(sheet, sheet_width=kwargs["sheet_width"],
                                                  max_side=kwargs.get("max_side", 1600))


def near(pixel, color, tolerance=12):
    return all(abs(a - b) <= tolerance for a, b in zip(pixel, color, strict=True))


def at(image, plan, x_in, y_in):
    x, y = plan.to_px(x_in, y_in)
    return image.getpixel((int(x), int(y)))


@pytest.mark.parametrize("length, columns", [(20, 1), (45, 1), (60, 2), (120, 2), (200, 3)])
def test_long_sheets_become_side_by_side_columns_within_the_bound(length, columns):
    sheet = {"length": length, "placements": []}
    plan = preview.png_plan(sheet, sheet_width=22)
    assert len(plan.columns) == columns and max(plan.width, plan.height) <= 1600
    single = (1600 - preview_columns.HEADER - preview_columns.MARGIN) / length
    assert plan.scale >= min(single, 70) * 0.99
    if columns > 1:
        # The reason for columns: a 3 in piece gets about 70 px on a 22 x 120 or 22 x 200 in sheet, not 40 or 24.
        assert plan.scale * 3 >= 65
    assert plan.columns[0].start_in == 0 and plan.columns[-1].end_in == length
    assert all(a.end_in == b.start_in for a, b in zip(plan.columns, plan.columns[1:], strict=False))


@pytest.mark.parametrize("length, max_side", [(60, 1600), (120, 1600), (200, 1600), (120, 800), (8, 1600)])
def test_the_png_respects_its_long_side(length, max_side):
    image, plan = render({"length": length, "placements": [place("a", 1, 1, 4, 4)]}, {"a": thumb(RED)},
                         max_side=max_side)
    assert max(image.size) <= max_side and image.size == (plan.width, plan.height)


def test_a_cut_falls_in_the_nearest_gap_between_rows():
    # Rows of 2 in pieces every 2.5 in. Starting at 0, the gap 59.5 to 60 holds the ideal cut at 60 itself;
    # starting at 1 in, the row 58.5 to 60.5 is in the way and the nearest edge clear of pieces is 60.5.
    for offset, cut in ((0, 60), (1, 60.5)):
        sheet = {"length": 120, "placements": [place("a", 0, offset + 2.5 * n, 2, 2) for n in range(47)]}
        assert preview.png_plan(sheet, sheet_width=22).columns[1].start_in == cut


def test_pieces_are_drawn_where_placed_with_their_thumbnails():
    sheet = {"length": 120, "placements": [place("red", 0.5, 0.5, 6, 6), place("green", 10, 30, 5, 8),
                                           place("blue", 15, 70, 6, 6), place("orange", 2, 113, 4, 6)]}
    thumbs = {"red": thumb(RED), "green": thumb(GREEN, (100, 160)), "blue": thumb(BLUE), "orange": thumb(ORANGE)}
    image, plan = render(sheet, thumbs)
    assert len(plan.columns) == 2
    for p, color in zip(sheet["placements"], (RED, GREEN, BLUE, ORANGE), strict=True):
        for fx, fy in ((0.2, 0.2), (0.5, 0.5), (0.8, 0.8)):
            assert near(at(image, plan, p["x"] + fx * p["width"], p["y"] + fy * p["height"]), color), (p, fx, fy)
    assert near(at(image, plan, 8, 8), preview_png.FILM[:3]), "film shows between pieces"


def test_rotated_pieces_turn_clockwise_like_the_renderer():
    # Designed 2 x 4 in, red on top: turned a quarter clockwise, the red top edge is on the right.
    sheet = {"length": 10, "placements": [place("d", 1, 1, 4, 2, rotated=True), place("d", 1, 5, 2, 4)]}
    image, plan = render(sheet, {"d": two_tone(RED, BLUE)})
    assert near(at(image, plan, 4.5, 2), RED) and near(at(image, plan, 1.5, 2), BLUE)
    assert near(at(image, plan, 2, 5.5), RED) and near(at(image, plan, 2, 8.5), BLUE)


def test_crops_show_only_the_trimmed_artwork():
    padded = Image.new("RGBA", (200, 200), (0, 0, 0, 0))
    padded.paste(GREEN + (255,), (50, 20, 150, 180))
    buf = io.BytesIO()
    padded.save(buf, "PNG")
    sheet = {"length": 10, "placements": [place("d", 1, 1, 2.5, 4)]}
    image, plan = render(sheet, {"d": buf.getvalue()}, crops={"d": (0.25, 0.1, 0.75, 0.9)})
    for fx, fy in ((0.05, 0.05), (0.95, 0.95), (0.5, 0.5)):
        assert near(at(image, plan, 1 + 2.5 * fx, 1 + 4 * fy), GREEN)


def test_a_piece_across_a_cut_shows_in_both_columns():
    sheet = {"length": 120, "placements": [place("d", 5, 50, 10, 20)]}
    image, plan = render(sheet, {"d": thumb(RED)})
    cut = plan.columns[1].start_in
    assert 50 < cut < 70
    assert near(at(image, plan, 10, (50 + cut) / 2), RED) and near(at(image, plan, 10, (cut + 70) / 2), RED)


def test_a_cut_moves_to_the_edge_of_a_piece_it_would_cross():
    plan = preview.png_plan({"length": 120, "placements": [place("d", 5, 58, 10, 4)]}, sheet_width=22)
    assert plan.columns[1].start_in == 58


def test_missing_or_unreadable_thumbnails_are_grey_boxes():
    sheet = {"length": 10, "placements": [place("gone", 1, 1, 3, 3), place("junk", 5, 1, 3, 3)]}
    image, plan = render(sheet, {"junk": b"not an image"})
    assert near(at(image, plan, 2.5, 2.5), preview_png.MISSING[:3], 2)
    assert near(at(image, plan, 6.5, 2.5), preview_png.MISSING[:3], 2)


def dark_pixels(image, box):
    return int((np.asarray(image.crop(box)).max(axis=2) < 90).sum())


def test_labels_and_header_are_drawn():
    sheet = {"length": 10, "placements": [place("d", 1, 1, 6, 6)]}
    labelled, plan = render(sheet, {"d": thumb((250, 250, 250))}, {"d": "rose.png · order 3012345678"})
    bare, _ = render(sheet, {"d": thumb((250, 250, 250))})
    left, top = (int(v) for v in plan.to_px(1, 1))
    band = (left, top, left + int(5 * plan.scale), top + 40)
    assert dark_pixels(labelled, band) > 40 and dark_pixels(bare, band) == 0
    assert dark_pixels(labelled, (0, 0, labelled.width, preview_columns.HEADER - 6)) > 100


def test_thumbnails_are_decoded_once_per_design(monkeypatch):
    calls = []
    real = preview_art.load_rgba
    monkeypatch.setattr(preview_art, "load_rgba", lambda *a: calls.append(a[0]) or real(*a))
    sheet = grid(300)
    thumbs = {f"d{n}": thumb(RED) for n in range(30)}
    image, plan = render(sheet, thumbs, {key: f"{key}.png · order 123" for key in thumbs})
    assert len(calls) == 30 and max(image.size) <= 1600


@pytest.mark.parametrize("sheet, kwargs, message", [
    ({"length": 10, "placements": []}, {"sheet_width": None}, "sheet width unknown"),
    ({"length": 10, "sheet_width": 24, "placements": []}, {}, "conflicting sheet widths"),
    ({"length": 0, "placements": []}, {}, "sheet length must be a positive number"),
    ({"length": 10, "placements": [{"key": "a", "x": 0, "y": 0, "width": "wide", "height": 1}]}, {},
     "placement 1 is malformed"),
    ({"length": 10, "placements": [place("a", 20, 0, 3, 1)]}, {}, "lies outside the 22 x 10 in sheet"),
    ({"length": 10, "placements": []}, {"max_side": 100}, "at least 200 px"),
    ({"length": 10, "placements": [place("a", 0, 0, 1, 1)]}, {"crops": {"a": (0.5, 0, 0.4, 1)}}, "crop of 'a'"),
])
def test_bad_input_is_a_preview_error(sheet, kwargs, message):
    kwargs.setdefault("sheet_width", 22)
    with pytest.raises(preview.PreviewError, match=message):
        preview.png(sheet, thumbnails={}, labels={}, utilization=0.5, film_length_in=10, **kwargs)


def test_a_full_size_design_given_as_thumbnail_is_shrunk_on_load(tmp_path):
    path = tmp_path / "big.png"
    Image.new("RGB", (2100, 2100), GREEN).save(path)
    loaded = preview_art.load_rgba(path)
    assert loaded.mode == "RGBA" and max(loaded.size) == preview_art.DECODE_SIDE
