"""Lower bounds on the film length of a strip packing: no layout of the items can be shorter.

Spacing is handled by growing every piece and the roll by the spacing (a layout of length L with spacing s is a
layout of grown pieces, without spacing, on a roll W + s wide and L + s long). Bounds, weakest first:

- area: the grown pieces' area over the grown roll width;
- tallest: no strip is shorter than a piece's smallest allowed height;
- wide: pieces wider than half the roll in every orientation never share a horizontal line, so their heights
  add up, plus the pieces that cannot sit beside any of them (their own area or tallest, on the lines left);
- cross-section: every horizontal line crosses a set of pieces whose widths fit the roll (a "pattern"), so the
  length is at least the linear program "cover each piece's height with patterns" (the bar relaxation). Any
  dual values give a bound once scaled so that no pattern is worth more than 1 (Farley's bound; the best pattern
  is found exactly by a knapsack on a grid that only ever widens the set of patterns). The dual values come from
  dual feasible functions (Fekete and Schepers' u^k, Carlier, Clautiaux and Moukrim's f_CCM,1), which include
  the area and wide bounds as special cases; a coordinate ascent on the best of them then raises the bound
  further where the functions fall short of the linear program (small-5 of the DTF days: 602.52 to 612.18 in).
"""
from __future__ import annotations

import math
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass

import numpy as np

# Knapsack grid: the roll is cut into at most this many steps (widths round down, so no real pattern is lost).
GRID_STEPS = 2000
_EPS = 1e-9


@dataclass(frozen=True)
class Piece:
    """A piece type grown by the spacing: its allowed (width, height) orientations and how many copies."""

    shapes: tuple[tuple[float, float], ...]
    count: int


def pieces(sizes: Iterable[tuple[float, float, int]], width: float, spacing: float, rotation: str = "any"
           ) -> list[Piece]:
    """Grown piece types from (width, height, quantity); orientations that do not fit the roll are dropped."""
    roll = width + spacing
    out = []
    for w, h, n in sizes:
        a, b = w + spacing, h + spacing
        options = {"none": [(a, b)], "90": [(b, a)], "any": [(a, b), (b, a)]}[rotation]
        shapes = tuple(sorted({s for s in options if s[0] <= roll + _EPS}))
        if not shapes:
            raise ValueError(f"a {w:g} x {h:g} piece does not fit a {width:g} roll")
        out.append(Piece(shapes, n))
    return out


def area(items: Sequence[Piece], roll: float) -> float:
    """Grown length: total grown area over the grown roll width."""
    return sum(p.count * min(w * h for w, h in p.shapes) for p in items) / roll


def tallest(items: Sequence[Piece]) -> float:
    """Grown length: the largest smallest-allowed height."""
    return max(min(h for _, h in p.shapes) for p in items)


def wide(items: Sequence[Piece], roll: float) -> float:
    """Grown length: heights of pieces wider than half the roll in every orientation, one above the other.

    Pieces that cannot sit beside any of them in any orientation need lines of their own: add their area
    bound or their tallest, whichever is larger.
    """
    big = [p for p in items if min(w for w, _ in p.shapes) > roll / 2 + _EPS]
    if not big:
        return 0.0
    narrowest = min(w for p in big for w, _ in p.shapes)
    total = sum(p.count * min(h for _, h in p.shapes) for p in big)
    rest = [p for p in items if p not in big and min(w for w, _ in p.shapes) + narrowest > roll + _EPS]
    if rest:
        total += max(area(rest, roll), tallest(rest))
    return total


def cross_section(items: Sequence[Piece], roll: float, evaluations: int = 0) -> float:
    """Grown length: the best Farley bound of the bar relaxation over dual values from dual feasible functions,
    then improved by up to `evaluations` knapsack runs of coordinate ascent on the best of them."""
    best = 0.0
    knap = Knapsack(items, roll)
    plain = [min(w * h for w, h in p.shapes) / roll for p in items]
    start: list[float] = plain
    for f in _functions(items, roll):
        duals = [min(h * f(w) for w, h in p.shapes) for p in items]
        # The larger of the area and the function's value per piece is not feasible as such, but Farley's
        # scaling makes it valid, and it often beats both on days mixing wide pieces with small ones.
        for candidate in (duals, [max(a, d) for a, d in zip(plain, duals, strict=True)]):
            value = knap.farley(candidate)
            if value > best:
                best, start = value, candidate
    return max(best, _ascend(knap, start, best, evaluations))


def _ascend(knap: Knapsack, duals: list[float], value: float, evaluations: int) -> float:
    """Coordinate ascent on the duals: scale one piece type's value up or down while Farley's bound improves."""
    duals = list(duals)
    step = 0.5
    while evaluations > 0 and step > 0.01:
        improved = False
        for t in range(len(duals)):
            for factor in (1 + step, 1 - step):
                if evaluations <= 0:
                    return value
                trial = list(duals)
                trial[t] = duals[t] * factor if duals[t] > 0 else max(duals) * step
                evaluations -= 1
                found = knap.farley(trial)
                if found > value + 1e-12:
                    duals, value, improved = trial, found, True
                    break
        if not improved:
            step /= 2
    return value


