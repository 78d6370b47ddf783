"""Composes a sheet as horizontal RGBA strips: each design is resampled once and held only while its rows are due."""
from __future__ import annotations

import collections
import dataclasses
import functools
import os
from collections.abc import Iterator, Mapping, Sequence

import numpy as np
from PIL import Image, ImageDraw, ImageFont

from prepress import raster_geometry, raster_resample, raster_source

# Mid grey reads on both dark and light garments and on clear film.
GUIDE_RGBA = (128, 128, 128, 255)
GUIDE_OFFSET_IN = 0.02  # far enough out that cutting on the line leaves the print's edge intact
GUIDE_WIDTH_IN = 1 / 150  # 2 px at 300 DPI: thinner does not survive printing on film
LABEL_HEIGHT_IN = 0.06  # fits in the usual 1/8 in spacing together with the guide
ROTATION = raster_resample.ROTATION
RESAMPLE = raster_resample.RESAMPLE
# Designs up to this size go through Pillow whole (its peak is a few times the decoded design); larger ones are
# resampled in parts with their intermediates on disk.
SMALL_PIXELS = 4_000_000

Box = tuple[int, int, int, int]
Ident = tuple[str, int, int, bool]
Designs = Mapping[str, "raster_source.DesignSource | str | os.PathLike[str]"]


class SpriteCache:
    """Resampled designs by (key, size, rotation), each kept until the last placement using it has been pasted.

    Sprites live in memory while they fit `budget_bytes`, on disk under `scratch` otherwise.
    """

    def __init__(self, designs: Mapping[str, raster_source.Design], uses: collections.Counter[Ident],
                 scratch: str | os.PathLike[str], budget_bytes: int, small_pixels: int = SMALL_PIXELS) -> None:
        self._designs = designs
        self._uses = uses
        self._scratch = scratch
        self._budget = budget_bytes
        self._small = small_pixels
        self._memory = 0
        self._items: dict[Ident, raster_resample.Sprite] = {}

    def get(self, ident: Ident) -> raster_resample.Sprite:
        """The sprite, made on first use."""
        sprite = self._items.get(ident)
        if sprite is None:
            key, width, height, rotated = ident
            design = self._designs[key]
            bytes_needed = width * height * 4
            if (design.width * design.height <= self._small and width * height <= self._small
                    and self._memory + bytes_needed <= self._budget):
                sprite = raster_resample.in_memory(design, (width, height), rotated)
                self._memory += sprite.nbytes
            else:
                sprite = raster_resample.on_disk(design, (width, height), rotated, self._scratch)
            self._items[ident] = sprite
        return sprite

    def done(self, ident: Ident) -> None:
        """One placement of the sprite is complete; the last one frees it."""
        self._uses[ident] -= 1
        if self._uses[ident] <= 0:
            sprite = self._items.pop(ident, None)
            if sprite is not None:
                self._memory -= sprite.nbytes if sprite.in_memory else 0
                sprite.close()

    def close(self) -> None:
        """Free every sprite (after a failure)."""
        for sprite in self._items.values():
            sprite.close()
        self._items.clear()


@dataclasses.dataclass
class _Item:
    place: raster_geometry.PixelPlacement
    guide: list[Box]
    label_text: str | None
    label_box: Box  # where the label goes on the sheet
    top: int  # first sheet row touched by the item, its guide or its label
    bottom: int
    label_px: int = 0
    label: Image.Image | None = None

    @property
    def ident(self) -> Ident:
        p = self.place
        return (p.key, p.width, p.height, p.rotated)


@functools.lru_cache(maxsize=4)
def _font(height_px: int) -> ImageFont.FreeTypeFont | ImageFont.ImageFont:
    return ImageFont.load_default(size=height_px)


def _label_sprite(text: str, height_px: int) -> Image.Image:
    font = _font(height_px)
    left, top, right, bottom = (int(v) for v in font.getbbox(text))
    mask = Image.new("L", (max(1, right - left), max(1, bottom - top)), 0)
    ImageDraw.Draw(mask).text((-left, -top), text, font=font, fill=255)
    sprite = Image.new("RGBA", mask.size, GUIDE_RGBA)
    sprite.putalpha(mask)
    return sprite


def _items(placements: list[raster_geometry.PixelPlacement], width_px: int, height_px: int, dpi: int,
           cut_guides: bool, labels: bool, label_texts: Sequence[str] | None = None) -> list[_Item]:
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
            text = label_texts[p.index] if label_texts is not None else f"{p.index + 1} {p.key}"
            left, top, right, bottom = (int(v) for v in _font(label_px).getbbox(text))
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


def iter_strips(placements: list[raster_geometry.PixelPlacement], designs: Mapping[str, raster_source.Design],
                width_px: int, height_px: int, dpi: int, scratch: str | os.PathLike[str], *, strip_rows: int = 128,
                cut_guides: bool = False, labels: bool = False, label_texts: Sequence[str] | None = None,
                cache_bytes: int = 64 << 20,
                small_pixels: int = SMALL_PIXELS) -> Iterator[np.ndarray]:
    """Yield the sheet top to bottom as transparent (rows, width, 4) uint8 strips of `strip_rows` rows."""
    items = _items(placements, width_px, height_px, dpi, cut_guides, labels, label_texts)
    cache = SpriteCache(designs, collections.Counter(it.ident for it in items), scratch, cache_bytes, small_pixels)
    pending = sorted(items, key=lambda it: it.top, reverse=True)
    active: list[_Item] = []
    try:
        for y0 in range(0, height_px, strip_rows):
            y1 = min(height_px, y0 + strip_rows)
            while pending and pending[-1].top < y1:
                active.append(pending.pop())
            active = [it for it in active if it.bottom > y0]
            # Layout order decides who wins on overlap, exactly as pasting the list onto one canvas would.
            active.sort(key=lambda it: it.place.index)
            strip = np.zeros((y1 - y0, width_px, 4), np.uint8)
            # Guides and labels go down first and the designs over them, so they can only show in spacing.
            for it in active:
                _draw_marks(strip, it, y0, y1)
            for it in active:
                p = it.place
                top, bottom = max(p.top, y0), min(p.bottom, y1)
                if top >= bottom:
                    continue
                strip[top - y0:bottom - y0, p.left:p.right] = cache.get(it.ident).rows(top - p.top, bottom - p.top)
                if p.bottom <= y1:
                    cache.done(it.ident)
            yield strip
    finally:
        cache.close()


def _draw_marks(strip: np.ndarray, it: _Item, y0: int, y1: int) -> None:
    """The item's cut guide and label rows that fall in this strip."""
    width = strip.shape[1]
    for gl, gt, gr, gb in it.guide:
        gl, gt, gr, gb = max(gl, 0), max(gt, y0), min(gr, width), min(gb, y1)
        if gl < gr and gt < gb:
            strip[gt - y0:gb - y0, gl:gr] = GUIDE_RGBA
    if it.label_text is None:
        return
    if it.label is None:
        it.label = _label_sprite(it.label_text, it.label_px)
    x, y = it.label_box[:2]
    t, b = max(y, y0), min(y + it.label.height, y1)
    r = min(x + it.label.width, width)
    if t < b and x < r:
        region = Image.fromarray(strip[t - y0:b - y0, x:r])
        region.alpha_composite(it.label.crop((0, t - y, r - x, b - y)))
        strip[t - y0:b - y0, x:r] = np.asarray(region)
