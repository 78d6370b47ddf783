"""Tests for product mockup compositing: geometry, fit, alignment, blending, watermark, output, validation."""
from __future__ import annotations

import io
import math

import numpy as np
import pytest
from PIL import Image, ImageCms

from prepress import mockup_blend, mockup_geometry, mockups

GREY = 200
RED = (220, 30, 30)
PHOTO_SIZE = (400, 300)
RECT = [(100, 100), (300, 100), (300, 200), (100, 200)]  # 200 x 100, aspect 2
SLANTED = [(100, 50), (300, 80), (280, 250), (120, 220)]


def grey_photo(size=PHOTO_SIZE, value=GREY) -> Image.Image:
    return Image.new("RGB", size, (value, value, value))


def solid(size, colour=RED) -> Image.Image:
    return Image.new("RGBA", size, (*colour, 255))


def render(areas, design, photo=None, watermark=None, **kwargs) -> np.ndarray:
    template = mockups.MockupTemplate(photo or grey_photo(), areas, name="t", watermark=watermark)
    kwargs.setdefault("long_side", max((photo or grey_photo()).size))
    return np.asarray(mockups.render_mockup_image(template, design, **kwargs)).astype(int)


def is_red(pixel) -> bool:
    return abs(pixel[0] - RED[0]) <= 3 and abs(pixel[1] - RED[1]) <= 3 and abs(pixel[2] - RED[2]) <= 3


def is_grey(pixel, value=GREY) -> bool:
    return all(abs(c - value) <= 2 for c in pixel)


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
    for design_pt, photo_pt in zip([(0, 0), (200, 0), (200, 100), (0, 100)], SLANTED):
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


# --- blend, opacity, displacement --------------------------------------------------------------------------

def shadow_photo() -> Image.Image:
    photo = grey_photo()
    photo.paste((60, 60, 60), (180, 100, 220, 200))  # a fold shadow across the print area
    return photo


def test_multiply_darkens_in_shadow_only():
    out = render([mockups.PrintArea(RECT, fit="stretch", blend="multiply")], solid((100, 100)), photo=shadow_photo())
    assert is_red(out[150, 130])  # typical fabric brightness maps to 1: the design keeps its colour
    assert out[150, 200][0] < RED[0] * 0.4


def test_normal_ignores_shadow():
    out = render([mockups.PrintArea(RECT, fit="stretch", blend="normal")], solid((100, 100)), photo=shadow_photo())
    assert is_red(out[150, 130]) and is_red(out[150, 200])


def test_multiply_keeps_highlights_capped():
    photo = grey_photo(value=100)
    photo.paste((250, 250, 250), (190, 100, 210, 200))
    out = render([mockups.PrintArea(RECT, fit="stretch", blend="multiply")],
                 solid((100, 100), (100, 100, 100)), photo=photo)
    assert out[150, 130][0] == pytest.approx(100, abs=2)
    assert out[150, 200][0] == pytest.approx(150, abs=2)  # 2.5x brighter fabric, factor capped at 1.5


@pytest.mark.parametrize("opacity, expected", [(0.0, GREY), (0.5, (GREY + RED[0]) / 2), (1.0, RED[0])])
def test_opacity(opacity, expected):
    out = render([mockups.PrintArea(RECT, fit="stretch", opacity=opacity)], solid((100, 100)))
    assert out[150, 200][0] == pytest.approx(expected, abs=2)


def line_x(row: np.ndarray) -> float:
    darkness = np.clip(GREY - row.mean(axis=1), 0, None)
    return float((darkness * (np.arange(row.shape[0]) + 0.5)).sum() / darkness.sum())


