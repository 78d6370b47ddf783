from __future__ import annotations

import numpy as np
import pytest
import pyvips
from PIL import Image

from prepress import trim
from tests.prepress import imagecraft

Box = trim.Box


def canvas(height=150, width=200):
    return np.zeros((height, width), np.uint8)


def test_padded_canvas_gives_the_artwork_box(tmp_path):
    alpha = canvas()
    alpha[30:70, 40:110] = 255
    assert trim.visible_box(imagecraft.rgba_png(tmp_path / "d.png", alpha)) == Box(40, 30, 110, 70)


def test_anti_aliased_edges_count_only_above_the_threshold(tmp_path):
    alpha = canvas()
    alpha[30:70, 40:110] = 255
    alpha[29, 40:110] = 9     # faint but visible: counts
    alpha[28, 40:110] = 8     # at the threshold: haze, does not count
    alpha[30:70, 110] = 8
    alpha[30:70, 39] = 128
    alpha[70, 50] = 40
    box = trim.visible_box(imagecraft.rgba_png(tmp_path / "d.png", alpha))
    assert box == Box(39, 29, 110, 71)
    assert (box.width, box.height) == (71, 42)
    assert trim.visible_box(tmp_path / "d.png", threshold=0) == Box(39, 28, 111, 71)
    assert trim.visible_box(tmp_path / "d.png", threshold=200) == Box(40, 30, 110, 70)


def test_fully_transparent_is_none(tmp_path):
    alpha = canvas()
    alpha[10:20, 10:20] = 8
    assert trim.visible_box(imagecraft.rgba_png(tmp_path / "d.png", alpha)) is None


@pytest.mark.parametrize("y, x", [(0, 0), (149, 199), (75, 3), (0, 199)])
def test_one_pixel_artwork(tmp_path, y, x):
    alpha = canvas()
    alpha[y, x] = 255
    assert trim.visible_box(imagecraft.rgba_png(tmp_path / "d.png", alpha)) == Box(x, y, x + 1, y + 1)


@pytest.mark.parametrize("mode, fmt", [("RGB", "PNG"), ("RGB", "JPEG"), ("L", "PNG"), ("RGB", "GIF")])
def test_images_without_alpha_are_whole(tmp_path, mode, fmt):
    path = tmp_path / f"d.{fmt.lower()}"
    Image.new(mode, (64, 48)).save(path, fmt)
    assert trim.visible_box(path) == Box(0, 0, 64, 48)


def test_sixteen_bit_alpha_is_scaled(tmp_path):
    alpha = np.zeros((40, 50), np.uint16)
    alpha[5, 5] = 8 * 257          # the threshold exactly: not visible
    alpha[10:12, 20:30] = 8 * 257 + 1
    pixels = np.dstack([np.full_like(alpha, 30000)] * 3 + [alpha])
    path = tmp_path / "d16.png"
    pyvips.Image.new_from_array(pixels).copy(interpretation="rgb16").pngsave(str(path))
    assert pyvips.Image.new_from_file(str(path)).format == "ushort"
    assert trim.visible_box(path) == Box(20, 10, 30, 12)


def test_grey_alpha_and_palette_transparency(tmp_path):
    grey = Image.new("LA", (30, 20), (0, 0))
    grey.putpixel((7, 4), (255, 200))
    grey.save(tmp_path / "la.png")
    assert trim.visible_box(tmp_path / "la.png") == Box(7, 4, 8, 5)
    palette = Image.new("P", (30, 20), 0)
    palette.putpalette([0, 0, 0, 255, 0, 0])
    palette.paste(1, (3, 2, 9, 11))
    palette.save(tmp_path / "p.png", transparency=0)
    assert trim.visible_box(tmp_path / "p.png") == Box(3, 2, 9, 11)


def test_formats_libvips_cannot_load_go_through_pillow(tmp_path):
    image = Image.new("RGBA", (30, 20), (0, 0, 0, 0))
    image.paste((255, 0, 0, 255), (4, 5, 10, 12))
    image.save(tmp_path / "d.tga")
    assert trim.visible_box(tmp_path / "d.tga") == Box(4, 5, 10, 12)
    Image.new("RGBA", (30, 20), (0, 0, 0, 0)).save(tmp_path / "clear.tga")
    assert trim.visible_box(tmp_path / "clear.tga") is None
    Image.new("RGB", (30, 20)).save(tmp_path / "rgb.bmp")
    assert trim.visible_box(tmp_path / "rgb.bmp") == Box(0, 0, 30, 20)


def test_a_real_size_design(tmp_path):
    path = imagecraft.big_design(tmp_path / "big.png")
    try:
        assert trim.visible_box(path) == Box(*imagecraft.BIG_ART)
    finally:
        path.unlink()


def test_bad_threshold_and_unreadable_files(tmp_path):
    path = imagecraft.rgba_png(tmp_path / "d.png", canvas())
    for bad in (-1, 255, 8.5, True):
        with pytest.raises(ValueError, match="threshold"):
            trim.visible_box(path, threshold=bad)
    junk = tmp_path / "junk.png"
    junk.write_bytes(b"not an image at all")
    with pytest.raises(ValueError, match="cannot read image"):
        trim.visible_box(junk)
