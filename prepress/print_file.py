"""Print-ready PNG of one design at an exact physical size and DPI, transparency kept, in bounded memory."""
from __future__ import annotations

import dataclasses
import os

import pyvips

from prepress import units


class PrintFileError(ValueError):
    """The design cannot be rendered (unreadable, empty)."""


@dataclasses.dataclass(frozen=True)
class PrintFile:
    """What was rendered."""

    width_px: int
    height_px: int
    dpi: int
    design_width_px: int
    design_height_px: int
    effective_dpi: float


def render(source: str | os.PathLike, out: str | os.PathLike, *, width_in: float, height_in: float, dpi: int,
           stretch: bool = False) -> PrintFile:
    """Fit (or stretch) the design into width x height inches at `dpi`, centred on a transparent canvas of exactly
    that size; the design is resampled once. Writes a PNG with the DPI recorded."""
    if width_in <= 0 or height_in <= 0:
        raise PrintFileError("The print size must be positive")
    box_w, box_h = units.inches_to_px(width_in, dpi), units.inches_to_px(height_in, dpi)
    try:
        image = pyvips.Image.new_from_file(str(source), access="sequential")
        src_w, src_h = image.width, image.height
        # Premultiplied alpha keeps transparent pixels' colour from bleeding into edges when resampling.
        image = _rgba(image).premultiply()
        if stretch:
            image = image.resize(box_w / src_w, vscale=box_h / src_h, kernel="lanczos3")
        else:
            scale = min(box_w / src_w, box_h / src_h)
            image = image.resize(scale, kernel="lanczos3")
        image = image.unpremultiply().cast("uchar")
        # Rounding inside resize can leave the result a pixel off the box; crop or pad to the exact size.
        image = image.crop(0, 0, min(image.width, box_w), min(image.height, box_h))
        left, top = (box_w - image.width) // 2, (box_h - image.height) // 2
        canvas = image.embed(left, top, box_w, box_h, extend="background", background=[0, 0, 0, 0])
        canvas = canvas.copy(xres=dpi / units.MM_PER_INCH, yres=dpi / units.MM_PER_INCH)
        tmp = f"{out}.part.png"
        canvas.pngsave(tmp, compression=6)
        os.replace(tmp, out)
    except pyvips.Error as exc:
        raise PrintFileError(f"Cannot render the design: {str(exc).splitlines()[0]}") from None
    return PrintFile(box_w, box_h, dpi, src_w, src_h,
                     round(effective_dpi(src_w, src_h, width_in, height_in, stretch), 2))


def effective_dpi(px_w: int, px_h: int, width_in: float, height_in: float, stretch: bool) -> float:
    """Resolution the design reaches in the box: stretched, the weaker axis; fitted, the axis that fills the box."""
    if stretch:
        return min(px_w / width_in, px_h / height_in)
    return max(px_w / width_in, px_h / height_in)


def _rgba(image: pyvips.Image) -> pyvips.Image:
    """8-bit sRGB with an alpha band, whatever the source (grey, 16-bit, CMYK, palette)."""
    if image.interpretation != "srgb" or image.format != "uchar":
        image = image.colourspace("srgb")
    if image.format != "uchar":
        image = image.cast("uchar")
    if image.bands == 3:
        image = image.bandjoin(255)
    return image