def test_displacement_shifts_along_luminance_gradient():
    ramp = np.tile(np.linspace(20, 250, PHOTO_SIZE[0]), (PHOTO_SIZE[1], 1))
    photo = Image.fromarray(np.repeat(ramp[..., None], 3, axis=2).astype(np.uint8))
    design = Image.new("RGBA", (200, 100), (0, 0, 0, 0))
    design.paste((0, 0, 0, 255), (98, 0, 102, 100))  # a vertical line at design x = 100 -> photo x = 200
    row = slice(140, 160)

    def line_centre(strength: float) -> float:
        area = mockups.PrintArea(RECT, fit="stretch", displacement=strength)
        out = render([area], design, photo=photo)
        base = np.asarray(photo).astype(int)
        darkness = np.clip(base[row, 150:250] - out[row, 150:250], 0, None).sum(axis=(0, 2)).astype(float)
        return float((darkness * (np.arange(150, 250) + 0.5)).sum() / darkness.sum())

    off, on = line_centre(0.0), line_centre(6.0)
    assert off == pytest.approx(200, abs=0.5)
    assert 4.0 <= on - off <= 6.5  # towards brighter fabric, by up to the strength


def test_displacement_off_matches_plain_warp():
    a = render([mockups.PrintArea(SLANTED, fit="stretch")], solid((120, 90)), photo=shadow_photo())
    b = render([mockups.PrintArea(SLANTED, fit="stretch", displacement=0.0)], solid((120, 90)), photo=shadow_photo())
    assert np.array_equal(a, b)


# --- polygon, anti-aliasing, watermark ----------------------------------------------------------------------

def test_polygon_clips_design():
    triangle = [(100, 100), (300, 100), (100, 250)]
    out = render([mockups.PrintArea(triangle, shape="polygon", fit="cover")], solid((50, 50)))
    assert is_red(out[110, 110]) and is_red(out[120, 250]) and is_red(out[230, 110])
    assert is_grey(out[240, 290]) and is_grey(out[200, 250])


@pytest.mark.parametrize("area", [mockups.PrintArea(SLANTED, fit="stretch"),
                                  mockups.PrintArea(SLANTED, fit="cover"),
                                  mockups.PrintArea([(100, 60), (300, 90), (150, 260)], shape="polygon", fit="cover")])
def test_edges_are_anti_aliased(area):
    out = render([area], solid((150, 100)))
    green = out[..., 1]
    partial = (green < GREY - 8) & (green > RED[1] + 8)
    # Every row crossing a slanted edge should have an in-between pixel, not a hard step.
    rows = [y for y in range(110, 200, 7)]
    assert all(partial[y].any() for y in rows)


def test_design_transparency_shows_photo():
    design = Image.new("RGBA", (100, 100), (0, 0, 0, 0))
    design.paste((*RED, 255), (0, 0, 50, 100))
    out = render([mockups.PrintArea(RECT, fit="stretch")], design)
    assert is_red(out[150, 150]) and is_grey(out[150, 250])


def watermark(position: str, opacity: float = 0.5) -> mockups.Watermark:
    return mockups.Watermark(Image.new("RGBA", (100, 50), (0, 0, 0, 255)), opacity=opacity, scale=0.25,
                             position=position, margin=0.02)


@pytest.mark.parametrize("position, inside, outside", [("bottom-right", (250, 365), (250, 260)),
                                                        ("top-left", (10, 10), (50, 140)),
                                                        ("center", (150, 200), (120, 200))])
def test_watermark_position_and_opacity(position, inside, outside):
    out = render([mockups.PrintArea([(0, 0), (10, 0), (10, 10), (0, 10)])], solid((10, 10)),
                 photo=grey_photo(value=240), watermark=watermark(position))
    # 100 px wide mark (0.25 x 400) with an 8 px margin, at half opacity over 240 grey.
    assert out[inside][0] == pytest.approx(120, abs=2)
    assert out[outside][0] == 240


def test_watermark_tile_covers_the_photo():
    out = render([mockups.PrintArea(RECT)], solid((10, 10)), photo=grey_photo(value=240), watermark=watermark("tile"))
    marked = out[..., 0] < 200
    assert 0.15 < marked.mean() < 0.6
    assert marked[:150, :200].any() and marked[150:, 200:].any() and marked[:150, 200:].any()


def test_watermark_sits_above_the_design():
    out = render([mockups.PrintArea(RECT, fit="stretch")], solid((100, 100), (255, 255, 255)),
                 watermark=watermark("center", opacity=1.0))
    assert out[150, 200][0] == 0


