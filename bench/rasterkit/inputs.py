"""Inputs of bench/raster.py: synthetic designs and shelf layouts, and a production day of realistic designs."""
from __future__ import annotations

import math
from pathlib import Path

import numpy as np
from PIL import Image, ImageDraw, ImageFont

from prepress import imposition

SPACING = 0.125
# (source px, placed inches); some are placed rotated, the rest down- or upsampled as in real orders.
DESIGNS = {
    "badge": ((1200, 1200), (2.6, 2.6)),
    "tee": ((1800, 1350), (3.2, 2.4)),
    "tall": ((900, 1500), (1.9, 3.0)),
    "small": ((500, 500), (1.6, 1.6)),
    "wide": ((2400, 1200), (3.5, 1.9)),
    "logo": ((700, 700), (2.3, 2.3)),
}


def make_design(size: tuple[int, int], seed: int) -> Image.Image:
    """A synthetic RGBA design: soft-edged disc with gradients, a noisy band and transparent corners."""
    w, h = size
    rng = np.random.default_rng(seed)
    yy, xx = np.mgrid[0:h, 0:w].astype(np.float32)
    r = np.hypot((xx - w / 2) / (w / 2), (yy - h / 2) / (h / 2))
    a = np.zeros((h, w, 4), np.uint8)
    a[..., 0] = (xx * 255 / w).astype(np.uint8)
    a[..., 1] = (yy * 255 / h).astype(np.uint8)
    a[..., 2] = (seed * 40) % 256
    a[..., 3] = (np.clip((1.0 - r) * 40, 0, 1) * 255).astype(np.uint8)
    band = slice(h * 2 // 5, h * 3 // 5)
    a[band, :, :3] = rng.integers(0, 256, (a[band].shape[0], w, 3), dtype=np.uint8) // 4 + a[band, :, :3] // 2
    return Image.fromarray(a)


def shelf_layout(width: float, length: float, count: int | None) -> dict:
    """Fill the sheet shelf by shelf, cycling the designs (every third one turned), up to `count` placements."""
    names = list(DESIGNS)
    placements: list[dict] = []
    x, y, shelf_h, i = 0.0, 0.0, 0.0, 0
    while count is None or len(placements) < count:
        key = names[i % len(names)]
        pw, ph = DESIGNS[key][1]
        rotated = i % 3 == 2
        if rotated:
            pw, ph = ph, pw
        if x + pw > width:
            x, y, shelf_h = 0.0, y + shelf_h + SPACING, 0.0
        if y + ph > length:
            break
        placements.append({"key": key, "x": x, "y": y, "width": pw, "height": ph, "rotated": rotated})
        x += pw + SPACING
        shelf_h = max(shelf_h, ph)
        i += 1
    used = sum(p["width"] * p["height"] for p in placements)
    return {"sheet_width": width,
            "sheets": [{"length": length, "utilization": used / (width * length), "placements": placements}]}


def write_synthetic(directory: Path) -> dict[str, list]:
    """The six synthetic designs as PNGs; returns {key: [path, crop]}."""
    out = {}
    for seed, (key, (px, _)) in enumerate(DESIGNS.items()):
        path = directory / f"{key}.png"
        if not path.exists():
            make_design(px, seed).save(path)
        out[key] = [str(path), None]
    return out


def realistic_design(size: tuple[int, int], seed: int, pad: int = 0) -> Image.Image:
    """Artwork as shops send it: a photo-like or flat-colour motif, lettering, soft shadow, transparent around it."""
    w, h = size
    rng = np.random.default_rng(seed)
    inner = (w - 2 * pad, h - 2 * pad)
    if seed % 3 == 0:
        # Photo-like: smooth colour field with fine grain.
        field = Image.fromarray(rng.integers(0, 256, (6, 6, 3), dtype=np.uint8)).resize(inner, Image.BICUBIC)
        grain = rng.normal(0, 6, (inner[1], inner[0], 1))
        colour = np.clip(np.asarray(field, np.float32) + grain, 0, 255).astype(np.uint8)
    else:
        palette = rng.integers(0, 256, (4, 3))
        colour = np.empty((inner[1], inner[0], 3), np.uint8)
        colour[:] = palette[0]
        stripes = (np.arange(inner[1]) * 4 // max(1, inner[1])) % 4
        colour[stripes >= 2] = palette[1]
    motif = Image.new("L", inner, 0)
    draw = ImageDraw.Draw(motif)
    shape = seed % 4
    box = (inner[0] * 0.04, inner[1] * 0.04, inner[0] * 0.96, inner[1] * 0.96)
    if shape == 0:
        draw.ellipse(box, fill=255)
    elif shape == 1:
        draw.rounded_rectangle(box, radius=min(inner) // 8, fill=255)
    elif shape == 2:
        draw.polygon([(inner[0] / 2, box[1]), (box[2], box[3]), (box[0], box[3])], fill=255)
    else:
        draw.regular_polygon((inner[0] / 2, inner[1] / 2, min(inner) * 0.46), 6 + seed % 3, fill=255)
    font = ImageFont.load_default(size=max(12, min(inner) // 7))
    draw.text((inner[0] * 0.15, inner[1] * 0.42), f"SHOP {seed:02d}", font=font, fill=0)
    alpha = np.asarray(motif.resize((inner[0] // 2 or 1, inner[1] // 2 or 1)).resize(inner, Image.BILINEAR))
    art = Image.fromarray(np.dstack([colour, alpha]))
    canvas = Image.new("RGBA", size, (0, 0, 0, 0))
    canvas.paste(art, (pad, pad))
    return canvas


def banner(size: tuple[int, int]) -> Image.Image:
    """The 22 x 60 in design: a tall gradient banner with bands of shapes and lettering, built band by band."""
    w, h = size
    canvas = Image.new("RGBA", size, (0, 0, 0, 0))
    for top in range(0, h, 2000):
        rows = min(2000, h - top)
        y = np.arange(top, top + rows, dtype=np.float32)[:, None] / h
        x = np.arange(w, dtype=np.float32)[None, :] / w
        band = np.empty((rows, w, 4), np.uint8)
        band[..., 0] = (255 * y).astype(np.uint8)
        band[..., 1] = (255 * x * (1 - y)).astype(np.uint8)
        band[..., 2] = 160
        band[..., 3] = np.where(np.abs(x - 0.5) < 0.45 + 0.04 * np.sin(y * 40), 255, 0).astype(np.uint8)
        canvas.paste(Image.fromarray(band), (0, top))
    draw = ImageDraw.Draw(canvas)
    font = ImageFont.load_default(size=w // 10)
    for n, top in enumerate(range(h // 20, h, h // 6)):
        draw.ellipse((w * 0.2, top, w * 0.8, top + w * 0.6), fill=(250, 240, 30, 255))
        draw.text((w * 0.25, top + w * 0.22), f"BANNER {n}", font=font, fill=(20, 20, 90, 255))
    return canvas


def production_day(directory: Path, max_length: float) -> tuple[imposition.Layout, dict[str, list]]:
    """36 designs (one 22 x 60 in, some padded and cropped) and about 220 pieces packed on a 22 in roll at 300 DPI."""
    rng = np.random.default_rng(42)
    designs: dict[str, list] = {}
    items = []
    for n in range(35):
        inches = (float(rng.choice([2.5, 3, 3.5, 4, 5, 6, 8, 10])), 0.0)
        inches = (inches[0], round(inches[0] * float(rng.choice([0.6, 0.75, 1, 1.25, 1.5])), 2))
        dpi = float(rng.choice([200, 300, 300, 300, 400]))  # some upsampled, most at or above the print DPI
        size = (max(40, int(inches[0] * dpi)), max(40, int(inches[1] * dpi)))
        pad = int(min(size) * 0.08) if n % 4 == 0 else 0  # padded canvases print their artwork box only
        path = directory / f"d{n:02d}.png"
        if not path.exists():
            realistic_design((size[0] + 2 * pad, size[1] + 2 * pad), n, pad).save(path, compress_level=1)
        designs[f"d{n:02d}"] = [str(path), [pad, pad, pad + size[0], pad + size[1]] if pad else None]
        items.append(imposition.Item(f"d{n:02d}", inches[0], inches[1], int(rng.integers(2, 11))))
    big = directory / "banner.png"
    if not big.exists():
        banner((6600, 18000)).save(big, compress_level=1)
    designs["banner"] = [str(big), None]
    items.append(imposition.Item("banner", 21.0, round(21.0 * 60 / 22, 3), 1))
    layout = imposition.impose(items, 22.0, spacing=SPACING, margin=0.25, rotation="any", max_length=max_length,
                               time_budget=1.0)
    return layout, designs


def pieces(layout: imposition.Layout) -> int:
    """Number of placed pieces."""
    return sum(len(s.placements) for s in layout.sheets)


def day_utilization(layout: imposition.Layout) -> float:
    """Printed area over film area for the whole day."""
    area = sum(p.width * p.height for s in layout.sheets for p in s.placements)
    return area / (layout.sheet_width * layout.length) if layout.length else math.nan
