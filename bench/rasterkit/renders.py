"""The three renders bench/raster.py compares (each runs in its own child process) and a pixel comparison."""
from __future__ import annotations

import hashlib
from pathlib import Path

import numpy as np
import pyvips
from PIL import Image

from prepress import raster, raster_resample, units

PAETH = 0x80  # libpng's Paeth filter flag
# The reference keeps resampled designs up to this size in memory and recomputes larger ones on demand.
VIPS_MEMORY_PIXELS = 16_000_000


def ours(job: dict) -> None:
    """prepress.raster, every sheet of the job."""
    designs = {key: raster.DesignSource(path, tuple(crop) if crop else None)
               for key, (path, crop) in job["designs"].items()}
    for sheet, out in zip(job["sheets"], job["outs"], strict=True):
        raster.render_sheet(sheet, job["sheet_width"], designs, job["dpi"], out)


def _box(p: dict, dpi: int) -> tuple[int, int, int, int]:
    left, top = units.inches_to_px(p["x"], dpi), units.inches_to_px(p["y"], dpi)
    right, bottom = units.inches_to_px(p["x"] + p["width"], dpi), units.inches_to_px(p["y"] + p["height"], dpi)
    return left, top, right - left, bottom - top


def vips(job: dict) -> None:
    """A libvips render of the same layout its own way: lanczos3 on premultiplied alpha to the exact size, the
    designs inserted into a transparent sheet, written with the Paeth filter at compression 6."""
    dpi = job["dpi"]
    for sheet, out in zip(job["sheets"], job["outs"], strict=True):
        width = units.inches_to_px(job["sheet_width"], dpi)
        canvas = pyvips.Image.black(width, units.inches_to_px(sheet["length"], dpi), bands=4)
        made: dict[tuple, pyvips.Image] = {}
        for p in sheet["placements"]:
            left, top, w, h = _box(p, dpi)
            ident = (p["key"], w, h, p["rotated"])
            if ident not in made:
                path, crop = job["designs"][p["key"]]
                im = pyvips.Image.new_from_file(path)
                if crop:
                    im = im.crop(crop[0], crop[1], crop[2] - crop[0], crop[3] - crop[1])
                if im.bands == 3:
                    im = im.bandjoin(255)
                if p["rotated"]:
                    im = im.rot270()
                if (im.width, im.height) != (w, h):
                    im = im.premultiply().resize(w / im.width, vscale=h / im.height, kernel="lanczos3")
                    im = im.unpremultiply().cast("uchar")
                    im = im.crop(0, 0, min(w, im.width), min(h, im.height)).embed(0, 0, w, h, extend="copy")
                made[ident] = im.copy_memory() if w * h <= VIPS_MEMORY_PIXELS else im
            canvas = canvas.insert(made[ident], left, top)
        canvas = canvas.copy(interpretation="srgb", xres=dpi / 25.4, yres=dpi / 25.4)
        canvas.pngsave(out, compression=6, filter=PAETH)


def pillow(job: dict) -> None:
    """The straightforward render: one full-size RGBA canvas, paste every resized design, save with DPI."""
    Image.MAX_IMAGE_PIXELS = None  # a plain render of a long sheet is refused by Pillow's default
    dpi = job["dpi"]
    for sheet, out in zip(job["sheets"], job["outs"], strict=True):
        canvas = Image.new("RGBA", (units.inches_to_px(job["sheet_width"], dpi),
                                    units.inches_to_px(sheet["length"], dpi)))
        resized: dict[tuple, Image.Image] = {}
        for p in sheet["placements"]:
            left, top, w, h = _box(p, dpi)
            ident = (p["key"], w, h, p["rotated"])
            if ident not in resized:
                path, crop = job["designs"][p["key"]]
                with Image.open(path) as src:
                    im = src.convert("RGBA")
                if crop:
                    im = im.crop(tuple(crop))
                if p["rotated"]:
                    im = im.transpose(raster_resample.ROTATION)
                resized[ident] = im if im.size == (w, h) else im.resize((w, h), raster_resample.RESAMPLE)
            canvas.paste(resized[ident], (left, top))
        del resized
        canvas.save(out, "PNG", dpi=(dpi, dpi))


RENDERS = {"ours": ours, "pyvips": vips, "pillow": pillow}


def compare(a: Path, b: Path, rows: int = 512) -> tuple[bool, int, float, str]:
    """Decode both PNGs strip by strip: (pixels equal, max abs difference, share of pixels differing, digest of a)."""
    images = [pyvips.Image.new_from_file(str(p), access="sequential") for p in (a, b)]
    if (images[0].width, images[0].height) != (images[1].width, images[1].height):
        return False, 255, 1.0, ""
    regions = [pyvips.Region.new(im) for im in images]
    width, height = images[0].width, images[0].height
    worst, differing, digest = 0, 0, hashlib.sha256()
    for y in range(0, height, rows):
        n = min(rows, height - y)
        x, z = (np.frombuffer(r.fetch(0, y, width, n), np.uint8).reshape(n, width, -1) for r in regions)
        digest.update(x.tobytes())
        if x.shape != z.shape:
            return False, 255, 1.0, ""
        diff = np.abs(x.astype(np.int16) - z)
        worst = max(worst, int(diff.max()))
        differing += int(np.count_nonzero(diff.any(axis=-1)))
    return worst == 0, worst, differing / (width * height), digest.hexdigest()[:16]


def reencoded_size(png: Path, out: Path) -> int:
    """Bytes of the same pixels written by libvips with the reference's settings (the encoders' own difference)."""
    pyvips.Image.new_from_file(str(png), access="sequential").pngsave(str(out), compression=6, filter=PAETH)
    size = out.stat().st_size
    out.unlink()
    return size