# --- output ---------------------------------------------------------------------------------------------

@pytest.mark.parametrize("photo_size, long_side, upscale, expected", [((3000, 2400), 2000, False, (2000, 1600)),
                                                                      ((1200, 1800), 900, False, (600, 900)),
                                                                      ((400, 300), 2000, False, (400, 300)),
                                                                      ((400, 300), 1000, True, (1000, 750))])
def test_output_size(photo_size, long_side, upscale, expected):
    sx = photo_size[0] / 400
    area = mockups.PrintArea([(x * sx, y * sx) for x, y in RECT])
    template = mockups.MockupTemplate(grey_photo(photo_size), [area])
    data = mockups.render_mockup(template, solid((100, 100)), long_side=long_side, upscale=upscale)
    assert Image.open(io.BytesIO(data)).size == expected


def test_scaled_output_keeps_geometry():
    template = mockups.MockupTemplate(grey_photo((800, 600)), [mockups.PrintArea([(x * 2, y * 2) for x, y in RECT])])
    out = np.asarray(mockups.render_mockup_image(template, solid((100, 100)), long_side=400)).astype(int)
    assert is_red(out[150, 200]) and is_grey(out[150, 110])


@pytest.mark.parametrize("fmt, pil_format", [("JPEG", "JPEG"), ("jpg", "JPEG"), ("webp", "WEBP"), ("PNG", "PNG")])
def test_output_format_is_srgb_rgb(fmt, pil_format):
    template = mockups.MockupTemplate(grey_photo(), [mockups.PrintArea(RECT)])
    design = Image.new("RGBA", (100, 100), (10, 200, 10, 128))
    decoded = Image.open(io.BytesIO(mockups.render_mockup(template, design, fmt=fmt)))
    assert decoded.format == pil_format and decoded.mode == "RGB"
    profile = ImageCms.ImageCmsProfile(io.BytesIO(decoded.info["icc_profile"]))
    assert "sRGB" in ImageCms.getProfileDescription(profile)


@pytest.mark.parametrize("design", [Image.new("CMYK", (100, 100), (0, 255, 255, 0)),
                                    Image.new("P", (100, 100), 0),
                                    Image.new("LA", (100, 100), (90, 255)),
                                    Image.new("L", (100, 100), 90),
                                    Image.new("I;16", (100, 100), 90 * 257),
                                    Image.new("RGB", (100, 100), (10, 20, 30))])
def test_any_design_mode_becomes_rgb(design):
    out = render([mockups.PrintArea(RECT, fit="stretch")], design)
    assert out.shape == (300, 400, 3)
    assert not is_grey(out[150, 200])


def test_design_icc_profile_is_honoured():
    srgb = ImageCms.ImageCmsProfile(ImageCms.createProfile("sRGB")).tobytes()
    tagged = solid((100, 100))
    tagged.info["icc_profile"] = srgb
    untagged = solid((100, 100))
    assert np.array_equal(render([mockups.PrintArea(RECT)], tagged), render([mockups.PrintArea(RECT)], untagged))
    lab_profile = ImageCms.ImageCmsProfile(ImageCms.createProfile("LAB"))
    lab = Image.new("LAB", (100, 100), (128, 160, 100))
    lab.info["icc_profile"] = lab_profile.tobytes()
    expected = ImageCms.profileToProfile(Image.new("LAB", (1, 1), (128, 160, 100)), lab_profile,
                                         ImageCms.createProfile("sRGB"), outputMode="RGB",
                                         renderingIntent=ImageCms.Intent.PERCEPTUAL).getpixel((0, 0))
    out = render([mockups.PrintArea(RECT, fit="stretch")], lab)
    assert tuple(out[150, 200]) == pytest.approx(expected, abs=2)


def test_prepared_template_matches_one_off_and_caches():
    template = mockups.MockupTemplate(shadow_photo(), [mockups.PrintArea(SLANTED, blend="multiply", displacement=3)])
    prepared = mockups.prepare_template(template)
    assert prepared.scaled(300) is prepared.scaled(300)
    design = solid((120, 90))
    assert mockups.render_mockup(prepared, design, long_side=300) == mockups.render_mockup(template, design,
                                                                                         long_side=300)


