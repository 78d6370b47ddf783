"""Composes a sheet as horizontal RGBA strips: each design is resampled once and held only while its rows are due."""
from __future__ import annotations

import collections
import dataclasses
import functools
import os
from collections.abc import Iterator, Mapping

from PIL import Image, ImageDraw, ImageFont

from prepress import raster_geometry

# Mid grey reads on both dark and light garments and on clear film.
GUIDE_RGBA = (128, 128, 128, 255)
GUIDE_OFFSET_IN = 0.02  # far enough out that cutting on the line leaves the print's edge intact
GUIDE_WIDTH_IN = 1 / 150  # 2 px at 300 DPI: thinner does not survive printing on film
LABEL_HEIGHT_IN = 0.06  # fits in the usual 1/8 in spacing together with the guide
# Rotated placements turn the design a quarter turn clockwise: its top edge ends up on the right.
ROTATION = Image.Transpose.ROTATE_270
RESAMPLE = Image.Resampling.LANCZOS

Box = tuple[int, int, int, int]


def load_design(path: str | os.PathLike[str], key: str, size: tuple[int, int], rotated: bool) -> Image.Image:
    """A design as RGBA at exactly `size` px: turned losslessly if rotated, then resampled once (never if exact)."""
    try:
        with Image.open(path) as src:
            if src.mode.startswith("I;16"):
                # Pillow's own I;16 -> RGBA conversion clips instead of scaling, turning 16-bit grey mostly white.
                src = src.point(lambda v: v / 257, "L")
            image = src.convert("RGBA")
    except (OSError, ValueError, Image.DecompressionBombError) as exc:
        raise raster_geometry.RenderError(f"design {key!r} is missing or unreadable ({path}): {exc}", key) from exc
    if rotated:
        image = image.transpose(ROTATION)
    if image.size != size:
        image = image.resize(size, RESAMPLE)
    return image


class SpriteCache:
    """Resized designs by (key, size, rotation), least recently used dropped past a byte budget."""

    def __init__(self, designs: Mapping[str, str | os.PathLike[str]], budget_bytes: int) -> None:
        self._designs = designs
        self._budget = budget_bytes
        self._bytes = 0
        self._items: collections.OrderedDict[tuple[str, int, int, bool], Image.Image] = collections.OrderedDict()

    def get(self, key: str, size: tuple[int, int], rotated: bool) -> Image.Image:
        """The resized design, from the cache when the same design was placed at the same size recently."""
        ident = (key, size[0], size[1], rotated)
        image = self._items.get(ident)
        if image is not None:
            self._items.move_to_end(ident)
            return image
        if key not in self._designs:
            raise raster_geometry.RenderError(f"no design file given for key {key!r}", key)
        image = load_design(self._designs[key], key, size, rotated)
        self._items[ident] = image
        self._bytes += size[0] * size[1] * 4
        while self._bytes > self._budget and self._items:
            (_, w, h, _), _ = self._items.popitem(last=False)
            self._bytes -= w * h * 4
        return image


@dataclasses.dataclass
class _Item:
    place: raster_geometry.PixelPlacement
    guide: list[Box]
    label_text: str | None
    label_box: Box  # where the label goes on the sheet
    top: int  # first sheet row touched by the item, its guide or its label
    bottom: int
    label_px: int = 0
    sprite: Image.Image | None = None
    label: Image.Image | None = None


@functools.lru_cache(maxsize=4)
def _font(height_px: int) -> ImageFont.FreeTypeFont | ImageFont.ImageFont:
    return ImageFont.load_default(size=height_px)


def _label_sprite(text: str, height_px: int) -> Image.Image:
    font = _font(height_px)
    left, top, right, bottom = font.getbbox(text)
    mask = Image.new("L", (max(1, right - left), max(1, bottom - top)), 0)
    ImageDraw.Draw(mask).text((-left, -top), text, font=font, fill=255)
    sprite = Image.new("RGBA", mask.size, GUIDE_RGBA)
    sprite.putalpha(mask)
    return sprite


