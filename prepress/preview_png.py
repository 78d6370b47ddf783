"""The PNG preview: the sheet drawn at one scale, cut into columns, with labels and a header a person can read."""
from __future__ import annotations

import functools
import math
from collections.abc import Mapping

import pyvips
from PIL import Image, ImageDraw, ImageFont

from prepress import preview_art, preview_columns, preview_sheet

PAPER = (255, 255, 255)
FILM = (233, 235, 238, 255)
EDGE = (60, 64, 72)
OUTLINE = (37, 99, 235, 255)
MISSING = (200, 205, 214, 255)
INK = (17, 17, 17)
LABEL_BACK = (255, 255, 255, 215)
CUT = (214, 40, 40)
LABEL_SIZES = (11, 9)
PAD = 2

Font = ImageFont.FreeTypeFont | ImageFont.ImageFont


def render(sheet: preview_sheet.Sheet, plan: preview_columns.Plan,
           art: Mapping[str, preview_art.Source | None], crops: Mapping[str, preview_sheet.Crop],
           labels: Mapping[str, str], header: list[str]) -> bytes:
    """PNG bytes of the sheet laid out as `plan` says."""
    picture = Image.new("RGB", (plan.width, plan.height), PAPER)
    tall = _draw_sheet(sheet, plan.scale, art, crops)
    draw = ImageDraw.Draw(picture, "RGBA")
    several = len(plan.columns) > 1
    for n, c in enumerate(plan.columns):
        top, bottom = round(c.start_in * plan.scale), round(c.end_in * plan.scale)
        picture.paste(tall.crop((0, top, tall.width, bottom)), (c.left, c.top))
        draw.rectangle((c.left - 1, c.top - 1, c.left + tall.width, c.top + bottom - top), outline=EDGE)
        if several:
            draw.text((c.left, c.top - preview_columns.CAPTION + 3), f"{c.start_in:g} - {c.end_in:g} in",
                      font=_font(10), fill=INK)
            # A red tick on the edges where the sheet continues, so a cut never reads as the sheet's end.
            for y, more in ((c.top - 1, n > 0), (c.top + bottom - top, n < len(plan.columns) - 1)):
                if more:
                    draw.line((c.left - 1, y, c.left + tall.width, y), fill=CUT, width=2)
    for piece in sheet.pieces:
        _label(draw, plan, piece, labels.get(piece.key))
    for n, line in enumerate(header):
        fits = functools.partial(_fits, room=plan.width - 2 * preview_columns.MARGIN, size=13)
        draw.text((preview_columns.MARGIN, 6 + 18 * n), preview_sheet.fit_text(line, fits), font=_font(13), fill=INK)
    # libvips' encoder without row filters takes a tenth of Pillow's time for a similar size (20 ms for 1.8 MP).
    encoder = pyvips.Image.new_from_memory(picture.tobytes(), picture.width, picture.height, 3, "uchar")
    return encoder.pngsave_buffer(compression=3, filter="none")


def _draw_sheet(sheet: preview_sheet.Sheet, scale: float, art: Mapping[str, preview_art.Source | None],
                crops: Mapping[str, preview_sheet.Crop]) -> Image.Image:
    """The whole sheet at `scale` in one tall image (a few MB even for 200 in), pieces in layout order."""
    tall = Image.new("RGBA", (max(1, round(sheet.width * scale)), max(1, round(sheet.length * scale))), FILM)
    draw = ImageDraw.Draw(tall)
    need: dict[str, tuple[int, int]] = {}
    for p in sheet.pieces:
        left, top, right, bottom = _box(p, scale)
        w, h = (bottom - top, right - left) if p.rotated else (right - left, bottom - top)
        known = need.get(p.key, (1, 1))
        need[p.key] = (max(known[0], w), max(known[1], h))
    decoded: dict[str, Image.Image | None] = {}
    sprites: dict[tuple[str, int, int, bool], Image.Image] = {}
    for p in sheet.pieces:
        left, top, right, bottom = _box(p, scale)
        if p.key not in decoded:
            decoded[p.key] = _shrunk(preview_art.load_rgba(art.get(p.key), crops.get(p.key)), need[p.key])
        source = decoded[p.key]
        if source is None:
            draw.rectangle((left, top, right - 1, bottom - 1), fill=MISSING)
        else:
            size = (right - left, bottom - top)
            sprite = sprites.get((p.key, *size, p.rotated))
            if sprite is None:
                turned = source.transpose(Image.Transpose.ROTATE_270) if p.rotated else source
                sprite = sprites[(p.key, *size, p.rotated)] = turned.resize(size, Image.Resampling.BILINEAR)
            tall.alpha_composite(sprite, (left, top))
        draw.rectangle((left, top, right - 1, bottom - 1), outline=OUTLINE)
    return tall


