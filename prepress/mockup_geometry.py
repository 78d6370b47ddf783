"""Print-area geometry for mockups: fit and alignment, homographies, polygon sanity checks (pure math)."""
from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np

Point = tuple[float, float]

FITS = ("contain", "cover", "stretch")

# (x, y) fraction of the free space (contain) or overflow (cover) placed before the design.
ALIGNMENTS: dict[str, tuple[float, float]] = {
    "center": (0.5, 0.5),
    "top": (0.5, 0.0),
    "bottom": (0.5, 1.0),
    "left": (0.0, 0.5),
    "right": (1.0, 0.5),
    "top-left": (0.0, 0.0),
    "top-right": (1.0, 0.0),
    "bottom-left": (0.0, 1.0),
    "bottom-right": (1.0, 1.0),
}

# Collinearity tolerance as sin(angle) between neighbouring edges: well below any real product photo angle.
_COLLINEAR_SIN = 1e-3


@dataclass(frozen=True)
class Placement:
    """The area's canvas (with the area's aspect) and where the design sits on it, in design pixels."""

    canvas_w: float
    canvas_h: float
    offset_x: float
    offset_y: float


def place(design_size: tuple[int, int], aspect: float, fit: str, align: str) -> Placement:
    """Fit a design of `design_size` onto a canvas of width/height `aspect` with `fit` and `align`."""
    dw, dh = design_size
    if fit == "stretch":
        return Placement(float(dw), float(dh), 0.0, 0.0)
    wider = dw / dh > aspect
    # contain grows the canvas around the design; cover shrinks it inside the design.
    if wider == (fit == "contain"):
        cw, ch = float(dw), dw / aspect
    else:
        cw, ch = dh * aspect, float(dh)
    ax, ay = ALIGNMENTS[align]
    return Placement(cw, ch, ax * (cw - dw), ay * (ch - dh))


def homography(src: Sequence[Point], dst: Sequence[Point]) -> np.ndarray:
    """The 3x3 projective matrix taking the four `src` points onto the four `dst` points."""
    rows, rhs = [], []
    for (x, y), (u, v) in zip(src, dst, strict=True):
        rows.append([x, y, 1.0, 0.0, 0.0, 0.0, -u * x, -u * y])
        rows.append([0.0, 0.0, 0.0, x, y, 1.0, -v * x, -v * y])
        rhs.extend([u, v])
    coeffs = np.linalg.solve(np.array(rows, dtype=np.float64), np.array(rhs, dtype=np.float64))
    return np.append(coeffs, 1.0).reshape(3, 3)


def apply(matrix: np.ndarray, x: float, y: float) -> Point:
    """Map one point through a 3x3 projective matrix."""
    u, v, w = matrix @ np.array([x, y, 1.0])
    return float(u / w), float(v / w)


def translate(dx: float, dy: float) -> np.ndarray:
    """A 3x3 translation matrix."""
    return np.array([[1.0, 0.0, dx], [0.0, 1.0, dy], [0.0, 0.0, 1.0]])


def scale(sx: float, sy: float) -> np.ndarray:
    """A 3x3 axis scale matrix."""
    return np.array([[sx, 0.0, 0.0], [0.0, sy, 0.0], [0.0, 0.0, 1.0]])


def pillow_coeffs(out_to_in: np.ndarray) -> tuple[float, ...]:
    """The 8 coefficients Pillow's PERSPECTIVE transform wants for an output->input matrix."""
    m = out_to_in / out_to_in[2, 2]
    return tuple(float(c) for c in m.reshape(-1)[:8])


def design_to_quad(design_size: tuple[int, int], quad: Sequence[Point], fit: str, align: str,
                   aspect: float | None = None) -> np.ndarray:
    """Matrix taking continuous design coordinates to photo coordinates on a TL, TR, BR, BL quad."""
    placement = place(design_size, aspect or quad_aspect(quad), fit, align)
    cw, ch = placement.canvas_w, placement.canvas_h
    canvas_to_quad = homography([(0.0, 0.0), (cw, 0.0), (cw, ch), (0.0, ch)], quad)
    return canvas_to_quad @ translate(placement.offset_x, placement.offset_y)


