"""Shared constants, images and render helpers for the mockup compositing tests."""
from __future__ import annotations

import numpy as np
from PIL import Image

from prepress import mockups

GREY = 200
RED = (220, 30, 30)
PHOTO_SIZE = (400, 300)
RECT = [(100, 100), (300, 100), (300, 200), (100, 200)]  # 200 x 100, aspect 2
SLANTED = [(100, 50), (300, 80), (280, 250), (120, 220)]


def grey_photo(size=PHOTO_SIZE, value=GREY) -> Image.Image:
    return Image.new("RGB", size, (value, value, value))


def solid(size, colour=RED) -> Image.Image:
    return Image.new("RGBA", size, (*colour, 255))


def render(areas, design, photo=None, watermark=None, **kwargs) -> np.ndarray:
    template = mockups.MockupTemplate(photo or grey_photo(), areas, name="t", watermark=watermark)
    kwargs.setdefault("long_side", max((photo or grey_photo()).size))
    return np.asarray(mockups.render_mockup_image(template, design, **kwargs)).astype(int)


def is_red(pixel) -> bool:
    return abs(pixel[0] - RED[0]) <= 3 and abs(pixel[1] - RED[1]) <= 3 and abs(pixel[2] - RED[2]) <= 3


def is_grey(pixel, value=GREY) -> bool:
    return all(abs(c - value) <= 2 for c in pixel)


def shadow_photo() -> Image.Image:
    photo = grey_photo()
    photo.paste((60, 60, 60), (180, 100, 220, 200))  # a fold shadow across the print area
    return photo


def watermark(position: str, opacity: float = 0.5) -> mockups.Watermark:
    return mockups.Watermark(Image.new("RGBA", (100, 50), (0, 0, 0, 255)), opacity=opacity, scale=0.25,
                             position=position, margin=0.02)