def _shrunk(image: Image.Image | None, need: tuple[int, int]) -> Image.Image | None:
    """`image` box-reduced once towards the largest size a piece needs, so each resize starts small."""
    factor = min(image.width // need[0], image.height // need[1]) if image else 1
    return image.reduce(factor) if image and factor >= 2 else image


def _box(p: preview_sheet.Piece, scale: float) -> tuple[int, int, int, int]:
    left, top = round(p.x * scale), round(p.y * scale)
    return left, top, max(left + 1, round((p.x + p.width) * scale)), max(top + 1, round((p.y + p.height) * scale))


def _label(draw: ImageDraw.ImageDraw, plan: preview_columns.Plan, p: preview_sheet.Piece, text: str | None) -> None:
    """The label inside the piece's largest visible part, on a light band; nothing when it cannot fit."""
    if not text:
        return
    parts = [(min(p.y + p.height, c.end_in) - max(p.y, c.start_in), c) for c in plan.columns]
    shown, column = max(parts, key=lambda part: part[0])
    if shown <= 0:
        return
    left = column.left + p.x * plan.scale
    top = column.top + (max(p.y, column.start_in) - column.start_in) * plan.scale
    width, height = p.width * plan.scale, shown * plan.scale
    lines = preview_sheet.label_lines(text)
    for size in LABEL_SIZES:
        line_px = size + 3
        rows = min(len(lines), int((height - 2 * PAD) // line_px))
        fits = functools.partial(_fits, room=width - 2 * PAD, size=size)
        fitted = [preview_sheet.fit_text(line, fits) if n == 0 else preview_sheet.fit_reference(line, fits)
                  for n, line in enumerate(lines[:rows])]
        if rows and all(fitted):
            band = max(_width(line, size) for line in fitted) + 2 * PAD
            draw.rectangle((left + 1, top + 1, left + 1 + band, top + 1 + rows * line_px + PAD), fill=LABEL_BACK)
            for n, line in enumerate(fitted):
                at = (round(left) + 1 + PAD, round(top) + 1 + PAD + n * line_px)
                draw.bitmap(at, _text_mask(line, size), fill=INK)
            return


def _fits(text: str, room: float, size: int) -> bool:
    return _width(text, size) <= room


def _width(text: str, size: int) -> float:
    # Summed advances (no kerning) overestimate slightly, which only leaves a pixel or two spare.
    return math.fsum(_advance(ch, size) for ch in text) + 1


@functools.lru_cache(maxsize=1024)
def _text_mask(text: str, size: int) -> Image.Image:
    """The line drawn once as a mask: a design's label repeats on every copy of it."""
    _, _, right, bottom = _font(size).getbbox(text)
    mask = Image.new("L", (max(1, math.ceil(right)), max(1, math.ceil(bottom))), 0)
    ImageDraw.Draw(mask).text((0, 0), text, font=_font(size), fill=255)
    return mask


@functools.lru_cache(maxsize=4096)
def _advance(ch: str, size: int) -> float:
    return _font(size).getlength(ch)


@functools.lru_cache(maxsize=8)
def _font(size: int) -> Font:
    return ImageFont.load_default(size=size)
