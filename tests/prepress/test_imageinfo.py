from __future__ import annotations

import io
import warnings

import pytest
from PIL import Image

from prepress import imageinfo, imagelimits
from tests import imagegen
from tests.prepress import imagecraft


@pytest.fixture(scope="module")
def big(tmp_path_factory):
    """The real-size 22 x 60 in design, removed after the module's tests."""
    path = imagecraft.big_design(tmp_path_factory.mktemp("big") / "design-22x60.png")
    yield path
    path.unlink()


def test_a_119_megapixel_design_passes_at_the_default_limit_whatever_pillow_says(big, monkeypatch):
    # Pillow's own default (89.5 MP, errors from 179 MP) must not matter: inspect applies max_pixels only.
    monkeypatch.setattr(Image, "MAX_IMAGE_PIXELS", 50_000_000)
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        facts = imageinfo.inspect(big)
    assert (facts.width, facts.height, facts.dpi, facts.mode, facts.has_alpha) == (6600, 18000, 300.0, "RGBA", True)
    assert imageinfo.inspect(big, max_pixels=6600 * 18000).width == 6600


def test_max_pixels_is_honoured_exactly(big):
    with pytest.raises(imageinfo.BadImage) as caught:
        imageinfo.inspect(big, max_pixels=6600 * 18000 - 1)
    assert str(caught.value) == ("Image is 6,600 x 18,000 px (118.8 MP), over the 118.8 MP limit "
                                 "(decompression bomb protection)")


def test_the_configured_upload_limit_is_the_default(big, monkeypatch):
    monkeypatch.setattr(imagelimits, "_max_upload_pixels", 100_000_000)
    with pytest.raises(imageinfo.BadImage, match="over the 100 MP limit"):
        imageinfo.inspect(big)


def test_a_true_decompression_bomb_is_refused_naming_limit_and_size(tmp_path):
    bomb = tmp_path / "bomb.png"
    bomb.write_bytes(imagecraft.png_header_only(100_000, 100_000))
    assert bomb.stat().st_size < 200
    with pytest.raises(imageinfo.BadImage) as caught:
        imageinfo.inspect(bomb)
    assert str(caught.value) == ("Image is 100,000 x 100,000 px (10,000 MP), over the 600 MP limit "
                                 "(decompression bomb protection)")


def test_webp_refused_inside_pillow_still_names_the_size(tmp_path, monkeypatch):
    # Pillow's WebP parser checks its header against the process-wide limit (twice it) before we can.
    path = tmp_path / "d.webp"
    Image.new("RGBA", (40, 30), (1, 2, 3, 255)).save(path, "WEBP")
    monkeypatch.setattr(Image, "MAX_IMAGE_PIXELS", 100)
    with pytest.raises(imageinfo.BadImage, match=r"Image is 40 x 30 px \(1,200 px\), over the 1,000 px limit"):
        imageinfo.inspect(path, max_pixels=1000)
    with pytest.raises(imageinfo.BadImage, match=r"40 x 30 px \(1,200 px\), over the 200 px limit"):
        imageinfo.inspect(path, max_pixels=10**6)
    monkeypatch.setattr(Image, "MAX_IMAGE_PIXELS", 10_000)
    assert imageinfo.inspect(path, max_pixels=1200).format == "WEBP"


@pytest.mark.parametrize("fmt, mode, alpha", [("PNG", "RGBA", True), ("GIF", "P", False), ("TIFF", "RGBA", True),
                                              ("BMP", "RGB", False), ("JPEG", "RGB", False)])
def test_every_accepted_format_is_read(tmp_path, fmt, mode, alpha):
    path = tmp_path / f"d.{fmt.lower()}"
    image = Image.new("RGBA" if alpha else "RGB", (40, 30), (200, 30, 30))
    image.save(path, fmt, **({} if fmt == "GIF" else {"dpi": (150, 150)}))
    facts = imageinfo.inspect(path, max_pixels=10_000)
    assert (facts.format, facts.width, facts.height, facts.mode, facts.has_alpha) == (fmt, 40, 30, mode, alpha)
    # PNG and BMP store 150 DPI as 5906 pixels per metre (150.0124 DPI), read back as the whole number meant.
    assert facts.dpi == (None if fmt == "GIF" else 150.0)


def test_resolutions_that_are_not_whole_numbers_keep_two_decimals(tmp_path):
    path = tmp_path / "d.tif"
    Image.new("RGB", (4, 4)).save(path, dpi=(299.5, 72.25))
    facts = imageinfo.inspect(path, max_pixels=100)
    assert (facts.dpi_x, facts.dpi_y, facts.dpi) == (299.5, 72.25, 72.25)


def test_photoshop_files_are_read(tmp_path):
    path = tmp_path / "d.psd"
    path.write_bytes(imagecraft.psd(5, 4))
    facts = imageinfo.inspect(path, max_pixels=100)
    assert (facts.format, facts.width, facts.height, facts.mode) == ("PSD", 5, 4, "RGB")


def test_palette_transparency_counts_as_alpha(tmp_path):
    path = tmp_path / "p.png"
    Image.new("P", (8, 8), 0).save(path, transparency=0)
    assert imageinfo.inspect(path, max_pixels=100).has_alpha


@pytest.mark.parametrize("data, message", [
    (imagegen.png(200, 200)[:300], "corrupt or truncated"),
    (imagegen.jpeg(200, 200)[:-200], "JPEG is truncated"),
    (b"GIF89a" + b"\0" * 4, "Not a readable image"),
    (b"just some text, not an image", "not a PNG, JPEG, GIF, WebP, TIFF, BMP or PSD image"),
])
def test_damaged_and_foreign_files_are_bad_images(tmp_path, data, message):
    path = tmp_path / "x"
    path.write_bytes(data)
    with pytest.raises(imageinfo.BadImage, match=message):
        imageinfo.inspect(path, max_pixels=10**6)


@pytest.mark.parametrize("source, size, expected", [((2000, 1000), 1024, (1024, 512)),
                                                    ((1000, 2000), 160, (80, 160)),
                                                    ((100, 50), 320, (100, 50))])
def test_thumbnail_honours_the_requested_size_and_never_enlarges(tmp_path, source, size, expected):
    path = tmp_path / "d.png"
    Image.new("RGBA", source, (10, 20, 30, 255)).save(path)
    data = imageinfo.thumbnail(path, size)
    with Image.open(io.BytesIO(data)) as thumb:
        assert (thumb.format, thumb.size) == ("WEBP", expected)


def test_thumbnail_of_a_non_image_is_none_and_sizes_must_be_positive(tmp_path):
    path = tmp_path / "x.txt"
    path.write_text("hello")
    assert imageinfo.thumbnail(path, 320) is None
    with pytest.raises(ValueError, match="positive whole number"):
        imageinfo.thumbnail(path, 0)
