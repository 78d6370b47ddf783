"""Skyline constructive heuristic on an integer grid: fills the lowest gap with the best-scoring piece."""
from __future__ import annotations

from collections.abc import Sequence
from typing import NamedTuple

# Strip edges behave like walls that no piece can ever be flush with.
_EDGE = 1 << 60
# Effort units of one placement step relative to looking at one candidate; calibrated so work tracks time.
STEP_COST = 20


class Shape(NamedTuple):
    """One orientation of a piece type: grid width, grid height and whether it is the rotated one."""

    w: int
    h: int
    rotated: bool


# A skyline as parallel lists: segment left edges, widths and heights, left to right.
Skyline = tuple[list[int], list[int], list[int]]


class Packed(NamedTuple):
    """Result of one constructive pass: placements as (type, x, y, shape), used length, and effort spent;
    `cut` when it was stopped early by its waste slack (then only `work` is meaningful)."""

    placements: list[tuple[int, int, int, Shape]]
    length: int
    waste: int
    left: list[int]
    work: int
    skyline: Skyline
    cut: bool = False



Cand = tuple[int, int, int, Shape]


def pack(
    shapes: Sequence[Sequence[Shape]],
    order: Sequence[int],
    counts: Sequence[int],
    width: int,
    limit: int | None = None,
    tidy: bool = False,
    start: Skyline | None = None,
    slack: int | None = None,
) -> Packed:
    """Place `counts[t]` copies of every type, trying types in `order`, on a strip `width` wide.

    The lowest skyline gap takes, in priority: a piece exactly as wide as the gap (better still if its top is
    level with one or both neighbouring walls), then a piece whose top is level with the taller wall, then the
    first piece in `order` that fits; ties go to the earlier piece in `order`, which is what the search tunes.
    With `tidy`, that last choice avoids pieces leaving a sliver narrower than any remaining piece.
    With `limit` the strip is a bin of that length: pieces that would cross it stay unplaced (see `left`).
    `start` continues on an earlier pass's skyline instead of an empty strip. With `slack`, the pass stops
    (`cut`) once the waste it trapped exceeds it: the caller knows such a pass cannot be of use.
    """
    left = list(counts)
    cands: list[Cand] = []
    by_w: dict[int, list[Cand]] = {}
    by_h: dict[int, list[Cand]] = {}
    for t in order:
        if left[t] > 0:
            for s in shapes[t]:
                c = (s.w, s.h, t, s)
                cands.append(c)
                by_w.setdefault(s.w, []).append(c)
                by_h.setdefault(s.h, []).append(c)
    remaining = sum(left)
    min_side = min((c[0] for c in cands), default=_EDGE)
    dead = 0
    xs, ws, ys = ([0], [width], [0]) if start is None else (list(start[0]), list(start[1]), list(start[2]))
    placements: list[tuple[int, int, int, Shape]] = []
    waste = 0
    top = 0
    cap = _EDGE if limit is None else limit
    if slack is None:
        slack = _EDGE * _EDGE
    cut = False
    # Effort is counted in candidates looked at plus a fixed cost per step, so callers can cap the search by
    # work done instead of by the clock, which keeps results independent of machine speed.
    work = 50 + 5 * len(cands)
    while remaining:
        y = min(ys)
        i = ys.index(y)
        gw = ws[i]
        n = len(ys)
        room = cap - y
        # Under a fixed length the strip's ends reach the cap, so a piece that meets it is level with the edge.
        hl = ys[i - 1] - y if i > 0 else room
        hr = ys[i + 1] - y if i + 1 < n else room
        best = None
        work += STEP_COST
        if gw >= min_side:
            exact = by_w.get(gw)
            if exact:
                score = 0
                for c in exact:
                    if left[c[2]] and c[1] <= room:
                        fit = 1 + (c[1] == hl) + (c[1] == hr)
                        if fit > score:
                            score, best = fit, c
                            if fit == 3:
                                break
                work += len(exact)
            if best is None:
                tall = max(hl, hr)
                level = by_h.get(tall)
                if level:
                    for c in level:
                        if left[c[2]] and c[0] <= gw and c[1] <= room:
                            best = c
                            break
                    work += len(level)
            if best is None and tidy:
                # Tidy variant: skip pieces that would leave a sliver no piece fits into; if all would, the
                # widest one leaves the least waste.
                usable = gw - min_side
                for c in cands:
                    if c[0] <= usable and c[1] <= room and left[c[2]]:
                        best = c
                        break
                work += cands.index(best) if best is not None else len(cands)
                if best is None:
                    for c in cands:
                        if c[0] <= gw and c[1] <= room and left[c[2]] and (best is None or c[0] > best[0]):
                            best = c
                    work += len(cands)
            if best is None:
                for c in cands:
                    if c[0] <= gw and c[1] <= room and left[c[2]]:
                        best = c
                        break
                work += cands.index(best) if best is not None else len(cands)
        if best is None:
            if n == 1:
                break
            # Nothing fits: the gap becomes waste up to its lower neighbour, which merges the two.
            low = min(hl, hr)
            waste += gw * low
            if waste > slack:
                cut = True
                break
            ys[i] = y + low
            _merge(xs, ws, ys, i)
            continue
        w, h, t, shape = best
        x = xs[i]
        if w == gw:
            ys[i] = y + h
            _merge(xs, ws, ys, i)
        elif hl >= hr:
            # Narrower pieces go against the taller wall, keeping the open part of the gap in one piece.
            xs.insert(i, x)
            ws.insert(i, w)
            ys.insert(i, y + h)
            xs[i + 1] = x + w
            ws[i + 1] = gw - w
            _merge(xs, ws, ys, i)
        else:
            x = x + gw - w
            ws[i] = gw - w
            xs.insert(i + 1, x)
            ws.insert(i + 1, w)
            ys.insert(i + 1, y + h)
            _merge(xs, ws, ys, i + 1)
        placements.append((t, x, y, shape))
        top = max(top, y + h)
        remaining -= 1
        left[t] -= 1
        if left[t] == 0:
            dead += len(shapes[t])
            # Used-up types are skipped in scans and swept out in batches, keeping thousands of one-off
            # pieces linear; `min_side` may lag (too small) in between, which only makes it a weaker filter.
            if 2 * dead > len(cands):
                work += 2 * len(cands)
                cands = [c for c in cands if left[c[2]]]
                min_side = min((c[0] for c in cands), default=_EDGE)
                dead = 0
    return Packed(placements, top, waste, left, work, (xs, ws, ys), cut)


def _merge(xs: list[int], ws: list[int], ys: list[int], i: int) -> None:
    """Join segment i with neighbours of the same height so gaps are always measured at full width."""
    if i + 1 < len(ys) and ys[i + 1] == ys[i]:
        ws[i] += ws[i + 1]
        del xs[i + 1], ws[i + 1], ys[i + 1]
    if i > 0 and ys[i - 1] == ys[i]:
        ws[i - 1] += ws[i]
        del xs[i], ws[i], ys[i]