def _items(placements: list[raster_geometry.PixelPlacement], width_px: int, height_px: int, dpi: int,
           cut_guides: bool, labels: bool) -> list[_Item]:
    offset = max(1, round(GUIDE_OFFSET_IN * dpi))
    line = max(1, round(GUIDE_WIDTH_IN * dpi))
    label_px = max(8, round(LABEL_HEIGHT_IN * dpi))
    out = []
    for p in placements:
        guide: list[Box] = []
        if cut_guides:
            gl, gt = p.left - offset - line, p.top - offset - line
            gr, gb = p.right + offset + line, p.bottom + offset + line
            guide = [(gl, gt, gr, gt + line), (gl, gb - line, gr, gb), (gl, gt, gl + line, gb), (gr - line, gt, gr, gb)]
        text, label_box = None, (0, 0, 0, 0)
        if labels:
            text = f"{p.index + 1} {p.key}"
            left, top, right, bottom = _font(label_px).getbbox(text)
            w, h = max(1, right - left), max(1, bottom - top)
            gap = offset + line + 1
            # Below the item, or above it when the sheet ends first.
            y = p.bottom + gap if p.bottom + gap + h <= height_px else max(0, p.top - gap - h)
            x = max(0, min(p.left, width_px - w))
            label_box = (x, y, x + w, y + h)
        tops = [p.top] + [g[1] for g in guide] + ([label_box[1]] if text else [])
        bottoms = [p.bottom] + [g[3] for g in guide] + ([label_box[3]] if text else [])
        out.append(_Item(p, guide, text, label_box, max(0, min(tops)), min(height_px, max(bottoms)), label_px))
    return out


def iter_strips(placements: list[raster_geometry.PixelPlacement], designs: Mapping[str, str | os.PathLike[str]],
                width_px: int, height_px: int, dpi: int, *, strip_rows: int = 128, cut_guides: bool = False,
                labels: bool = False, cache_bytes: int = 128 << 20) -> Iterator[Image.Image]:
    """Yield the sheet top to bottom as transparent RGBA strips of `strip_rows` rows (the last may be shorter)."""
    cache = SpriteCache(designs, cache_bytes)
    pending = sorted(_items(placements, width_px, height_px, dpi, cut_guides, labels), key=lambda it: it.top)
    pending.reverse()
    active: list[_Item] = []
    for y0 in range(0, height_px, strip_rows):
        y1 = min(height_px, y0 + strip_rows)
        while pending and pending[-1].top < y1:
            active.append(pending.pop())
        active = [it for it in active if it.bottom > y0]
        # Layout order decides who wins on overlap, exactly as pasting the list onto one canvas would.
        active.sort(key=lambda it: it.place.index)
        strip = Image.new("RGBA", (width_px, y1 - y0), (0, 0, 0, 0))
        # Guides and labels go down first and the designs are pasted over them, so they can only show in spacing.
        for it in active:
            for gl, gt, gr, gb in it.guide:
                gl, gt, gr, gb = max(gl, 0), max(gt, y0), min(gr, width_px), min(gb, y1)
                if gl < gr and gt < gb:
                    strip.paste(GUIDE_RGBA, (gl, gt - y0, gr, gb - y0))
            if it.label_text is not None:
                if it.label is None:
                    it.label = _label_sprite(it.label_text, it.label_px)
                _composite_clipped(strip, it.label, it.label_box[:2], y0, y1)
        for it in active:
            p = it.place
            if p.top >= y1 or p.bottom <= y0:
                continue
            if it.sprite is None:
                it.sprite = cache.get(p.key, (p.width, p.height), p.rotated)
            # Pillow clips a paste at a negative offset, so the strip takes just the rows it covers.
            strip.paste(it.sprite, (p.left, p.top - y0))
            if p.bottom <= y1:
                it.sprite = None
        yield strip


def _composite_clipped(strip: Image.Image, sprite: Image.Image, at: tuple[int, int], y0: int, y1: int) -> None:
    x, y = at
    t, b = max(y, y0), min(y + sprite.height, y1)
    r = min(x + sprite.width, strip.width)
    if t < b and x < r:
        strip.alpha_composite(sprite, (x, t - y0), (0, t - y, r - x, b - y))
