"""Personalization printed at exact physical size: an item's text in a template's text area, on its print.

A text area is a box on the printed piece (fractions of its width and height), a bundled font, a size in points
(1 pt = 1/72 in, so the text has the same physical size at any DPI), a colour, an alignment and a maximum length.
With fit "shrink" the size steps down (to `min_size_pt`) until the text fits the box; "exact" never shrinks.
Text that is too long, needs glyphs the font lacks, or does not fit is a preflight finding, never an overflow.
"""
from __future__ import annotations

import dataclasses
import functools
import os
import re
import tempfile
from collections.abc import Mapping
from pathlib import Path
from typing import Any

from fontTools import ttLib
from PIL import Image, ImageColor, ImageDraw, ImageFont

from prepress import labels, preflight, print_file, raster_source, units

FONT_DIR = Path(__file__).resolve().parent / "fonts"
FONTS = {"dejavu-sans": "DejaVuSans.ttf", "dejavu-sans-bold": "DejaVuSans-Bold.ttf"}
ALIGNS = ("left", "center", "right")
FITS = ("shrink", "exact")
STEP_PT = 0.5


class AreaError(ValueError):
    """A text area definition that cannot be used."""


@dataclasses.dataclass(frozen=True)
class TextArea:
    """Where and how personalization is printed; x, y, width, height are fractions of the printed piece."""

    x: float
    y: float
    width: float
    height: float
    max_length: int
    font: str = "dejavu-sans-bold"
    size_pt: float = 36.0
    min_size_pt: float = 10.0
    color: str = "#000000"
    align: str = "center"
    fit: str = "shrink"
    required: bool = True

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> TextArea:
        """A checked area from its stored form; AreaError naming what is wrong."""
        try:
            area = cls(**{f.name: data[f.name] for f in dataclasses.fields(cls) if f.name in data})
        except TypeError as exc:
            raise AreaError(f"text area: {exc}") from None
        area.check()
        return area

    def check(self) -> None:
        """AreaError when the box leaves the piece or a setting is unknown."""
        if not (0 <= self.x < 1 and 0 <= self.y < 1 and 0 < self.width <= 1 - self.x + 1e-9
                and 0 < self.height <= 1 - self.y + 1e-9):
            raise AreaError("text area must lie inside the piece (fractions 0..1)")
        if self.font not in FONTS:
            raise AreaError(f"font must be one of {', '.join(FONTS)}")
        if self.align not in ALIGNS or self.fit not in FITS:
            raise AreaError(f"align must be one of {ALIGNS} and fit one of {FITS}")
        if not (1 <= self.max_length <= 256 and 1 <= self.min_size_pt <= self.size_pt <= 1000):
            raise AreaError("max_length must be 1..256 and 1 <= min_size_pt <= size_pt <= 1000")
        try:
            ImageColor.getrgb(self.color)
        except ValueError:
            raise AreaError(f"color {self.color!r} is not a colour") from None

    def to_dict(self) -> dict[str, Any]:
        """The stored form."""
        return dataclasses.asdict(self)


@dataclasses.dataclass(frozen=True)
class Fitted:
    """The size the text prints at and its box on the piece in pixels (left, top, right, bottom)."""

    text: str
    size_pt: float
    box_px: tuple[int, int, int, int]


def clean(text: str | None) -> str:
    """The text as printed: one line, control characters dropped, spaces collapsed."""
    return labels.clean_text(text or "")


