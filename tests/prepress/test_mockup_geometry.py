"""Mockup compositing geometry: design-to-photo mapping, warps, fit modes and alignment."""
from __future__ import annotations

import math

import numpy as np
import pytest
from PIL import Image

from prepress import mockup_geometry, mockups
from tests.prepress.mockup_helpers import RECT, RED, SLANTED, grey_photo, is_grey, is_red, render, solid


def diagonal_intersection(quad):
    (x1, y1), (x2, y2) = quad[0], quad[2]
    (x3, y3), (x4, y4) = quad[1], quad[3]
    den = (x1 - x2) * (y3 - y4) - (y1 - y2) * (x3 - x4)
    t = ((x1 - x3) * (y3 - y4) - (y1 - y3) * (x3 - x4)) / den
    return x1 + t * (x2 - x1), y1 + t * (y2 - y1)


# --- geometry ---------------------------------------------------------------------------------------------

def test_known_quad_maps_design_corners_and_centre():
    area = mockups.PrintArea(SLANTED, fit="stretch")
    size = (200, 100)
    for design_pt, photo_pt in zip([(0, 0), (200, 0), (200, 100), (0, 100)], SLANTED, strict=True):
        assert math.dist(mockups.design_to_photo(area, size, design_pt), photo_pt) < 1e-6
    # A projective map sends the rectangle's centre to the quad's diagonal intersection.
    assert math.dist(mockups.design_to_photo(area, size, (100, 50)), diagonal_intersection(SLANTED)) < 1e-6


def test_rendered_pixels_land_where_design_to_photo_says():
    design = Image.new("RGBA", (200, 100), (0, 0, 0, 255))
    for cx, cy in [(40, 30), (150, 70)]:
        design.paste((255, 255, 255, 255), (cx - 4, cy - 4, cx + 4, cy + 4))
    area = mockups.PrintArea(SLANTED, fit="stretch")
    out = render([area], design).sum(axis=2)
    for cx, cy in [(40, 30), (150, 70)]:
        px, py = mockups.design_to_photo(area, design.size, (cx, cy))
        x0, y0 = int(px) - 12, int(py) - 12
        window = out[y0:y0 + 24, x0:x0 + 24].astype(float)
        weights = np.clip(window - 3 * 40, 0, None)
        ys, xs = np.mgrid[0:24, 0:24]
        centroid = ((weights * xs).sum() / weights.sum() + x0 + 0.5, (weights * ys).sum() / weights.sum() + y0 + 0.5)
        assert math.dist(centroid, (px, py)) < 1.0


def test_axis_aligned_fast_path_matches_perspective_warp():
    nudged = [(100, 100), (300, 100), (300, 200), (100.001, 200)]  # not axis-aligned: takes the general warp
    ys, xs = np.mgrid[0:60, 0:90]
    waves = [128 + 100 * np.sin(xs / 5.0), 128 + 100 * np.cos(ys / 4.0), 128 + 80 * np.sin((xs + ys) / 7.0)]
    design = Image.fromarray(np.stack([*waves, np.full_like(xs, 255)], -1).astype(np.uint8), "RGBA")
    fast = render([mockups.PrintArea(RECT, fit="stretch")], design)
    general = render([mockups.PrintArea(nudged, fit="stretch")], design)
    # Same geometry; only the cubic kernels differ slightly (resize uses a=-0.5, the warp a sharper one).
    diff = np.abs(fast - general)[102:198, 102:298]
    assert diff.mean() < 1.5 and diff.max() <= 6


def test_axis_aligned_rectangle_reduces_to_plain_scale():
    quad = [(10, 20), (210, 20), (210, 120), (10, 120)]
    matrix = mockup_geometry.design_to_quad((100, 50), quad, "stretch", "center")
    np.testing.assert_allclose(matrix / matrix[2, 2], [[2, 0, 10], [0, 2, 20], [0, 0, 1]], atol=1e-9)