def test_render_preview_is_small_jpeg():
    template = mockups.MockupTemplate(grey_photo((3000, 2400)), [mockups.PrintArea([(500, 500), (2000, 500),
                                                                                  (2000, 2000), (500, 2000)])])
    preview = Image.open(io.BytesIO(mockups.render_preview(template, solid((300, 300)))))
    assert preview.format == "JPEG" and preview.size == (600, 480)


# --- filenames ------------------------------------------------------------------------------------------

@pytest.mark.parametrize("design, template, fmt, index, expected", [
    ("designs/My Cool Design.v2.PNG", "White Tee – Front", "JPEG", None, "my-cool-design-v2__white-tee-front.jpg"),
    ("Café Cat.tif", "Mug 11oz", "webp", 3, "cafe-cat__mug-11oz__03.webp"),
    (r"C:\nas\designs\sun.png", "poster", "png", 0, "sun__poster__00.png"),
    ("???.png", "!!!", "jpg", None, "design__template.jpg"),
])
def test_mockup_filename(design, template, fmt, index, expected):
    assert mockups.mockup_filename(design, template, fmt, index) == expected


def test_mockup_filename_is_stable():
    assert mockups.mockup_filename("a.png", "b", "JPEG") == mockups.mockup_filename("a.png", "b", "JPEG")


# --- validation -----------------------------------------------------------------------------------------

@pytest.mark.parametrize("area, message", [
    (mockups.PrintArea(RECT[:3]), "needs exactly 4 points, got 3"),
    (mockups.PrintArea([(0, 0), (10, 10)], shape="polygon"), "needs at least 3 points, got 2"),
    (mockups.PrintArea([(100, 100), (300, 100), (300, 301), (100, 200)]), "point 2 (300, 301) lies outside"),
    (mockups.PrintArea([(-1, 100), (300, 100), (300, 200), (100, 200)]), "point 0 (-1, 100) lies outside"),
    (mockups.PrintArea([(100, 100), (300, 100), (300, 100), (100, 200)]), "points 1 and 2 repeat"),
    (mockups.PrintArea([(100, 100), (300, 100), (300, 100.5), (100, 100.5)]), "zero-size"),
    (mockups.PrintArea([(10, 10), (50, 50), (90, 90)], shape="polygon"), "collinear"),
    (mockups.PrintArea([(100, 100), (200, 100), (300, 100), (100, 200)]), "corner 1 is collinear"),
    (mockups.PrintArea([(100, 100), (300, 200), (300, 100), (100, 200)]), "self-intersecting"),
    (mockups.PrintArea([(100, 100), (300, 100), (100, 200), (300, 200), (200, 150)], shape="polygon"),
     "self-intersecting"),
    (mockups.PrintArea([(100, 100), (300, 100), (150, 150), (100, 200)]), "not convex"),
    (mockups.PrintArea([(300, 100), (100, 100), (100, 200), (300, 200)]), "mirrored"),
    (mockups.PrintArea(RECT, fit="fill"), "fit must be one of"),
    (mockups.PrintArea(RECT, blend="screen"), "blend must be one of"),
    (mockups.PrintArea(RECT, align="middle"), "align must be one of"),
    (mockups.PrintArea(RECT, shape="circle"), "shape must be one of"),
    (mockups.PrintArea(RECT, opacity=1.5), "opacity must be within 0..1"),
    (mockups.PrintArea(RECT, opacity=-0.1), "opacity must be within 0..1"),
    (mockups.PrintArea(RECT, opacity=float("nan")), "opacity must be within 0..1"),
    (mockups.PrintArea(RECT, displacement=-2), "displacement must be"),
    (mockups.PrintArea(RECT, aspect=0), "aspect must be"),
    (mockups.PrintArea([(100, 100), (300, "a"), (300, 200), (100, 200)]), "finite (x, y) pair"),
    (mockups.PrintArea([(100, 100), (300, float("inf")), (300, 200), (100, 200)]), "finite (x, y) pair"),
    (mockups.PrintArea(None), "list of (x, y) pairs"),
])
def test_validate_area_errors(area, message):
    with pytest.raises(mockups.MockupError) as info:
        mockups.validate_area(area, PHOTO_SIZE, index=2)
    assert message in str(info.value)
    assert str(info.value).startswith("area 2: ") and info.value.area_index == 2
    assert isinstance(info.value, ValueError)