def fit(area: TextArea, text: str, width_in: float, height_in: float, dpi: int,
        key: str | None = None) -> tuple[Fitted | None, list[preflight.Finding]]:
    """The largest size (from size_pt, down to min_size_pt when shrinking) at which `text` fits the area."""
    text = clean(text)
    if not text:
        if area.required:
            return None, [_finding("personalization_missing", key, "Personalization is required but the item has none")]
        return None, []
    if len(text) > area.max_length:
        return None, [_finding("personalization_too_long", key,
                               f"Personalization {text!r} has {len(text)} characters; at most {area.max_length}")]
    missing = sorted({ch for ch in text if not ch.isspace() and ord(ch) not in _glyphs(area.font)})
    if missing:
        return None, [_finding("personalization_glyphs", key,
                               f"The font {area.font} cannot print {''.join(missing)!r} in {text!r}")]
    box = _box(area, width_in, height_in, dpi)
    size = area.size_pt
    smallest = area.min_size_pt if area.fit == "shrink" else area.size_pt
    while size >= smallest - 1e-9:
        w, h = _extent(area.font, text, _px(size, dpi))
        if w <= box[2] - box[0] and h <= box[3] - box[1]:
            return Fitted(text, size, box), []
        size = round(size - STEP_PT, 3)
    w, h = _extent(area.font, text, _px(smallest, dpi))
    return None, [_finding("personalization_overflow", key,
                           f"{text!r} does not fit the {(box[2] - box[0]) / dpi:.2f} x {(box[3] - box[1]) / dpi:.2f} "
                           f"in text area: at {smallest:g} pt it needs {w / dpi:.2f} x {h / dpi:.2f} in")]


def render(source: raster_source.DesignSource | str | os.PathLike[str], out: str | os.PathLike[str],
           area: TextArea, fitted: Fitted, *, width_in: float, height_in: float, dpi: int, stretch: bool = False,
           max_pixels: int = raster_source.DEFAULT_MAX_PIXELS) -> print_file.PrintFile:
    """The design at exactly width x height inches at `dpi` with the fitted text drawn in its area (PNG, DPI set)."""
    out = Path(out)
    fd, plain = tempfile.mkstemp(prefix=".personalize-", suffix=".png", dir=out.parent)
    os.close(fd)
    try:
        facts = print_file.render(source, plain, width_in=width_in, height_in=height_in, dpi=dpi, stretch=stretch,
                                  max_pixels=max_pixels)
        with Image.open(plain) as loaded:
            piece = loaded.convert("RGBA")
        _draw(piece, area, fitted, dpi)
        tmp = out.with_name(f".{out.name}.part")
        piece.save(tmp, "PNG", dpi=(dpi, dpi), compress_level=6)
        os.replace(tmp, out)
    finally:
        os.unlink(plain)
    return facts


def _draw(piece: Image.Image, area: TextArea, fitted: Fitted, dpi: int) -> None:
    font = _font(area.font, _px(fitted.size_pt, dpi))
    left, top, right, bottom = fitted.box_px
    x0, y0, x1, y1 = (int(v) for v in font.getbbox(fitted.text))
    w, h = x1 - x0, y1 - y0
    x = {"left": left, "center": left + (right - left - w) // 2, "right": right - w}[area.align] - x0
    y = top + (bottom - top - h) // 2 - y0
    ImageDraw.Draw(piece).text((x, y), fitted.text, font=font, fill=ImageColor.getrgb(area.color))


def _box(area: TextArea, width_in: float, height_in: float, dpi: int) -> tuple[int, int, int, int]:
    w_px, h_px = units.inches_to_px(width_in, dpi), units.inches_to_px(height_in, dpi)
    return (round(area.x * w_px), round(area.y * h_px), round((area.x + area.width) * w_px),
            round((area.y + area.height) * h_px))


def _px(size_pt: float, dpi: int) -> int:
    return max(1, round(size_pt / 72 * dpi))


def _extent(font_name: str, text: str, size_px: int) -> tuple[int, int]:
    x0, y0, x1, y1 = _font(font_name, size_px).getbbox(text)
    return int(x1 - x0), int(y1 - y0)


@functools.lru_cache(maxsize=32)
def _font(name: str, size_px: int) -> ImageFont.FreeTypeFont:
    return ImageFont.truetype(str(FONT_DIR / FONTS[name]), size_px)


@functools.lru_cache(maxsize=4)
def _glyphs(name: str) -> frozenset[int]:
    with ttLib.TTFont(str(FONT_DIR / FONTS[name]), lazy=True) as font:
        return frozenset(font["cmap"].getBestCmap())


def _finding(code: str, key: str | None, message: str) -> preflight.Finding:
    return preflight.Finding(preflight.ERROR, code, key, message)


def safe_stem(text: str) -> str:
    """A short file-name-safe form of the text, for the personalized design's name."""
    return re.sub(r"[^A-Za-z0-9]+", "-", text).strip("-")[:24] or "text"
