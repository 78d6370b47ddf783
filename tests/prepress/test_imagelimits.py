from __future__ import annotations

import pytest
from PIL import Image

from prepress import imagelimits


@pytest.fixture
def restore_policy(monkeypatch):
    """configure() changes process-wide state; put both values back after the test."""
    monkeypatch.setattr(Image, "MAX_IMAGE_PIXELS", Image.MAX_IMAGE_PIXELS)
    monkeypatch.setattr(imagelimits, "_max_upload_pixels", imagelimits._max_upload_pixels)


def test_configure_sets_our_limit_and_pillows_together(restore_policy):
    imagelimits.configure(250_000_000)
    assert imagelimits.max_upload_pixels() == 250_000_000
    assert Image.MAX_IMAGE_PIXELS == 250_000_000
    imagelimits.configure()
    assert imagelimits.max_upload_pixels() == Image.MAX_IMAGE_PIXELS == 600_000_000


@pytest.mark.parametrize("value", [0, -5, 1.5e8, True, "600"])
def test_configure_refuses_nonsense(restore_policy, value):
    with pytest.raises(ValueError, match="positive whole number"):
        imagelimits.configure(value)
    assert imagelimits.max_upload_pixels() == imagelimits.DEFAULT_MAX_UPLOAD_PIXELS


def test_a_22_by_60_inch_design_at_300_dpi_is_within_the_default_upload_limit():
    assert imagelimits.upload_refusal(6600, 18000) is None


def test_upload_refusal_names_the_size_and_the_limit(restore_policy):
    assert imagelimits.upload_refusal(1000, 1000, 1_000_000) is None
    message = imagelimits.upload_refusal(1000, 1001, 1_000_000)
    assert message == "Image is 1,000 x 1,001 px (1 MP), over the 1 MP limit (decompression bomb protection)"
    imagelimits.configure(100_000_000)
    message = imagelimits.upload_refusal(6600, 18000)
    assert message is not None and "6,600 x 18,000 px (118.8 MP)" in message and "the 100 MP limit" in message


def test_describe_pixels():
    assert imagelimits.describe_pixels(999_999) == "999,999 px"
    assert imagelimits.describe_pixels(600_000_000) == "600 MP"
    assert imagelimits.describe_pixels(118_800_000) == "118.8 MP"
    assert imagelimits.describe_pixels(10**10) == "10,000 MP"


def test_outputs_have_no_pixel_limit_only_the_caps_given():
    # 22 x 200 in at 300 DPI is 396 MP, more than four times Pillow's own default.
    assert imagelimits.output_refusal(22, 200, 300) is None
    assert imagelimits.output_size_px(22, 200, 300) == (6600, 60000)
    assert imagelimits.output_refusal(22, 120, 300, max_width_in=22, max_length_in=120, length_cap_in=120) is None


def test_output_refusal_says_which_cap():
    assert imagelimits.output_refusal(22, 130, 300, max_length_in=120) == \
        "length 130 in exceeds the maximum length of 120 in"
    assert imagelimits.output_refusal(22, 130, 300, length_cap_in=100) == \
        "length 130 in exceeds the sheet length cap of 100 in"
    assert imagelimits.output_refusal(24, 60, 300, max_width_in=22) == \
        "width 24 in exceeds the maximum width of 22 in"
    both = imagelimits.output_refusal(24, 130, 300, max_width_in=22, max_length_in=120)
    assert both == "width 24 in exceeds the maximum width of 22 in; length 130 in exceeds the maximum length of 120 in"


def test_output_refusal_of_impossible_values_and_the_png_format_limit():
    assert imagelimits.output_refusal(0, 10, 300) == "width must be a positive number, got 0"
    assert "dpi must be a positive number" in imagelimits.output_refusal(22, 10, -1)
    assert "length must be a positive number, got nan" in imagelimits.output_refusal(22, float("nan"), 300)
    message = imagelimits.output_refusal(22, 10_000_000, 300)
    assert message == "length is 3,000,000,000 px at 300 DPI, over the 2,147,483,647 px a PNG can hold"


def test_check_output_raises_the_reason():
    imagelimits.check_output(22, 60, 300, max_length_in=60)
    with pytest.raises(imagelimits.OutputRefused, match="sheet length cap of 100 in"):
        imagelimits.check_output(22, 100.5, 300, length_cap_in=100)
