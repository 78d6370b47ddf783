"""Test images made on the fly: small ones with Pillow, real-size ones (22 x 60 in at 300 DPI) with libvips."""
from __future__ import annotations

import io

import pyvips
from PIL import Image

MM_PER_INCH = 25.4


def png(width: int = 40, height: int = 30, *, alpha: bool = True, dpi: int | None = 300,
        color: tuple = (200, 30, 30, 255)) -> bytes:
    img = Image.new("RGBA" if alpha else "RGB", (width, height), color if alpha else color[:3])
    if alpha:
        img.putpixel((0, 0), (0, 0, 0, 0))
    buf = io.BytesIO()
    img.save(buf, "PNG", **({"dpi": (dpi, dpi)} if dpi else {}))
    return buf.getvalue()


def jpeg(width: int = 40, height: int = 30, dpi: int = 150) -> bytes:
    buf = io.BytesIO()
    Image.new("RGB", (width, height), (10, 120, 200)).save(buf, "JPEG", dpi=(dpi, dpi), quality=90)
    return buf.getvalue()


def padded(width: int, height: int, box: tuple[int, int, int, int], *, color: tuple = (200, 30, 30),
           dpi: int | None = 300, split: tuple | None = None) -> bytes:
    """A transparent canvas with opaque artwork filling `box` (left, top, right, bottom; half-open), of any size.

    `split` paints the artwork's lower half in a second colour, so that a test can tell up from down (and a quarter
    turn) in a render. Flat colours and zlib level 1 keep even a 22 x 60 in design at 300 DPI to a few MB and well
    under a second.
    """
    left, top, right, bottom = box
    art = pyvips.Image.black(right - left, bottom - top, bands=4).new_from_image([*color[:3], 255]).cast("uchar")
    if split is not None:
        lower = pyvips.Image.black(right - left, (bottom - top) // 2, bands=4).new_from_image([*split[:3], 255])
        art = art.insert(lower.cast("uchar"), 0, (bottom - top) - (bottom - top) // 2)
    canvas = pyvips.Image.black(width, height, bands=4).cast("uchar").insert(art, left, top)
    if dpi is None:
        # libvips always records a resolution; Pillow writes none when asked for none.
        buf = io.BytesIO()
        Image.frombytes("RGBA", (width, height), canvas.write_to_memory()).save(buf, "PNG")
        return buf.getvalue()
    image = canvas.copy(interpretation="srgb", xres=dpi / MM_PER_INCH, yres=dpi / MM_PER_INCH)
    return image.pngsave_buffer(compression=1)
