"""Independent geometric checks of a gang-sheet layout: roll bounds, margins, spacing, counts, rotation."""
from __future__ import annotations

from collections import Counter
from collections.abc import Iterable
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from prepress.imposition import Item, Layout

# Coordinates are printed rounded; anything tighter than this is noise, not a real violation.
EPS = 1e-6


def problems(layout: Layout, items: Iterable[Item] | None = None) -> list[str]:
    """Every rule the layout breaks, as readable sentences (empty when the layout is sound)."""
    out: list[str] = []
    width, margin, spacing = layout.sheet_width, layout.margin, layout.spacing
    for n, sheet in enumerate(layout.sheets, 1):
        if layout.max_length is not None and sheet.length > layout.max_length + EPS:
            out.append(f"sheet {n} is {sheet.length:g} in long, over the maximum {layout.max_length:g}")
        for p in sheet.placements:
            where = f"{p.key} at ({p.x:g}, {p.y:g}) on sheet {n}"
            if p.width <= 0 or p.height <= 0:
                out.append(f"{where} has no area")
            if p.x < margin - EPS or p.x + p.width > width - margin + EPS:
                out.append(f"{where} is outside the roll width or its margins")
            if p.y < margin - EPS or p.y + p.height > sheet.length - margin + EPS:
                out.append(f"{where} is outside the sheet length or its margins")
            if layout.rotation == "none" and p.rotated:
                out.append(f"{where} is rotated but rotation is off")
            if layout.rotation == "90" and not p.rotated:
                out.append(f"{where} is not rotated but every piece must be")
        out.extend(f"{msg} on sheet {n}" for msg in _crowding(sheet.placements, spacing))
    if items is not None:
        out.extend(_accounting(layout, list(items)))
    return out


def _crowding(placements: list, spacing: float) -> list[str]:
    """Pairs closer than the spacing on both axes (overlaps included), via a sweep along the roll."""
    out: list[str] = []
    ordered = sorted(placements, key=lambda p: (p.y, p.x))
    for i, a in enumerate(ordered):
        reach = a.y + a.height + spacing - EPS
        for b in ordered[i + 1:]:
            if b.y >= reach:
                break
            gap_x = max(b.x - (a.x + a.width), a.x - (b.x + b.width))
            gap_y = max(b.y - (a.y + a.height), a.y - (b.y + b.height))
            if gap_x < spacing - EPS and gap_y < spacing - EPS:
                kind = "overlap" if gap_x < -EPS and gap_y < -EPS else "are closer than the spacing"
                out.append(f"{a.key} at ({a.x:g}, {a.y:g}) and {b.key} at ({b.x:g}, {b.y:g}) {kind}")
    return out


def _accounting(layout: Layout, items: list[Item]) -> list[str]:
    """Each ordered piece placed exactly as often as ordered, at its own size (swapped only when rotated)."""
    out: list[str] = []
    wanted: Counter[str] = Counter()
    sizes: dict[str, set[tuple[float, float]]] = {}
    for it in items:
        wanted[it.key] += it.quantity
        sizes.setdefault(it.key, set()).add((it.width, it.height))
    placed: Counter[str] = Counter()
    for sheet in layout.sheets:
        for p in sheet.placements:
            placed[p.key] += 1
            w, h = (p.height, p.width) if p.rotated else (p.width, p.height)
            if not any(abs(w - a) <= EPS and abs(h - b) <= EPS for a, b in sizes.get(p.key, ())):
                out.append(f"{p.key} placed at {p.width:g} x {p.height:g}, not its ordered size")
    for key in sorted(set(wanted) | set(placed)):
        if wanted[key] != placed[key]:
            out.append(f"{key} placed {placed[key]} times, ordered {wanted[key]}")
    return out
