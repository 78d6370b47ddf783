"""Mockup rendering: blending, opacity, displacement, clipping, watermarks, output size, format and colour."""
from __future__ import annotations

import io

import numpy as np
import pytest
from PIL import Image, ImageCms

from prepress import mockup_blend, mockups
from tests.prepress.mockup_helpers import (
    GREY,
    PHOTO_SIZE,
    RECT,
    RED,
    SLANTED,
    grey_photo,
    is_grey,
    is_red,
    render,
    shadow_photo,
    solid,
    watermark,
)

# --- blend, opacity, displacement --------------------------------------------------------------------------


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
