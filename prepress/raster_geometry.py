"""Layout placements (inches) to exact pixel rectangles on a sheet raster."""
from __future__ import annotations

import dataclasses
from collections.abc import Mapping
from typing import Any

from prepress import units


class RenderError(ValueError):
    """A sheet cannot be rendered; `key` names the design at fault when there is one."""

    def __init__(self, message: str, key: str | None = None) -> None:
        super().__init__(message)
        self.key = key


@dataclasses.dataclass(frozen=True)
class PixelPlacement:
    """One placement as a half-open pixel rectangle [left, right) x [top, bottom) on the sheet."""

    index: int
    key: str
    left: int
    top: int
    right: int
    bottom: int
    rotated: bool

    @property
    def width(self) -> int:
        """Width in pixels."""
        return self.right - self.left

    @property
    def height(self) -> int:
        """Height in pixels."""
        return self.bottom - self.top


def resolve_sheet_width(sheet: Mapping[str, Any], sheet_width: float | None,
                        layout: Mapping[str, Any] | None = None) -> float:
    """The sheet width in inches from the argument, the sheet's or the layout's "sheet_width" key; they must agree."""
    found = [float(v) for v in (sheet_width, sheet.get("sheet_width"), (layout or {}).get("sheet_width"))
             if v is not None]
    if not found:
        raise RenderError("sheet width unknown: pass sheet_width or put \"sheet_width\" in the layout")
    if max(found) - min(found) > 1e-9:
        raise RenderError(f"conflicting sheet widths {sorted(set(found))}")
    if found[0] <= 0:
        raise RenderError(f"sheet width must be positive, got {found[0]}")
    return found[0]


def sheet_size_px(sheet: Mapping[str, Any], sheet_width: float, dpi: int) -> tuple[int, int]:
    """Width and height of the sheet raster in pixels."""
    length = float(sheet.get("length", 0))
    width_px, height_px = units.inches_to_px(sheet_width, dpi), units.inches_to_px(length, dpi)
    if width_px <= 0 or height_px <= 0:
        raise RenderError(f"sheet is empty at {dpi} DPI ({sheet_width} x {length} in)")
    return width_px, height_px


def pixel_placements(sheet: Mapping[str, Any], dpi: int, width_px: int, height_px: int) -> list[PixelPlacement]:
    """Pixel rectangles of a sheet's placements, in layout order; raises RenderError for any outside the sheet."""
    out = []
    for index, p in enumerate(sheet.get("placements", [])):
        try:
            key = str(p["key"])
            x, y, w, h = (float(p[k]) for k in ("x", "y", "width", "height"))
        except (KeyError, TypeError, ValueError) as exc:
            named = p.get("key") if isinstance(p, Mapping) else None
            raise RenderError(f"placement {index} is malformed: {exc!r}", named) from exc
        # Each edge is rounded on its own (not origin + rounded size) so placements that touch in inches share
        # the pixel edge and never overlap or leave a seam.
        left, top = units.inches_to_px(x, dpi), units.inches_to_px(y, dpi)
        right, bottom = units.inches_to_px(x + w, dpi), units.inches_to_px(y + h, dpi)
        if right <= left or bottom <= top:
            raise RenderError(f"placement {index} ({key!r}) is smaller than one pixel at {dpi} DPI", key)
        if left < 0 or top < 0 or right > width_px or bottom > height_px:
            raise RenderError(f"placement {index} ({key!r}) lies outside the {width_px}x{height_px} px sheet", key)
        out.append(PixelPlacement(index, key, left, top, right, bottom, bool(p.get("rotated", False))))
    return out
