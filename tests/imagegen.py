"""Small test images made on the fly."""
from __future__ import annotations

import io

from PIL import Image


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
