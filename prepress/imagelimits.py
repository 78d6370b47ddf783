"""One image-size policy: uploads are capped in pixels, outputs only by the printer's and the sheet's length caps.

Pillow keeps a global `Image.MAX_IMAGE_PIXELS` (89.5 MP unless set): above it `Image.open`, `crop` and the GIF and
WebP header parsers warn, above twice it they raise. `configure()` sets it to our upload limit once at process
start, so Pillow agrees with our own check: nothing we accepted ever trips it, and a bomb is still refused where
no code of ours looked first. Outputs (sheets, print files) must never be decoded whole by Pillow: the renderer
writes them in strips, and `imageinfo.inspect`, which reads them back, does not consult Pillow's limit; so only
physical caps bound them (`output_refusal`).
"""
from __future__ import annotations

import math

from PIL import Image

from prepress import units

# The default of MAX_IMAGE_MEGAPIXELS in config.py: a 22 x 60 in design at 300 DPI is 119 MP.
DEFAULT_MAX_UPLOAD_PIXELS = 600_000_000
# The PNG format stores width and height as 31-bit numbers; no setting can lift that.
PNG_MAX_SIDE_PX = 2**31 - 1

_max_upload_pixels = DEFAULT_MAX_UPLOAD_PIXELS


class OutputRefused(ValueError):
    """An output (gang sheet, print file) that the caps do not allow; the message says why."""


def configure(max_upload_pixels: int = DEFAULT_MAX_UPLOAD_PIXELS) -> None:
    """Set the process-wide limits; call once at start (create_app, worker entry) with Settings.max_image_pixels."""
    global _max_upload_pixels
    if isinstance(max_upload_pixels, bool) or not isinstance(max_upload_pixels, int) or max_upload_pixels < 1:
        raise ValueError(f"max_upload_pixels must be a positive whole number, got {max_upload_pixels!r}")
    _max_upload_pixels = max_upload_pixels
    Image.MAX_IMAGE_PIXELS = max_upload_pixels


def max_upload_pixels() -> int:
    """The configured upload limit in pixels (600 MP until `configure` says otherwise)."""
    return _max_upload_pixels


def describe_pixels(pixels: int) -> str:
    """A pixel count as people read it: '118.8 MP', '600 MP', or '10,000 px' below one megapixel."""
    if pixels < 1_000_000:
        return f"{pixels:,} px"
    return f"{pixels / 1e6:,.1f}".removesuffix(".0") + " MP"


def upload_refusal(width_px: int, height_px: int, max_pixels: int | None = None) -> str | None:
    """Why an image of this pixel size may not be uploaded (None when it may); naming the limit and the size."""
    limit = _max_upload_pixels if max_pixels is None else max_pixels
    pixels = width_px * height_px
    if pixels <= limit:
        return None
    return (f"Image is {width_px:,} x {height_px:,} px ({describe_pixels(pixels)}), over the "
            f"{describe_pixels(limit)} limit (decompression bomb protection)")


def output_size_px(width_in: float, length_in: float, dpi: int) -> tuple[int, int]:
    """Pixel width and length of an output of this physical size, rounded as the renderer rounds."""
    return units.inches_to_px(width_in, dpi), units.inches_to_px(length_in, dpi)


def output_refusal(width_in: float, length_in: float, dpi: int, *, max_width_in: float | None = None,
                   max_length_in: float | None = None, length_cap_in: float | None = None) -> str | None:
    """Why an output of width x length inches at `dpi` may not be made (None when it may).

    `max_width_in` and `max_length_in` are the printer's (or template's) maxima, `length_cap_in` the sheet length
    cap of the request or deployment; None means no such cap. No pixel count limits an output.
    """
    values = {"width": width_in, "length": length_in, "dpi": dpi}
    bad = [f"{name} must be a positive number, got {value!r}" for name, value in values.items()
           if isinstance(value, bool) or not isinstance(value, (int, float)) or not math.isfinite(value)
           or value <= 0]
    if bad:
        return "; ".join(bad)
    reasons = []
    if max_width_in is not None and width_in > max_width_in + 1e-9:
        reasons.append(f"width {width_in:g} in exceeds the maximum width of {max_width_in:g} in")
    if max_length_in is not None and length_in > max_length_in + 1e-9:
        reasons.append(f"length {length_in:g} in exceeds the maximum length of {max_length_in:g} in")
    if length_cap_in is not None and length_in > length_cap_in + 1e-9:
        reasons.append(f"length {length_in:g} in exceeds the sheet length cap of {length_cap_in:g} in")
    for name, px in zip(("width", "length"), output_size_px(width_in, length_in, dpi), strict=True):
        if px > PNG_MAX_SIDE_PX:
            reasons.append(f"{name} is {px:,} px at {dpi} DPI, over the {PNG_MAX_SIDE_PX:,} px a PNG can hold")
    return "; ".join(reasons) or None


def check_output(width_in: float, length_in: float, dpi: int, *, max_width_in: float | None = None,
                 max_length_in: float | None = None, length_cap_in: float | None = None) -> None:
    """Raise OutputRefused with the reason when `output_refusal` finds one."""
    reason = output_refusal(width_in, length_in, dpi, max_width_in=max_width_in, max_length_in=max_length_in,
                            length_cap_in=length_cap_in)
    if reason is not None:
        raise OutputRefused(reason)