def test_pillow_coeffs_of_identity_reproduce_the_image():
    image = Image.fromarray(np.arange(64 * 48 * 3, dtype=np.uint32).reshape(48, 64, 3).astype(np.uint8))
    out = image.transform(image.size, Image.Transform.PERSPECTIVE, mockup_geometry.pillow_coeffs(np.eye(3)),
                          Image.Resampling.BICUBIC)
    assert np.array_equal(np.asarray(out), np.asarray(image))


# --- fit and alignment --------------------------------------------------------------------------------------

def test_contain_letterboxes():
    out = render([mockups.PrintArea(RECT, fit="contain")], solid((100, 100)))
    assert is_red(out[150, 200]) and is_red(out[105, 155]) and is_red(out[195, 245])
    assert is_grey(out[150, 110]) and is_grey(out[150, 290])


def test_cover_fills_and_crops():
    design = Image.new("RGBA", (100, 100), (0, 0, 255, 255))
    design.paste((*RED, 255), (0, 50, 100, 100))
    out = render([mockups.PrintArea(RECT, fit="cover")], design)
    # The middle band of the square design fills the 2:1 area: blue above the centre line, red below.
    for x in (102, 200, 297):
        assert out[103, x][2] > 240 and is_red(out[197, x])
    assert is_grey(out[150, 97]) and is_grey(out[97, 200]) and is_grey(out[203, 200])
    top = render([mockups.PrintArea(RECT, fit="cover", align="top")], design)
    assert top[197, 200][2] > 240


def test_stretch_fills_whole_area():
    area = mockups.PrintArea(RECT, fit="stretch")
    out = render([area], solid((100, 100)))
    for y, x in [(101, 101), (101, 298), (198, 101), (198, 298), (150, 200)]:
        assert is_red(out[y, x])
    assert mockups.design_to_photo(area, (100, 100), (100, 100)) == pytest.approx((300, 200))


@pytest.mark.parametrize("align, red_x, grey_x", [("left", 150, 250), ("right", 250, 150), ("center", 200, 120),
                                                  ("top-left", 150, 250), ("bottom-right", 250, 150)])
def test_horizontal_alignment(align, red_x, grey_x):
    out = render([mockups.PrintArea(RECT, fit="contain", align=align)], solid((100, 100)))
    assert is_red(out[150, red_x]) and is_grey(out[150, grey_x])


@pytest.mark.parametrize("align, red_y, grey_y", [("top", 150, 250), ("bottom", 250, 150), ("top-right", 150, 250)])
def test_vertical_alignment(align, red_y, grey_y):
    tall = [(150, 100), (250, 100), (250, 300), (150, 300)]
    out = render([mockups.PrintArea(tall, fit="contain", align=align)], solid((100, 100)), photo=grey_photo((400, 400)))
    assert is_red(out[red_y, 200]) and is_grey(out[grey_y, 200])


def test_place_combines_both_axes():
    place, Placement = mockup_geometry.place, mockup_geometry.Placement
    assert place((100, 50), 1.0, "contain", "bottom-right") == Placement(100, 100, 0, 50)
    assert place((100, 50), 1.0, "contain", "top-left") == Placement(100, 100, 0, 0)
    assert place((200, 100), 1.0, "cover", "bottom-right") == Placement(100, 100, -100, 0)
    assert place((200, 100), 1.0, "cover", "top-left") == Placement(100, 100, 0, 0)
    assert place((200, 100), 1.0, "stretch", "top-left") == Placement(200, 100, 0, 0)


def test_explicit_aspect_overrides_quad_shape():
    # A 2:1 quad declared square (e.g. a foreshortened print): a square design fills it under contain.
    out = render([mockups.PrintArea(RECT, fit="contain", aspect=1.0)], solid((100, 100)))
    assert is_red(out[150, 105]) and is_red(out[150, 295])
