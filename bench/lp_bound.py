"""The cross-section bound solved exactly: the bar relaxation's linear program by column generation.

prepress.imposition_bounds.cross_section takes Farley's bound at dual values found by dual feasible functions
and a short coordinate ascent, which is cheap and needs no solver, but stops short of the linear program on days
of pieces too wide to pair (medium-3 of the DTF days: 934.84 there, 939.23 here). This solves the program itself:
the restricted master (min total length of patterns covering each piece type's copies) by HiGHS (scipy, a dev
dependency), its duals priced by prepress's own knapsack (widths round down on its grid, so every real pattern is
in it and the bound stays valid), until no pattern is worth more than 1. The bound reported is
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
    knap = bounds.Knapsack(items, usable + spacing)
    counts = np.array([p.count for p in items], float)
    # A column: the length of each type a pattern covers per inch of film. To start, each orientation alone, as
    # many copies side by side as fit.
    columns = [_column(knap.types, [(t, h, min(n, knap.cap // w) if w else n)]) for t, h, w, n in knap.options]
    best = 0.0
    for _ in range(MAX_ITERATIONS):
        matrix = np.array(columns).T
        solved = linprog(np.ones(matrix.shape[1]), A_ub=-matrix, b_ub=-counts, bounds=(0, None), method="highs")
        if solved.status != 0:
            raise RuntimeError(f"the master program failed: {solved.message}")
        duals = np.maximum(-solved.ineqlin.marginals, 0.0)
        value, pieces = knap.pattern(duals, chosen=True)
        if value > 0:
            best = max(best, float(counts @ duals) / value)  # Farley's bound: valid for any duals
        if value <= 1 + 1e-9:
            break
        columns.append(_column(knap.types, pieces))
    return max(0.0, math.floor((best - spacing + 2 * margin) * 1e6 - 1e-3) / 1e6)


def _column(types: int, pieces: list[tuple[int, float, int]]) -> np.ndarray:
    column = np.zeros(types)
    for t, h, copies in pieces:
        column[t] += copies / h
    return column
