"""Mockup option checks: each returns a human-readable problem, or None when the options can be rendered."""
from __future__ import annotations

import math
import numbers
from typing import Any

from prepress import mockup_geometry

SHAPES = ("quad", "polygon")
BLENDS = ("normal", "multiply")
WATERMARK_POSITIONS = ("center", "top-left", "top-right", "bottom-left", "bottom-right", "tile")
# Points may sit on the photo edge; float noise from editor coordinates must not reject them.
POINT_TOLERANCE = 1e-6


def is_number(value: object) -> bool:
    """A finite real number that is not a bool."""
    return isinstance(value, numbers.Real) and not isinstance(value, bool) and math.isfinite(value)


def _option_problem(area: Any) -> str | None:
    if area.shape not in SHAPES:
        return f"shape must be one of {SHAPES}, got {area.shape!r}"
    if area.fit not in mockup_geometry.FITS:
        return f"fit must be one of {mockup_geometry.FITS}, got {area.fit!r}"
    if area.align not in mockup_geometry.ALIGNMENTS:
        return f"align must be one of {tuple(mockup_geometry.ALIGNMENTS)}, got {area.align!r}"
    if area.blend not in BLENDS:
        return f"blend must be one of {BLENDS}, got {area.blend!r}"
    if not is_number(area.opacity) or not 0.0 <= area.opacity <= 1.0:
        return f"opacity must be within 0..1, got {area.opacity!r}"
    if not is_number(area.displacement) or area.displacement < 0:
        return f"displacement must be a number >= 0, got {area.displacement!r}"
    if area.aspect is not None and (not is_number(area.aspect) or area.aspect <= 0):
        return f"aspect must be a positive number, got {area.aspect!r}"
    return None


def _point_problem(shape: str, raw: Any, photo_size: tuple[int, int]) -> str | None:
    try:
        points = [tuple(p) for p in raw]
    except TypeError:
        return "points must be a list of (x, y) pairs"
    if (len(points) != 4) if shape == "quad" else (len(points) < 3):
        wanted = "exactly 4" if shape == "quad" else "at least 3"
        return f"a {shape} needs {wanted} points, got {len(points)}"
    if any(len(p) != 2 or not all(is_number(c) for c in p) for p in points):
        return "every point must be a finite (x, y) pair of numbers"
    width, height = photo_size
    for i, (x, y) in enumerate(points):
        if not (-POINT_TOLERANCE <= x <= width + POINT_TOLERANCE and -POINT_TOLERANCE <= y <= height + POINT_TOLERANCE):
            return f"point {i} ({x:g}, {y:g}) lies outside the {width}x{height} photo"
    for i in range(len(points)):
        for j in range(i + 1, len(points)):
            if math.dist(points[i], points[j]) <= POINT_TOLERANCE:
                return f"points {i} and {j} repeat ({points[i][0]:g}, {points[i][1]:g})"
    return None


def _shape_problem(shape: str, pts: list[tuple[float, float]]) -> str | None:
    xs, ys = [p[0] for p in pts], [p[1] for p in pts]
    if max(xs) - min(xs) < 1 or max(ys) - min(ys) < 1:
        return f"print area is zero-size ({max(xs) - min(xs):g} x {max(ys) - min(ys):g} px)"
    if mockup_geometry.all_collinear(pts):
        return "degenerate print area: all points are collinear"
    if mockup_geometry.self_intersects(pts):
        return f"{shape} is self-intersecting"
    if abs(mockup_geometry.signed_area(pts)) < 1:
        return "degenerate print area: zero area"
    if shape == "quad":
        corner = mockup_geometry.collinear_corner(pts)
        if corner is not None:
            return f"degenerate quad: corner {corner} is collinear with its neighbours"
        if not mockup_geometry.is_convex(pts):
            return "quad is not convex"
        if mockup_geometry.signed_area(pts) < 0:
            return "quad corners must run top-left, top-right, bottom-right, bottom-left (these are mirrored)"
    return None


def area_problem(area: Any, photo_size: tuple[int, int]) -> str | None:
    """What is wrong with a PrintArea on a photo of `photo_size`, or None."""
    problem = _option_problem(area) or _point_problem(area.shape, area.points, photo_size)
    if problem is not None:
        return problem
    return _shape_problem(area.shape, [(float(x), float(y)) for x, y in area.points])


def watermark_problem(mark: Any) -> str | None:
    """What is wrong with a Watermark, or None."""
    if mark.image.width < 1 or mark.image.height < 1:
        return "watermark image is empty"
    if not is_number(mark.opacity) or not 0.0 <= mark.opacity <= 1.0:
        return f"watermark opacity must be within 0..1, got {mark.opacity!r}"
    if not is_number(mark.scale) or not 0.0 < mark.scale <= 1.0:
        return f"watermark scale must be within (0, 1], got {mark.scale!r}"
    if not is_number(mark.margin) or not 0.0 <= mark.margin < 0.5:
        return f"watermark margin must be within [0, 0.5), got {mark.margin!r}"
    if mark.position not in WATERMARK_POSITIONS:
        return f"watermark position must be one of {WATERMARK_POSITIONS}, got {mark.position!r}"
    return None
