"""Mockup input validation (areas, watermarks, render options, designs) and output filenames."""
from __future__ import annotations

import pytest
from PIL import Image

from prepress import mockups
from tests.prepress.mockup_helpers import PHOTO_SIZE, RECT, SLANTED, grey_photo, solid, watermark

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
