"""Physical size conversions: inches, millimetres, pixels at a DPI (sizes are stored in inches)."""
from __future__ import annotations

import math

MM_PER_INCH = 25.4


def mm_to_inches(mm: float) -> float:
    """Millimetres to inches."""
    return mm / MM_PER_INCH


def inches_to_mm(inches: float) -> float:
    """Inches to millimetres."""
    return inches * MM_PER_INCH


def inches_to_px(inches: float, dpi: int) -> int:
    """Inches to whole pixels at `dpi`, rounded to nearest (a 0.5 px tie rounds up, never to banker's even)."""
    return int(math.floor(inches * dpi + 0.5 + 1e-9))


def px_to_inches(px: int, dpi: float) -> float:
    """Pixels at `dpi` to inches."""
    return px / dpi


def effective_dpi(px_width: int, px_height: int, width_in: float, height_in: float) -> float:
    """The lower of the two axis resolutions an image reaches when printed at the given physical size."""
    if width_in <= 0 or height_in <= 0:
        raise ValueError("physical size must be positive")
    return min(px_width / width_in, px_height / height_in)
