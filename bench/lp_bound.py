"""The cross-section bound solved exactly: the bar relaxation's linear program by column generation.

prepress.imposition_bounds.cross_section takes Farley's bound at dual values found by dual feasible functions
and a short coordinate ascent, which is cheap and needs no solver, but stops short of the linear program on days
of pieces too wide to pair (medium-3 of the DTF days: 934.84 there, 939.23 here). This solves the program itself:
the restricted master (min total length of patterns covering each piece type's copies) by HiGHS (scipy, a dev
dependency), its duals priced by a bounded knapsack on the same grid as prepress's (widths round down, so every
real pattern is in it and the bound stays valid), until no pattern is worth more than 1. The bound reported is
Farley's at the best duals seen, which is valid at every iteration, not only when the program converged.
"""
from __future__ import annotations

import math
from collections.abc import Iterable

import numpy as np
from scipy.optimize import linprog

from prepress import imposition_bounds as bounds

MAX_ITERATIONS = 2000


def lp_bound(sizes: Iterable[tuple[float, float, int]], width: float, spacing: float = 0.0,
             rotation: str = "any", margin: float = 0.0) -> float:
    """The layout length (inches, margins included) no layout can beat, from the bar relaxation's optimum."""
    usable = width - 2 * margin
    items = bounds.pieces(sizes, usable, spacing, rotation)
    roll = usable + spacing
    step = bounds._grid(items, roll)
    cap = math.floor(roll / step + 1e-9)
    # One option per piece type and orientation: (type, height, grid width, copies that fit across).
    options = [(t, h, math.floor(w / step + 1e-9), min(p.count, cap // max(math.floor(w / step + 1e-9), 1)))
               for t, p in enumerate(items) for w, h in p.shapes]
    counts = np.array([p.count for p in items], float)
    columns = []
    for t, h, _, n in options:
        column = np.zeros(len(items))
        column[t] = n / h  # length covered per inch of pattern: n copies side by side, each h tall
        columns.append(column)
    best = 0.0
    for _ in range(MAX_ITERATIONS):
        matrix = np.array(columns).T
        solved = linprog(np.ones(matrix.shape[1]), A_ub=-matrix, b_ub=-counts, bounds=(0, None), method="highs")
        if solved.status != 0:
            raise RuntimeError(f"the master program failed: {solved.message}")
        duals = np.maximum(-solved.ineqlin.marginals, 0.0)
        value, column = _price(options, duals, cap, len(items))
        if value > 0:
            best = max(best, float(counts @ duals) / value)
        if value <= 1 + 1e-9:
            break
        columns.append(column)
    return max(0.0, math.floor((best - spacing + 2 * margin) * 1e6 - 1e-3) / 1e6)


def _price(options: list[tuple[int, float, int, int]], duals: np.ndarray, cap: int,
           types: int) -> tuple[float, np.ndarray]:
    """The most valuable pattern for these duals (a bounded knapsack, copies split in powers of two): its value
    and its column (length of each type covered per inch of pattern)."""
    split = []
    for k, (_, _, _, n) in enumerate(options):
        part = 1
        while n > 0:
            m = min(part, n)
            n -= m
            part *= 2
            split.append((k, m))
    value = np.zeros(cap + 1)
    keep = np.zeros((len(split), cap + 1), bool)
    for i, (k, m) in enumerate(split):
        t, h, w, _ = options[k]
        gain, used = m * duals[t] / h, m * w
        if gain <= 0 or used > cap:
            continue
        candidate = value[: cap + 1 - used] + gain
        better = candidate > value[used:] + 1e-15
        updated = value.copy()
        updated[used:][better] = candidate[better]
        keep[i, used:] = better
        value = updated
    c = int(np.argmax(value))
    top = float(value[c])
    column = np.zeros(types)
    for i in range(len(split) - 1, -1, -1):
        if keep[i, c]:
            k, m = split[i]
            t, h, w, _ = options[k]
            column[t] += m / h
            c -= m * w
    return top, column
