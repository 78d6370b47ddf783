"""Print-ready PNG of one design at an exact physical size and DPI, transparency kept, in bounded memory.

The design may be a ``raster.DesignSource`` whose crop box (its visible artwork) is what gets fitted to the size,
so trimmed artwork prints at the size the customer ordered. Only the caller's pixel limit applies, never a library's.
"""
from __future__ import annotations

import contextlib
import dataclasses
import os

import pyvips

from prepress import raster_source, units


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


def render(source: raster_source.DesignSource | str | os.PathLike[str], out: str | os.PathLike[str], *,
           width_in: float, height_in: float, dpi: int, stretch: bool = False,
           max_pixels: int = raster_source.DEFAULT_MAX_PIXELS) -> PrintFile:
    """Fit (or stretch) the design, or its crop box, into width x height inches at `dpi`, centred on a transparent
    canvas of exactly that size; the design is resampled once. Writes a PNG with the DPI recorded. Designs over
    `max_pixels` (the whole file) are refused; pass the configured upload limit."""
    if width_in <= 0 or height_in <= 0:
        raise PrintFileError("The print size must be positive")
    source = raster_source.as_source(source)
    box_w, box_h = units.inches_to_px(width_in, dpi), units.inches_to_px(height_in, dpi)
    tmp = f"{out}.part.png"
    try:
        image = pyvips.Image.new_from_file(os.fspath(source.path), access="sequential", fail_on="error")
        if image.width * image.height > max_pixels:
            raise PrintFileError(f"The design is {image.width}x{image.height} = "
                                 f"{image.width * image.height / 1e6:.1f} MP, over the {max_pixels / 1e6:g} MP limit")
        image = _crop(image, source.crop)
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
        canvas.pngsave(tmp, compression=6)
        os.replace(tmp, out)
    except pyvips.Error as exc:
        _discard(tmp)
        raise PrintFileError(f"Cannot render the design: {str(exc).splitlines()[0]}") from None
    except BaseException:
        _discard(tmp)
        raise
    return PrintFile(box_w, box_h, dpi, src_w, src_h,
                     round(effective_dpi(src_w, src_h, width_in, height_in, stretch), 2))


def _crop(image: pyvips.Image, crop: raster_source.Crop | None) -> pyvips.Image:
    """The crop box of the image (the whole image without one); PrintFileError if it is not inside."""
    if crop is None:
        return image
    left, top, right, bottom = crop
    if not (0 <= left < right <= image.width and 0 <= top < bottom <= image.height):
        raise PrintFileError(f"The crop box {crop} is not inside the {image.width}x{image.height} px design")
    return image.crop(left, top, right - left, bottom - top)


def _discard(path: str) -> None:
    with contextlib.suppress(FileNotFoundError):
        os.unlink(path)


def effective_dpi(px_w: int, px_h: int, width_in: float, height_in: float, stretch: bool) -> float:
    """Resolution the design (or its crop) reaches in the box: stretched, the weaker axis; fitted, the axis that fills
    the box."""
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
