"""Sheets and thumbnails for the preview tests."""
from __future__ import annotations

import io

from PIL import Image

RED, GREEN, BLUE, ORANGE = (220, 30, 30), (30, 160, 60), (30, 60, 220), (240, 150, 20)


def thumb(color, size=(160, 160), fmt="WEBP") -> bytes:
    """A thumbnail of one opaque colour."""
    buf = io.BytesIO()
    Image.new("RGBA", size, color + (255,)).save(buf, fmt, **({"lossless": True} if fmt == "WEBP" else {}))
    return buf.getvalue()


def two_tone(top, bottom, size=(100, 200)) -> bytes:
    """A thumbnail whose top half is `top` and bottom half `bottom`, to see which way a piece is turned."""
    image = Image.new("RGBA", size, bottom + (255,))
    image.paste(top + (255,), (0, 0, size[0], size[1] // 2))
    buf = io.BytesIO()
    image.save(buf, "PNG")
    return buf.getvalue()


def place(key, x, y, w, h, rotated=False):
    return {"key": key, "x": x, "y": y, "width": w, "height": h, "rotated": rotated}


def grid(count, length=120.0, size=2.5, gap=0.25, width=22.0):
    """`count` square pieces in rows across a `width` in sheet, keys cycling over 30 designs."""
    per_row = int((width + gap) // (size + gap))
    pieces = [place(f"d{n % 30}", (n % per_row) * (size + gap), (n // per_row) * (size + gap), size, size)
              for n in range(count)]
    assert pieces[-1]["y"] + size <= length
    return {"length": length, "placements": pieces}
