"""How a long, narrow sheet fits a picture with a bounded long side: side by side columns, cut between pieces.

Drawn in one column, a 22 x 120 in sheet in 1600 px is 13 px per inch: a 3 in piece is 40 px and its label
unreadable. Cut into two columns laid side by side it is 26 px per inch, and a 22 x 200 in sheet in three is 23
instead of 8. The number of columns is the one giving the largest scale (each extra column must gain 10%, as
every cut splits the reader's view), and each cut moves up to 5% of a column's length to cross the fewest pieces.
"""
from __future__ import annotations

import bisect
import dataclasses
import math

from prepress import preview_sheet

MARGIN = 10
HEADER = 46
CAPTION = 18
GAP = 30
MAX_COLUMNS = 8
SNAP = 0.05
MIN_SIDE = 200


@dataclasses.dataclass(frozen=True)
class Column:
    """The part [start_in, end_in) of the sheet's length drawn with its top-left corner at (left, top) px."""

    start_in: float
    end_in: float
    left: int
    top: int


@dataclasses.dataclass(frozen=True)
class Plan:
    """Picture size in pixels, pixels per inch, and the columns in reading order."""

    width: int
    height: int
    scale: float
    columns: list[Column]

    def to_px(self, x_in: float, y_in: float) -> tuple[float, float] | None:
        """Where a point of the sheet (inches) appears in the picture; None when it is off the sheet."""
        for n, c in enumerate(self.columns):
            last = n == len(self.columns) - 1
            if c.start_in <= y_in < c.end_in or (last and y_in == c.end_in):
                return c.left + x_in * self.scale, c.top + (y_in - c.start_in) * self.scale
        return None


def plan(sheet: preview_sheet.Sheet, max_side: int) -> Plan:
    """The columns and scale that show `sheet` largest in a picture whose long side is at most `max_side` px."""
    if max_side < MIN_SIDE:
        raise preview_sheet.PreviewError(f"a preview needs at least {MIN_SIDE} px on its long side, got {max_side}")
    count, best = 1, _scale(sheet.width, sheet.length, 1, max_side)
    for k in range(2, MAX_COLUMNS + 1):
        scale = _scale(sheet.width, sheet.length / k, k, max_side)
        if scale > best * 1.1:
            count, best = k, scale
    cuts = _cuts(sheet, count)
    longest = max(b - a for a, b in zip(cuts, cuts[1:], strict=False))
    scale = _scale(sheet.width, longest, count, max_side)
    top = HEADER + (CAPTION if count > 1 else 0)
    column_px = sheet.width * scale
    columns = [Column(a, b, MARGIN + round(n * (column_px + GAP)), top)
               for n, (a, b) in enumerate(zip(cuts, cuts[1:], strict=False))]
    width = math.ceil(2 * MARGIN + count * column_px + (count - 1) * GAP)
    height = math.ceil(top + longest * scale + MARGIN)
    return Plan(min(width, max_side), min(height, max_side), scale, columns)


def _scale(width_in: float, column_in: float, count: int, max_side: int) -> float:
    top = HEADER + (CAPTION if count > 1 else 0)
    across = (max_side - 2 * MARGIN - (count - 1) * GAP) / (count * width_in)
    down = (max_side - top - MARGIN) / column_in
    # Rounding each piece's edges to whole pixels must not push the picture over the bound.
    return max(0.0, min(across, down) * 0.999)


def _cuts(sheet: preview_sheet.Sheet, count: int) -> list[float]:
    starts = sorted(p.y for p in sheet.pieces)
    ends = sorted(p.y + p.height for p in sheet.pieces)

    def crossed(y: float) -> int:
        # Pieces starting before y minus those ended by y: the pieces a cut at y runs through.
        return bisect.bisect_left(starts, y) - bisect.bisect_right(ends, y)

    step = sheet.length / count
    cuts = [0.0]
    for n in range(1, count):
        ideal = n * step
        low, high = ideal - SNAP * step, ideal + SNAP * step
        candidates = [ideal] + [e for e in starts + ends if low <= e <= high]
        cuts.append(min(candidates, key=lambda y: (crossed(y), abs(y - ideal), y)))
    return cuts + [sheet.length]
