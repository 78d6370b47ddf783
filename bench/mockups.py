"""Benchmark: 100 mockups (25 designs x 4 templates) at a 2000 px long side vs a naive Pillow resize-and-paste."""
from __future__ import annotations

import io
import os
import statistics
import sys
import time
from pathlib import Path

import numpy as np
from PIL import Image, ImageDraw

# Replace this folder on the path: its queue.py would shadow the standard library's queue module.
sys.path[0] = str(Path(__file__).resolve().parents[1])

from prepress import mockups

PHOTO_SIZE = (3000, 2400)
DESIGN_SIZE = (1800, 2400)
DESIGNS = 25
LONG_SIDE = 2000


def fabric_photo(seed: int) -> Image.Image:
    """A synthetic product photo: lit gradient, diagonal folds and weave noise."""
    rng = np.random.default_rng(seed)
    h, w = PHOTO_SIZE[1], PHOTO_SIZE[0]
    ys, xs = np.mgrid[0:h, 0:w].astype(np.float32)
    light = 150 + 60 * (xs / w) - 30 * (ys / h)
    folds = 25 * np.sin((xs * 0.6 + ys) / 90.0) * np.exp(-((xs - w / 2) ** 2) / (2 * (w / 4) ** 2))
    noise = rng.normal(0, 6, (h, w)).astype(np.float32)
    lum = np.clip(light + folds + noise, 0, 255)
    tint = np.array([1.0, 0.97, 0.92], dtype=np.float32)
    return Image.fromarray(np.clip(lum[..., None] * tint, 0, 255).astype(np.uint8), "RGB")


def design(seed: int) -> Image.Image:
    """A synthetic RGBA design: transparent background with random shapes."""
    rng = np.random.default_rng(1000 + seed)
    image = Image.new("RGBA", DESIGN_SIZE, (0, 0, 0, 0))
    draw = ImageDraw.Draw(image)
    for _ in range(12):
        x0, y0 = rng.integers(0, DESIGN_SIZE[0] - 200), rng.integers(0, DESIGN_SIZE[1] - 200)
        x1, y1 = x0 + rng.integers(100, 900), y0 + rng.integers(100, 900)
        colour = tuple(int(c) for c in rng.integers(0, 256, 3)) + (int(rng.integers(160, 256)),)
        (draw.ellipse if rng.random() < 0.5 else draw.rectangle)((x0, y0, x1, y1), fill=colour)
    return image


def templates(photo: Image.Image, mark: Image.Image) -> list[mockups.MockupTemplate]:
    """Four templates covering perspective, polygon, blends, displacement and watermarks."""
    tee = mockups.PrintArea([(1000, 600), (2050, 650), (2000, 1900), (1050, 1850)], fit="contain",
                            blend="multiply", displacement=4.0)
    poster = mockups.PrintArea([(600, 300), (2400, 300), (2400, 2100), (600, 2100)], fit="cover", blend="normal")
    mug = mockups.PrintArea([(900, 700), (2100, 650), (2200, 1500), (1500, 1800), (800, 1500)], shape="polygon",
                            fit="cover", blend="multiply", opacity=0.95)
    tote = mockups.PrintArea([(1100, 800), (1900, 760), (1950, 1800), (1080, 1850)], fit="stretch",
                             blend="multiply")
    return [
        mockups.MockupTemplate(photo, [tee], "Tee Front"),
        mockups.MockupTemplate(photo, [poster], "Poster 18x24",
                               mockups.Watermark(mark, opacity=0.35, scale=0.15, position="bottom-right")),
        mockups.MockupTemplate(photo, [mug], "Mug Wrap"),
        mockups.MockupTemplate(photo, [tote], "Tote", mockups.Watermark(mark, opacity=0.2, scale=0.1, position="tile")),
    ]


def naive(base: Image.Image, box: tuple[int, int, int, int], art: Image.Image) -> bytes:
    """The baseline: resize the design to the area's bounding box, paste with alpha, save JPEG."""
    out = base.copy()
    resized = art.resize((box[2] - box[0], box[3] - box[1]))
    out.paste(resized, box[:2], resized)
    buf = io.BytesIO()
    out.save(buf, "JPEG", quality=90)
    return buf.getvalue()


def main() -> None:
    """Run the benchmark and print per-mockup medians, throughput and the ratio."""
    photo = fabric_photo(1)
    mark = Image.new("RGBA", (600, 200), (0, 0, 0, 0))
    ImageDraw.Draw(mark).rectangle((10, 10, 590, 190), outline=(255, 255, 255, 255), width=12)
    started = time.perf_counter()
    prepared = [mockups.prepare_template(t) for t in templates(photo, mark)]
    for p in prepared:
        p.scaled(LONG_SIDE)
    prepare_s = time.perf_counter() - started

    # The naive path gets the same one-off photo downscale, so only per-mockup work is compared.
    base = prepared[0].scaled(LONG_SIDE).base
    factor = base.width / photo.width
    boxes = []
    for t in prepared:
        xs = [p[0] * factor for p in t.template.areas[0].points]
        ys = [p[1] * factor for p in t.template.areas[0].points]
        boxes.append((round(min(xs)), round(min(ys)), round(max(xs)), round(max(ys))))

    ours, theirs, sizes, cpu = [], [], [], []
    for seed in range(DESIGNS):
        art = design(seed)
        # One colour conversion per design, shared by its four templates; charged to the first mockup.
        t0, c0 = time.perf_counter(), time.process_time()
        prepared_art = mockups.prepare_design(art)
        design_s, design_cpu = time.perf_counter() - t0, time.process_time() - c0
        for t, box in zip(prepared, boxes, strict=True):
            t0, c0 = time.perf_counter(), time.process_time()
            data = mockups.render_mockup(t, prepared_art, long_side=LONG_SIDE)
            ours.append(time.perf_counter() - t0 + design_s)
            cpu.append(time.process_time() - c0 + design_cpu)
            design_s = design_cpu = 0.0
            sizes.append(len(data))
            t0 = time.perf_counter()
            naive(base, box, art)
            theirs.append(time.perf_counter() - t0)

    check = Image.open(io.BytesIO(data))
    print(f"cpu count {os.cpu_count()}, load average {os.getloadavg()[0]:.2f}; {len(ours)} mockups, "
          f"photo {PHOTO_SIZE[0]}x{PHOTO_SIZE[1]}, designs {DESIGN_SIZE[0]}x{DESIGN_SIZE[1]} RGBA, "
          f"output {check.size[0]}x{check.size[1]} {check.format}, mean {statistics.mean(sizes) / 1e3:.0f} kB")
    print(f"prepare 4 templates (one-off): {prepare_s * 1e3:.0f} ms")
    for name, times in (("mockups.render_mockup", ours), ("naive resize+paste", theirs)):
        print(f"{name:22s} median {statistics.median(times) * 1e3:6.1f} ms/mockup, "
              f"p90 {sorted(times)[int(len(times) * 0.9)] * 1e3:6.1f} ms, "
              f"throughput {len(times) / sum(times):5.2f} mockups/s")
    # Wall time suffers when other processes share the cores; CPU time shows the work itself.
    print(f"mockups.render_mockup CPU time median {statistics.median(cpu) * 1e3:.1f} ms/mockup "
          f"({len(cpu) / sum(cpu):.2f} mockups per CPU-second)")
    print(f"throughput incl. template prep: {len(ours) / (sum(ours) + prepare_s):.2f} mockups/s")
    print(f"ratio (ours / naive median time): {statistics.median(ours) / statistics.median(theirs):.2f}x")


if __name__ == "__main__":
    main()