@pytest.mark.parametrize("area", [mockups.PrintArea(RECT), mockups.PrintArea(SLANTED, fit="cover", blend="multiply"),
                                  mockups.PrintArea([(0, 0), (400, 0), (400, 300), (0, 300)]),
                                  mockups.PrintArea([(10, 10), (50, 10), (50, 50), (30, 20), (10, 50)],
                                                    shape="polygon")])
def test_validate_area_accepts_good_areas(area):
    mockups.validate_area(area, PHOTO_SIZE)


def test_template_validation_names_the_bad_area():
    template = mockups.MockupTemplate(grey_photo(), [mockups.PrintArea(RECT), mockups.PrintArea(RECT, fit="zoom")])
    with pytest.raises(mockups.MockupError, match=r"^area 1: fit"):
        mockups.prepare_template(template)
    with pytest.raises(mockups.MockupError, match="no print areas"):
        mockups.prepare_template(mockups.MockupTemplate(grey_photo(), []))


@pytest.mark.parametrize("mark, message", [(watermark("middle"), "position must be one of"),
                                           (mockups.Watermark(Image.new("RGBA", (5, 5)), opacity=2), "opacity"),
                                           (mockups.Watermark(Image.new("RGBA", (5, 5)), scale=0), "scale"),
                                           (mockups.Watermark(Image.new("RGBA", (0, 5))), "empty")])
def test_watermark_validation(mark, message):
    with pytest.raises(mockups.MockupError, match=message):
        mockups.prepare_template(mockups.MockupTemplate(grey_photo(), [mockups.PrintArea(RECT)], watermark=mark))


@pytest.mark.parametrize("kwargs, message", [({"fmt": "GIF"}, "format must be one of"),
                                             ({"quality": 0}, "quality must be"),
                                             ({"long_side": 0}, "long_side must be")])
def test_render_option_errors(kwargs, message):
    template = mockups.MockupTemplate(grey_photo(), [mockups.PrintArea(RECT)])
    with pytest.raises(mockups.MockupError, match=message):
        mockups.render_mockup(template, solid((10, 10)), **kwargs)


def test_empty_design_is_rejected():
    template = mockups.MockupTemplate(grey_photo(), [mockups.PrintArea(RECT)])
    with pytest.raises(mockups.MockupError, match="design image is empty"):
        mockups.render_mockup(template, Image.new("RGBA", (0, 10)))


def test_coverage_mask_is_fractional_on_edges():
    mask = mockup_blend.coverage_mask([(0.5, 0), (10, 0), (10, 10), (0.5, 10)], (0, 0), (10, 10))
    assert mask[5, 0] == pytest.approx(0.5, abs=0.13) and mask[5, 5] == 1.0


def test_prepared_design_renders_like_the_raw_image():
    template = mockups.prepare_template(mockups.MockupTemplate(shadow_photo(), [mockups.PrintArea(SLANTED)]))
    design = Image.new("P", (90, 60), 3)
    assert np.array_equal(np.asarray(mockups.render_mockup_image(template, design)),
                          np.asarray(mockups.render_mockup_image(template, mockups.prepare_design(design))))


def test_overlapping_areas_stack_in_order():
    below = mockups.PrintArea(RECT, fit="stretch")
    above = mockups.PrintArea([(200, 150), (350, 150), (350, 250), (200, 250)], fit="stretch", opacity=0.5)
    out = render([below, above], solid((100, 100)))
    assert is_red(out[120, 150]) and is_red(out[180, 250])  # red over red stays red
    assert out[220, 300][1] == pytest.approx((GREY + RED[1]) / 2, abs=2)