def quad_aspect(quad: Sequence[Point]) -> float:
    """Estimated width/height of the flat print area: mean of opposite edge lengths."""
    tl, tr, br, bl = quad
    width = (math.dist(tl, tr) + math.dist(bl, br)) / 2
    height = (math.dist(tl, bl) + math.dist(tr, br)) / 2
    return width / height


def quad_extent(quad: Sequence[Point]) -> tuple[float, float]:
    """The longest horizontal-ish and vertical-ish edge: the design's largest on-photo size."""
    tl, tr, br, bl = quad
    return max(math.dist(tl, tr), math.dist(bl, br)), max(math.dist(tl, bl), math.dist(tr, br))


def bounding_quad(points: Sequence[Point]) -> list[Point]:
    """The axis-aligned bounding box of `points` as a TL, TR, BR, BL quad."""
    xs, ys = [p[0] for p in points], [p[1] for p in points]
    x0, x1, y0, y1 = min(xs), max(xs), min(ys), max(ys)
    return [(x0, y0), (x1, y0), (x1, y1), (x0, y1)]


def signed_area(points: Sequence[Point]) -> float:
    """Shoelace area; positive when the points run clockwise on screen (y down)."""
    total = 0.0
    for (x0, y0), (x1, y1) in zip(points, list(points[1:]) + [points[0]], strict=True):
        total += x0 * y1 - x1 * y0
    return total / 2


def _cross(o: Point, a: Point, b: Point) -> float:
    return (a[0] - o[0]) * (b[1] - o[1]) - (a[1] - o[1]) * (b[0] - o[0])


def _on_segment(p: Point, a: Point, b: Point) -> bool:
    return min(a[0], b[0]) <= p[0] <= max(a[0], b[0]) and min(a[1], b[1]) <= p[1] <= max(a[1], b[1])


def segments_touch(a: Point, b: Point, c: Point, d: Point) -> bool:
    """Whether segments ab and cd share any point (crossing, touching or overlapping)."""
    d1, d2, d3, d4 = _cross(c, d, a), _cross(c, d, b), _cross(a, b, c), _cross(a, b, d)
    if ((d1 > 0) != (d2 > 0)) and d1 != 0 and d2 != 0 and ((d3 > 0) != (d4 > 0)) and d3 != 0 and d4 != 0:
        return True
    return ((d1 == 0 and _on_segment(a, c, d)) or (d2 == 0 and _on_segment(b, c, d))
            or (d3 == 0 and _on_segment(c, a, b)) or (d4 == 0 and _on_segment(d, a, b)))


def self_intersects(points: Sequence[Point]) -> bool:
    """Whether any two non-neighbouring edges of the closed polygon touch."""
    n = len(points)
    edges = [(points[i], points[(i + 1) % n]) for i in range(n)]
    for i in range(n):
        for j in range(i + 2, n):
            if i == 0 and j == n - 1:
                continue
            if segments_touch(*edges[i], *edges[j]):
                return True
    return False


def collinear_corner(points: Sequence[Point]) -> int | None:
    """Index of the first corner whose two edges are (nearly) collinear, or None."""
    n = len(points)
    for i in range(n):
        prev, here, nxt = points[i - 1], points[i], points[(i + 1) % n]
        lengths = math.dist(prev, here) * math.dist(here, nxt)
        if lengths == 0 or abs(_cross(here, prev, nxt)) <= _COLLINEAR_SIN * lengths:
            return i
    return None


def all_collinear(points: Sequence[Point], tolerance: float = 0.5) -> bool:
    """Whether every point lies within `tolerance` pixels of the line through the two farthest-apart points."""
    a, b = max(((p, q) for p in points for q in points), key=lambda pq: math.dist(*pq))
    length = math.dist(a, b)
    return length == 0 or all(abs(_cross(a, b, p)) / length <= tolerance for p in points)


def is_convex(points: Sequence[Point]) -> bool:
    """Whether every corner of the closed polygon turns the same way."""
    n = len(points)
    turns = [_cross(points[i - 1], points[i], points[(i + 1) % n]) for i in range(n)]
    return all(t > 0 for t in turns) or all(t < 0 for t in turns)
