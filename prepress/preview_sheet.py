"""What a preview draws, read from a layout sheet: the sheet's size, its pieces, and the header's words."""
from __future__ import annotations

import dataclasses
import math
from collections.abc import Callable, Mapping
from typing import Any

from prepress import labels as labels_mod

# A crop is the visible part of a thumbnail as fractions of its width and height: (left, top, right, bottom).
Crop = tuple[float, float, float, float]


class PreviewError(ValueError):
    """The sheet or an argument cannot be previewed; the message names what is wrong."""


@dataclasses.dataclass(frozen=True)
class Piece:
    """One placement in inches, as placed (width and height swapped when rotated)."""

    key: str
    x: float
    y: float
    width: float
    height: float
    rotated: bool


@dataclasses.dataclass(frozen=True)
class Sheet:
    """The sheet's width and length in inches and its pieces in layout order (later pieces draw on top)."""

    width: float
    length: float
    pieces: list[Piece]


def read_sheet(sheet: Mapping[str, Any], sheet_width: float | None) -> Sheet:
    """The sheet's geometry; `sheet_width` may instead be the sheet's own "sheet_width" key (they must agree)."""
    widths = {float(w) for w in (sheet_width, sheet.get("sheet_width")) if w is not None}
    if len(widths) != 1:
        raise PreviewError("sheet width unknown" if not widths else f"conflicting sheet widths {sorted(widths)}")
    width = widths.pop()
    length = _positive(sheet.get("length"), "sheet length")
    _positive(width, "sheet width")
    pieces = []
    for n, p in enumerate(sheet.get("placements") or []):
        try:
            key = str(p["key"])
            x, y = (float(p[k]) for k in ("x", "y"))
            w, h = (_positive(p[k], k) for k in ("width", "height"))
            if not (math.isfinite(x) and math.isfinite(y)):
                raise ValueError("x and y must be finite")
        except (KeyError, TypeError, ValueError) as exc:
            raise PreviewError(f"placement {n + 1} is malformed: {exc}") from None
        # Drawn off the sheet, a piece would say the layout is fine when the renderer refuses it.
        if x < -1e-6 or y < -1e-6 or x + w > width + 1e-6 or y + h > length + 1e-6:
            raise PreviewError(f"placement {n + 1} ({key!r}) lies outside the {width:g} x {length:g} in sheet")
        pieces.append(Piece(key, max(0.0, x), max(0.0, y), w, h, bool(p.get("rotated", False))))
    return Sheet(width, length, pieces)


def _positive(value: Any, name: str) -> float:
    try:
        number = float(value)
    except (TypeError, ValueError):
        raise PreviewError(f"{name} must be a number, got {value!r}") from None
    if not math.isfinite(number) or number <= 0:
        raise PreviewError(f"{name} must be a positive number, got {value!r}")
    return number


def header_lines(sheet: Sheet, utilization: float, film_length_in: float, title: str | None) -> list[str]:
    """The two header lines: what the sheet is, then its utilization and film length."""
    count = len(sheet.pieces)
    first = f"{sheet.width:g} x {sheet.length:.1f} in · {count} piece{'' if count == 1 else 's'}"
    if title:
        first = f"{labels_mod.clean_text(title)} · {first}"
    return [first, f"Utilization {utilization:.1%} · Film {film_length_in:.1f} in"]


def label_lines(label: str) -> list[str]:
    """A label as lines to stack: a design label splits before its order reference."""
    name, sep, rest = labels_mod.clean_text(label).partition(" · ")
    return [name, rest] if sep and rest else [name]


def fit_text(text: str, fits: Callable[[str], bool], *, keep_end: bool = False) -> str:
    """`text` if it fits, else the most of its start (or end) that fits with an ellipsis; '' below 3 characters."""
    if fits(text):
        return text
    low, high = 0, len(text) - 1  # the longest kept length that fits lies in [low, high]
    while low < high:
        mid = (low + high + 1) // 2
        if fits(_cut(text, mid, keep_end)):
            low = mid
        else:
            high = mid - 1
    return _cut(text, low, keep_end) if low >= 3 else ""


def fit_reference(text: str, fits: Callable[[str], bool]) -> str:
    """An order line: whole, else without the word 'order', else its end (references differ in their last digits)."""
    short = text.removeprefix("order ")
    return fit_text(text if fits(text) or short == text else short, fits, keep_end=True)


def _cut(text: str, keep: int, keep_end: bool) -> str:
    return "…" + text[len(text) - keep:].lstrip() if keep_end else text[:keep].rstrip() + "…"


def check_crops(crops: Mapping[str, Crop] | None) -> dict[str, Crop]:
    """Crops as given, each checked to be an ordered box inside 0..1."""
    out = {}
    for key, crop in (crops or {}).items():
        try:
            left, top, right, bottom = (float(v) for v in crop)
        except (TypeError, ValueError):
            raise PreviewError(f"crop of {key!r} must be four numbers, got {crop!r}") from None
        if not (0 <= left < right <= 1 and 0 <= top < bottom <= 1):
            raise PreviewError(f"crop of {key!r} must be (left, top, right, bottom) fractions in 0..1, got {crop!r}")
        out[key] = (left, top, right, bottom)
    return out
