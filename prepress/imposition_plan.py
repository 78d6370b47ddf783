"""Turns expanded pieces into sheets on an integer grid: merges identical pieces, splits sheets and groups."""
from __future__ import annotations

import math
from collections import deque
from collections.abc import Sequence
from typing import NamedTuple

from prepress import imposition_search as search
from prepress import imposition_skyline as skyline

# Grid steps per inch. Sizes round up and the roll rounds down, so a grid-legal layout is legal in inches.
SCALE = 1000
_TOL = 1e-6


def up(inches: float) -> int:
    """Grid units covering `inches` (never less than the real size)."""
    return math.ceil(inches * SCALE - _TOL)


def down(inches: float) -> int:
    """Grid units inside `inches` (never more than the real size)."""
    return math.floor(inches * SCALE + _TOL)


class Spot(NamedTuple):
    """One copy of input item `item` at grid (x, y) on its sheet, and whether it was turned 90 degrees."""

    item: int
    x: int
    y: int
    rotated: bool


def shapes_for(
    width: float, height: float, rotation: str, gap: int, roll: int, limit: int | None
) -> list[skyline.Shape]:
    """Allowed orientations of a piece, grown by the spacing, that fit the roll (and the sheet length)."""
    w, h = up(width) + gap, up(height) + gap
    options = {"none": [(w, h, False)], "90": [(h, w, True)], "any": [(w, h, False), (h, w, True)]}[rotation]
    if rotation == "any" and w == h:
        options = options[:1]
    return [skyline.Shape(a, b, r) for a, b, r in options if a <= roll and (limit is None or b <= limit)]


def lay_out(
    shapes: Sequence[Sequence[skyline.Shape]],
    quantities: Sequence[int],
    groups: Sequence[Sequence[int]],
    roll: int,
    limit: int | None,
    time_budget: float,
    flow: bool = False,
) -> list[list[Spot]]:
    """Sheets of spots, groups packed one after another in the given order.

    Each group gets its own band across the roll (a flat start above the previous group), or with `flow` it
    continues on the previous group's skyline: no clean cut between orders, but far less film.
    """
    total = sum(shapes[i][0].w * shapes[i][0].h * quantities[i] for g in groups for i in g) or 1
    sheets: list[list[Spot]] = [[]]
    ground: skyline.Skyline | None = None
    for group in groups:
        kinds, counts, queues = _merge(shapes, quantities, group)
        while sum(counts):
            base = 0 if ground is None else min(ground[2])
            if limit is not None and base >= limit:
                sheets.append([])
                ground = None
                continue
            area = sum(kinds[t][0].w * kinds[t][0].h * n for t, n in enumerate(counts))
            share = time_budget * min(area, roll * (limit - base) if limit is not None else area) / total
            bound = _bound(kinds, counts, roll) + (base if ground is not None and not flow else 0)
            p = search.search(kinds, counts, roll, limit=limit, lower_bound=bound, time_budget=share, start=ground)
            if ground is not None and any(p.left) and (not p.placements or area <= roll * (limit or 0)):
                # A group that does not fit the rest of this sheet but could fit a whole one starts a fresh
                # sheet rather than being split across two.
                sheets.append([])
                ground = None
                continue
            if not p.placements:
                raise RuntimeError("packer placed nothing on an empty sheet")
            for t, x, y, shape in p.placements:
                sheets[-1].append(Spot(queues[t].popleft(), x, y, shape.rotated))
            counts = p.left
            if any(counts):
                sheets.append([])
                ground = None
            else:
                ground = p.skyline if flow else ([0], [roll], [p.length])
    return [s for s in sheets if s]


def _merge(
    shapes: Sequence[Sequence[skyline.Shape]], quantities: Sequence[int], members: Sequence[int]
) -> tuple[list[Sequence[skyline.Shape]], list[int], list[deque[int]]]:
    """Pieces with identical grid shapes become one type, so the search works on types not copies."""
    index: dict[tuple, int] = {}
    kinds: list[Sequence[skyline.Shape]] = []
    counts: list[int] = []
    queues: list[deque[int]] = []
    for i in members:
        key = tuple(shapes[i])
        t = index.get(key)
        if t is None:
            t = index[key] = len(kinds)
            kinds.append(shapes[i])
            counts.append(0)
            queues.append(deque())
        counts[t] += quantities[i]
        queues[t].extend([i] * quantities[i])
    return kinds, counts, queues


def _bound(kinds: Sequence[Sequence[skyline.Shape]], counts: Sequence[int], roll: int) -> int:
    """No strip can be shorter than the area bound or the shortest allowed height of its tallest piece."""
    area = sum(k[0].w * k[0].h * n for k, n in zip(kinds, counts, strict=True))
    tallest = max((min(s.h for s in k) for k, n in zip(kinds, counts, strict=True) if n), default=0)
    return max(-(-area // roll), tallest)