def bounds(sizes: Iterable[tuple[float, float, int]], width: float, spacing: float = 0.0, rotation: str = "any",
           margin: float = 0.0, evaluations: int = 400) -> dict[str, float]:
    """Each bound on the layout length in inches (margins included), and "best", the largest."""
    usable = width - 2 * margin
    items = pieces(sizes, usable, spacing, rotation)
    roll = usable + spacing
    grown = {"area": area(items, roll), "tallest": tallest(items), "wide": wide(items, roll),
             "cross_section": cross_section(items, roll, evaluations)}
    # Lengths are given to 1e-6 in; a float hair under the true bound must not round above it.
    out = {k: max(0.0, math.floor((v - spacing + 2 * margin) * 1e6 - 1e-3) / 1e6) for k, v in grown.items()}
    out["best"] = max(out.values())
    return out


def _functions(items: Sequence[Piece], roll: float) -> list[Callable[[float], float]]:
    """Dual feasible functions scaled to [0, 1] of the roll: identity, u^k for small k, f_CCM,1 per item width."""
    fs: list[Callable[[float], float]] = [lambda x: x / roll]
    for k in range(1, 6):
        fs.append(_fekete_schepers(k, roll))
    widths = sorted({w for p in items for w, _ in p.shapes if roll / 8 - _EPS <= w <= roll / 2 + _EPS})
    for lam in widths:
        fs.append(_carlier(lam, roll))
    return fs


def _fekete_schepers(k: int, roll: float) -> Callable[[float], float]:
    """u^k: widths that are whole (k+1)-ths of the roll keep their share, others round down to k-ths."""
    def f(x: float) -> float:
        q = (k + 1) * x / roll
        if abs(q - round(q)) < _EPS:
            return x / roll
        return math.floor(q + _EPS) / k
    return f


def _carlier(lam: float, roll: float) -> Callable[[float], float]:
    """f_CCM,1 with parameter lam (at most half the roll): counts how many lam fit, wide widths by what is left."""
    top = 2 * math.floor(roll / lam + _EPS)

    def f(x: float) -> float:
        if x > roll / 2 + _EPS:
            return 2 * (math.floor(roll / lam + _EPS) - math.floor((roll - x) / lam + _EPS)) / top
        if abs(x - roll / 2) <= _EPS:
            return math.floor(roll / lam + _EPS) / top
        return 2 * math.floor(x / lam + _EPS) / top
    return f


class Knapsack:
    """Best pattern: which pieces fit side by side across the roll, each type at most its count, worth most."""

    def __init__(self, items: Sequence[Piece], roll: float) -> None:
        self.types = len(items)
        self.step = _grid(items, roll)
        self.cap = math.floor(roll / self.step + _EPS)
        # (type, height, grid width, copies that fit): widths round down, so every real pattern still fits.
        self.options = [(t, h, math.floor(w / self.step + _EPS), p.count) for t, p in enumerate(items)
                        for w, h in p.shapes]
        # Copies of each option split in powers of two (a bounded knapsack as a 0/1 one): (option, copies).
        self._parts: list[tuple[int, int]] = []
        for k, (_, _, w, n) in enumerate(self.options):
            n = min(n, self.cap // w) if w else n
            part = 1
            while n > 0:
                self._parts.append((k, min(part, n)))
                n -= min(part, n)
                part *= 2

    def best(self, duals: Sequence[float]) -> float:
        """Largest sum of dual / height over a pattern."""
        return self.pattern(duals)[0]

    def pattern(self, duals: Sequence[float], *, chosen: bool = False) -> tuple[float, list[tuple[int, float, int]]]:
        """The best pattern's value and, with `chosen`, its pieces as (type, height, copies)."""
        value = np.zeros(self.cap + 1)
        keep = np.zeros((len(self._parts), self.cap + 1), bool) if chosen else None
        for i, (k, m) in enumerate(self._parts):
            t, h, w, _ = self.options[k]
            gain, used = m * duals[t] / h, m * w
            if gain <= 0 or used > self.cap:
                continue
            candidate = value[: self.cap + 1 - used] + gain
            better = candidate > value[used:]
            value[used:] = np.where(better, candidate, value[used:])  # from the old values: each part once
            if keep is not None:
                keep[i, used:] = better
        if keep is None:
            return float(value[self.cap]), []
        pieces: list[tuple[int, float, int]] = []
        c = self.cap
        for i in range(len(self._parts) - 1, -1, -1):
            if keep[i, c]:
                k, m = self._parts[i]
                t, h, w, _ = self.options[k]
                pieces.append((t, h, m))
                c -= m * w
        return float(value[self.cap]), pieces

    def farley(self, duals: Sequence[float]) -> float:
        """Total dual over copies, divided by the best pattern's value: a valid bound for any duals."""
        total = sum(d * p for d, p in zip(duals, self._counts(), strict=True))
        top = self.best(duals)
        return total / top if top > 0 else 0.0

    def _counts(self) -> list[int]:
        counts: dict[int, int] = {}
        for t, _, _, n in self.options:
            counts[t] = n
        return [counts[t] for t in range(len(counts))]


def _grid(items: Sequence[Piece], roll: float) -> float:
    """Grid step: the widths' common measure in thousandths when the roll spans few of them, else roll/GRID_STEPS."""
    values = [round(roll * 1000)] + [round(w * 1000) for p in items for w, _ in p.shapes]
    exact = all(abs(v / 1000 - x) < 1e-9 for v, x in zip(values, [roll] + [w for p in items for w, _ in p.shapes],
                                                          strict=True))
    g = math.gcd(*values)
    if exact and g and values[0] // g <= GRID_STEPS:
        return g / 1000
    return roll / GRID_STEPS
