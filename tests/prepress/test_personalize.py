"""Personalization text at exact physical size; text that cannot print as defined is a finding, never an overflow."""
from __future__ import annotations

import numpy as np
import pytest
from PIL import Image, ImageFont

from prepress import personalize, preflight
from tests import imagegen

AREA = personalize.TextArea(x=0.05, y=0.7, width=0.9, height=0.25, max_length=12, size_pt=72, min_size_pt=24)


def test_text_shrinks_to_fit_and_never_below_the_minimum():
    fitted, findings = personalize.fit(AREA, "ANNA", 10, 4, 300)
    assert findings == [] and fitted.size_pt == 72 and fitted.box_px == (150, 840, 2850, 1140)
    long_name, _ = personalize.fit(AREA, "MAXIMILIANA", 4, 4, 300)
    assert long_name is not None and 24 <= long_name.size_pt < 72
    exact = personalize.TextArea(**{**AREA.to_dict(), "fit": "exact"})
    none, findings = personalize.fit(exact, "MAXIMILIANA", 4, 4, 300, key="7")
    assert none is None and [f.code for f in findings] == ["personalization_overflow"]
    assert findings[0].level == preflight.ERROR and findings[0].key == "7"
    assert "at 72 pt it needs" in findings[0].message


@pytest.mark.parametrize("text, code", [
    ("ALEXANDRA-MARIE", "personalization_too_long"),
    ("Zoë 李", "personalization_glyphs"),
    ("", "personalization_missing"),
    ("WWWWWWWWWWWW", "personalization_overflow"),
])
def test_what_cannot_print_is_a_preflight_finding(text, code):
    fitted, findings = personalize.fit(AREA, text, 2, 2, 300)
    assert fitted is None and [f.code for f in findings] == [code]


def test_optional_text_may_be_absent():
    optional = personalize.TextArea(**{**AREA.to_dict(), "required": False})
    assert personalize.fit(optional, "  ", 4, 4, 300) == (None, [])


@pytest.mark.parametrize("bad", [{"x": 0.5, "width": 0.6}, {"font": "comic-sans"}, {"align": "justify"},
                                 {"color": "not-a-colour"}, {"min_size_pt": 80}, {"max_length": 0}])
def test_unusable_areas_are_refused(bad):
    with pytest.raises(personalize.AreaError):
        personalize.TextArea.from_dict({**AREA.to_dict(), **bad})


def test_rendered_at_exact_physical_size_at_300_dpi(tmp_path):
    design = tmp_path / "design.png"
    design.write_bytes(imagegen.png(600, 240, color=(255, 255, 255, 255)))
    area = personalize.TextArea(**{**AREA.to_dict(), "color": "#102030", "align": "left"})
    fitted, _ = personalize.fit(area, "HH", 10, 4, 300)
    out = tmp_path / "personalized.png"
    facts = personalize.render(design, out, area, fitted, width_in=10, height_in=4, dpi=300)
    assert (facts.width_px, facts.height_px) == (3000, 1200)
    with Image.open(out) as img:
        assert img.size == (3000, 1200) and round(img.info["dpi"][0]) == 300
        pixels = np.asarray(img.convert("RGBA"))
    ink = np.all(pixels[..., :3] == (16, 32, 48), axis=-1)
    rows, cols = np.nonzero(ink)
    # 72 pt is one inch: the em is 300 px, and a capital H stands its cap height within that em.
    font = ImageFont.truetype(str(personalize.FONT_DIR / "DejaVuSans-Bold.ttf"), 300)
    x0, y0, x1, y1 = font.getmask("HH").getbbox()  # the ink of "HH" at a 300 px em
    assert abs((rows.max() - rows.min() + 1) - (y1 - y0)) <= 2
    assert abs((cols.max() - cols.min() + 1) - (x1 - x0)) <= 2
    assert cols.min() - 150 <= 30 and 840 <= rows.min() and rows.max() < 1140  # left-aligned inside its box
