"""Bench: streaming sheet render vs a plain full-canvas Pillow render, peak memory and wall time, each in a child.

Usage: .venv/bin/python bench/raster.py [--length 200] [--width 22] [--dpi 300] [--count 300] [--repeat 1] [--keep DIR]
With --repeat N the two renders alternate N times; the best wall and CPU time and the highest peak are reported.
"""
from __future__ import annotations

import argparse
import hashlib
import json
import os
import struct
import subprocess
import sys
import tempfile
import time
import zlib
from pathlib import Path

# Replace this folder on the path: its queue.py would shadow the standard library's queue module.
sys.path[0] = str(Path(__file__).resolve().parent.parent)

import numpy as np
from PIL import Image

from prepress import raster, raster_compose, units

SPACING = 0.125
# (source px, placed inches); some are placed rotated, two are upsampled, the rest downsampled as in real orders.
DESIGNS = {
    "badge": ((1200, 1200), (3.5, 3.5)),
    "tee": ((1800, 1350), (4.0, 3.0)),
    "tall": ((900, 1500), (2.5, 4.0)),
    "small": ((500, 500), (2.0, 2.0)),
    "wide": ((2400, 1200), (4.5, 2.5)),
    "logo": ((700, 700), (3.0, 3.0)),
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
    return Image.fromarray(a, "RGBA")


def shelf_layout(width: float, length: float, count: int) -> dict:
    """Fill the sheet shelf by shelf, cycling the designs (every third one turned), up to `count` placements."""
    names = list(DESIGNS)
    placements, x, y, shelf_h, i = [], 0.0, 0.0, 0.0, 0
    while len(placements) < count:
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


def render_pillow(sheet: dict, width: float, designs: dict[str, Path], dpi: int, out: Path) -> None:
    """The straightforward render: one full-size RGBA canvas, paste every resized design, save with DPI."""
    canvas = Image.new("RGBA", (units.inches_to_px(width, dpi), units.inches_to_px(sheet["length"], dpi)))
    resized: dict[tuple, Image.Image] = {}
    for p in sheet["placements"]:
        left, top = units.inches_to_px(p["x"], dpi), units.inches_to_px(p["y"], dpi)
        size = (units.inches_to_px(p["x"] + p["width"], dpi) - left,
                units.inches_to_px(p["y"] + p["height"], dpi) - top)
        ident = (p["key"], size, p["rotated"])
        if ident not in resized:
            with Image.open(designs[p["key"]]) as src:
                im = src.convert("RGBA")
            if p["rotated"]:
                im = im.transpose(raster_compose.ROTATION)
            resized[ident] = im if im.size == size else im.resize(size, raster_compose.RESAMPLE)
        canvas.paste(resized[ident], (left, top))
    canvas.save(out, "PNG", dpi=(dpi, dpi))


def child(kind: str, layout_path: Path, design_dir: Path, dpi: int, out: Path) -> None:
    """Run one render in this (child) process and print its own timing as JSON."""
    layout = json.loads(layout_path.read_text())
    sheet = layout["sheets"][0]
    designs = raster.designs_in_dir(design_dir, list(DESIGNS))
    start = time.perf_counter()
    if kind == "ours":
        raster.render_sheet(sheet, layout["sheet_width"], designs, dpi, out)
    else:
        render_pillow(sheet, layout["sheet_width"], designs, dpi, out)
    print(json.dumps({"render_s": time.perf_counter() - start}))


def measure(kind: str, layout_path: Path, design_dir: Path, dpi: int, out: Path) -> dict:
    """Peak RSS (wait4 on the child, so only that child counts) and wall time of one child render."""
    start = time.perf_counter()
    proc = subprocess.Popen([sys.executable, __file__, "--child", kind, str(layout_path), str(design_dir),
                             str(dpi), str(out)], stdout=subprocess.PIPE)
    stdout = proc.stdout.read()
    _, status, usage = os.wait4(proc.pid, 0)
    proc.returncode = os.waitstatus_to_exitcode(status)
    wall = time.perf_counter() - start
    if proc.returncode != 0:
        raise SystemExit(f"{kind} render failed with {proc.returncode}")
    return {"wall_s": wall, "render_s": json.loads(stdout)["render_s"], "peak_mb": usage.ru_maxrss / 1024,
            "cpu_s": usage.ru_utime + usage.ru_stime,
            "bytes": out.stat().st_size}


def compare_small(layout: dict, design_dir: Path, dpi: int, tmp: Path) -> int:
    """Max abs channel difference between the two renders of a short sheet (the first shelves of the layout)."""
    width = layout["sheet_width"]
    length = 12.0
    small = {"length": length, "placements": [p for p in layout["sheets"][0]["placements"]
                                              if p["y"] + p["height"] <= length]}
    designs = raster.designs_in_dir(design_dir, list(DESIGNS))
    raster.render_sheet(small, width, designs, dpi, tmp / "small-ours.png", cut_guides=False)
    render_pillow(small, width, designs, dpi, tmp / "small-pillow.png")
    with Image.open(tmp / "small-ours.png") as a, Image.open(tmp / "small-pillow.png") as b:
        diff = np.abs(np.asarray(a, dtype=np.int16) - np.asarray(b, dtype=np.int16))
    return int(diff.max())


def scanline_digest(path: Path) -> str:
    """SHA-256 of a PNG's inflated IDAT stream, streamed: equal digests mean equal (filtered) rows, so equal pixels."""
    inflate, digest = zlib.decompressobj(), hashlib.sha256()
    with open(path, "rb") as fh:
        fh.read(8)
        while header := fh.read(8):
            length, kind = struct.unpack(">I4s", header)
            data = fh.read(length + 4)[:length]
            if kind == b"IDAT":
                digest.update(inflate.decompress(data))
    digest.update(inflate.flush())
    return digest.hexdigest()


def main() -> None:
    """Build the inputs, run both renders in children, print figures and ratios."""
    if len(sys.argv) > 1 and sys.argv[1] == "--child":
        kind, layout_path, design_dir, dpi, out = sys.argv[2:7]
        child(kind, Path(layout_path), Path(design_dir), int(dpi), Path(out))
        return
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--width", type=float, default=22.0)
    parser.add_argument("--length", type=float, default=200.0)
    parser.add_argument("--dpi", type=int, default=300)
    parser.add_argument("--count", type=int, default=300)
    parser.add_argument("--repeat", type=int, default=1)
    parser.add_argument("--keep", type=Path, help="write inputs and outputs here instead of a temp dir")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="bench-raster-") as scratch:
        tmp = args.keep or Path(scratch)
        tmp.mkdir(parents=True, exist_ok=True)
        design_dir = tmp / "designs"
        design_dir.mkdir(exist_ok=True)
        for seed, (key, (px, _)) in enumerate(DESIGNS.items()):
            make_design(px, seed).save(design_dir / f"{key}.png")
        layout = shelf_layout(args.width, args.length, args.count)
        layout_path = tmp / "layout.json"
        layout_path.write_text(json.dumps(layout))
        sheet = layout["sheets"][0]
        w_px, h_px = units.inches_to_px(args.width, args.dpi), units.inches_to_px(args.length, args.dpi)
        print(f"sheet {args.width} x {args.length} in at {args.dpi} DPI = {w_px} x {h_px} px "
              f"({w_px * h_px * 4 / 1e9:.2f} GB raw RGBA), {len(sheet['placements'])} placements, "
              f"utilization {sheet['utilization']:.2f}, cpus {os.cpu_count()}")
        results: dict[str, dict] = {}
        for _ in range(args.repeat):
            for kind in ("pillow", "ours"):
                r = measure(kind, layout_path, design_dir, args.dpi, tmp / f"sheet-{kind}.png")
                print(f"{kind:7s} peak RSS {r['peak_mb']:8.1f} MB  wall {r['wall_s']:6.2f} s  "
                      f"(render {r['render_s']:6.2f} s)  cpu {r['cpu_s']:6.2f} s  file {r['bytes'] / 1e6:.1f} MB")
                best = results.setdefault(kind, r)
                for k in ("wall_s", "render_s", "cpu_s"):
                    best[k] = min(best[k], r[k])
                best["peak_mb"] = max(best["peak_mb"], r["peak_mb"])
        # Same sheet cut to its first 20 inches: our peak should not depend on the length.
        short = {"sheet_width": args.width, "sheets": [{"length": 20.0, "placements": [
            p for p in sheet["placements"] if p["y"] + p["height"] <= 20.0]}]}
        (tmp / "short.json").write_text(json.dumps(short))
        r = measure("ours", tmp / "short.json", design_dir, args.dpi, tmp / "short-ours.png")
        print(f"ours on the first 20 in only: peak RSS {r['peak_mb']:.1f} MB, wall {r['wall_s']:.2f} s")
        ours, base = results["ours"], results["pillow"]
        print(f"ratios ours/pillow: peak memory {ours['peak_mb'] / base['peak_mb']:.3f}  "
              f"wall time {ours['wall_s'] / base['wall_s']:.3f}  cpu time {ours['cpu_s'] / base['cpu_s']:.3f}  "
              f"file size {ours['bytes'] / base['bytes']:.3f}")
        diff = compare_small(layout, design_dir, args.dpi, tmp)
        print(f"small sheet ({args.width} x 12 in) max abs pixel difference: {diff}")
        same = scanline_digest(tmp / "sheet-ours.png") == scanline_digest(tmp / "sheet-pillow.png")
        print(f"full sheets: decoded scanlines {'identical' if same else 'DIFFER'}")


if __name__ == "__main__":
    main()
