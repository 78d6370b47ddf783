"""A real production sheet: 22 x 120 in at 300 DPI with a 22 x 60 in design and real-size pieces."""
from __future__ import annotations

import pytest
import pyvips
from PIL import Image

from prepress import raster, units
from tests.prepress import raster_helpers

DPI = 300


def pattern(path, width, height, seed):
    """A design whose every pixel is known: colour from x and y, opaque cells, transparent and half-clear ones."""
    xy = pyvips.Image.xyz(width, height)
    x, y = xy[0], xy[1]
    cell = ((x / 300).floor() + (y / 300).floor() + seed).cast("int") % 4
    alpha = (cell == 0).ifthenelse(0, (cell == 1).ifthenelse(128, 255))
    image = (x % 256).bandjoin([y % 256, (x + y + seed * 50) % 256, alpha]).cast("uchar")
    image.copy(interpretation="srgb").pngsave(str(path), compression=1)
    return path


def expected_pattern(x, y, seed):
    cell = (x // 300 + y // 300 + seed) % 4
    return (x % 256, y % 256, (x + y + seed * 50) % 256, 0 if cell == 0 else 128 if cell == 1 else 255)


@pytest.mark.slow
def test_22_by_120_inch_sheet_at_300_dpi(tmp_path, monkeypatch):
    banner = pattern(tmp_path / "banner.png", 6600, 18000, 0)  # 22 x 60 in, 119 MP: over Pillow's default limit
    square = pattern(tmp_path / "square.png", 3000, 3000, 1)  # 10 x 10 in, placed at 5 x 5 in
    poster = pattern(tmp_path / "poster.png", 2400, 3600, 2)  # 8 x 12 in, placed turned at 9 x 6 in
    padded = pattern(tmp_path / "padded.png", 1500, 1500, 3)  # cropped to its middle 900 x 600 px, as is
    designs = {"banner": banner, "square": square, "poster": poster,
               "badge": raster.DesignSource(padded, crop=(300, 450, 1200, 1050))}
    placements = [{"key": "banner", "x": 0, "y": 0, "width": 22, "height": 60, "rotated": False}]
    for row in range(5):
        y = 60.25 + row * 11.9
        placements += [{"key": "square", "x": 0.25, "y": y, "width": 5, "height": 5, "rotated": False},
                       {"key": "poster", "x": 5.5, "y": y, "width": 9, "height": 6, "rotated": True},
                       {"key": "badge", "x": 14.75, "y": y, "width": 3, "height": 2, "rotated": False},
                       # Height shrinks far more than width: Pillow's vertical pass runs first.
                       {"key": "square", "x": 5.5, "y": y + 6.25, "width": 9, "height": 4, "rotated": False}]
    sheet = {"length": 120, "placements": placements}
    result = raster.render_sheet(sheet, 22, designs, DPI, tmp_path / "sheet.png", max_input_pixels=600_000_000)
    assert (result.width_px, result.height_px, result.placements) == (6600, 36000, 21)
    header = pyvips.Image.new_from_file(str(result.path))
    assert (header.width, header.height, header.bands, header.format) == (6600, 36000, 4, "uchar")
    assert header.xres * 25.4 == pytest.approx(DPI, abs=0.01) and header.yres * 25.4 == pytest.approx(DPI, abs=0.01)

    wanted = {}  # sample pixels: the banner unscaled, the cropped badge unscaled, spacing transparent
    for x, y in ((0, 0), (6599, 17999), (1234, 5678), (4000, 299), (4000, 300), (3100, 12345)):
        wanted[(x, y)] = expected_pattern(x, y, 0)
    for row in range(5):
        top, left = units.inches_to_px(60.25 + row * 11.9, DPI), units.inches_to_px(14.75, DPI)
        for dx, dy in ((0, 0), (899, 599), (450, 301)):
            wanted[(left + dx, top + dy)] = expected_pattern(300 + dx, 450 + dy, 3)
        wanted[(units.inches_to_px(5.3, DPI), top + 10)] = (0, 0, 0, 0)  # between square and poster
    rows = {y for _, y in wanted}
    seen = {}
    for n, strip in enumerate(raster_helpers.decoded_strips(result.path, 1000)):
        for x, y in wanted:
            if n * 1000 <= y < (n + 1) * 1000:
                seen[(x, y)] = tuple(int(v) for v in strip[y - n * 1000, x])
    assert len({y for _, y in seen}) == len(rows)
    assert seen == wanted
    assert {v[3] for v in seen.values()} >= {0, 128, 255}  # alpha kept: clear, half and opaque

    # Every pixel equals a plain Pillow paste of Pillow-made sprites (Pillow needs its limit lifted for this).
    monkeypatch.setattr(Image, "MAX_IMAGE_PIXELS", None)
    raster_helpers.assert_same_pixels(result.path, raster_helpers.reference_strips(sheet, 22, designs, DPI, 2000),
                                      2000)
