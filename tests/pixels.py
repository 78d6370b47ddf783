"""Reading rendered sheets back: pixels sampled in one streaming pass, and what each placed piece should show."""
from __future__ import annotations

from collections.abc import Iterable, Mapping
from pathlib import Path
from typing import Any

import pyvips

from prepress import units

STRIP_ROWS = 512
INSET = 3  # px inside a piece's edge: the resampled edge itself may blend with its neighbour in the spacing


def sample(path: str | Path, points: Iterable[tuple[int, int]]) -> dict[tuple[int, int], tuple[int, ...]]:
    """The pixel at each (x, y), decoding the file once top to bottom (a 22 x 120 in sheet never sits in memory)."""
    image = pyvips.Image.new_from_file(str(path), access="sequential")
    wanted = sorted(set(points), key=lambda p: (p[1], p[0]))
    found: dict[tuple[int, int], tuple[int, ...]] = {}
    n = 0
    for top in range(0, image.height, STRIP_ROWS):
        if n == len(wanted):
            break
        rows = min(STRIP_ROWS, image.height - top)
        strip = image.crop(0, top, image.width, rows).numpy()
        while n < len(wanted) and wanted[n][1] < top + rows:
            x, y = wanted[n]
            found[(x, y)] = tuple(int(v) for v in strip[y - top, x])
            n += 1
    return found


def box_px(placement: Mapping[str, Any], dpi: int) -> tuple[int, int, int, int]:
    """The piece's pixel box (left, top, right, bottom), each edge rounded on its own as the renderer does."""
    x, y, w, h = (float(placement[k]) for k in ("x", "y", "width", "height"))
    return (units.inches_to_px(x, dpi), units.inches_to_px(y, dpi), units.inches_to_px(x + w, dpi),
            units.inches_to_px(y + h, dpi))


def expected_points(placement: Mapping[str, Any], dpi: int, top_rgb: tuple[int, int, int],
                    bottom_rgb: tuple[int, int, int]) -> dict[tuple[int, int], tuple[int, int, int, int]]:
    """What a piece printed from a design whose artwork is `top_rgb` above and `bottom_rgb` below shows.

    Its upper half inside the box, at a quarter of the way down and near its corners; turned a quarter clockwise,
    the design's top lies on the right.
    """
    left, top, right, bottom = box_px(placement, dpi)
    top_rgba, bottom_rgba = (*top_rgb, 255), (*bottom_rgb, 255)
    if placement.get("rotated"):
        first, second = (left + INSET, right - 1 - INSET), (bottom_rgba, top_rgba)  # left side shows the bottom
        mid = (top + bottom) // 2
        return {(first[0], mid): second[0], (first[1], mid): second[1],
                (first[0], top + INSET): second[0], (first[1], bottom - 1 - INSET): second[1]}
    mid = (left + right) // 2
    return {(mid, top + INSET): top_rgba, (mid, bottom - 1 - INSET): bottom_rgba,
            (left + INSET, top + INSET): top_rgba, (right - 1 - INSET, bottom - 1 - INSET): bottom_rgba}


def gap_points(placements: list[Mapping[str, Any]], dpi: int, width_px: int) -> list[tuple[int, int]]:
    """One point just left of each piece that lies in no piece: the film there must stay transparent."""
    boxes = [box_px(p, dpi) for p in placements]
    points = []
    for left, top, _, bottom in boxes:
        x, y = left - INSET, (top + bottom) // 2
        if 0 <= x < width_px and not any(b[0] <= x < b[2] and b[1] <= y < b[3] for b in boxes):
            points.append((x, y))
    return points
