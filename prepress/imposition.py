"""Film-saving gang sheet imposition: places ordered transfers on a roll of fixed width, as short as we can.

Coordinates are inches: x across the roll, y along it, origin at the roll's left edge where the sheet starts.
Spacing: any two pieces are at least `spacing` apart on x or on y. Margin: pieces stay `margin` clear of both
roll edges and of the sheet start; a sheet's length includes the trailing margin.

Quality: `quality="fast"` (the default, a 1 s budget) suits a synchronous layout; `quality="thorough"` (10 s)
saves more film for a job that renders a long sheet anyway (about 0.3% on the DTF days of bench/data, a third
of the gap to the optimum on Hopper's hard sets). The quality only sets the time budget (QUALITY_BUDGETS); an
explicit `time_budget` in seconds overrides it.

Determinism: the search is seeded and stops after a fixed amount of work scaled by the time budget, so the same
input gives the same layout on any ordinary machine; the wall clock is only a safety stop that ends the search
early on a machine several times slower than a modest core (then the layout may differ, never be invalid), and
it keeps the call within its budget whatever the load.

Method: a skyline heuristic fills the lowest gap with the best-fitting piece type (imposition_skyline); a local
search tunes the order and orientation in which it tries types (imposition_search). It starts from classic sort
orders, then, on an open strip, asks for a layout of everything within one grid unit less than the best found
(the decision version of Wei et al.'s binary search over the strip length), scoring each pass by the area it
leaves out, with ten trajectories from the best start orders taking turns; a sheet of fixed length is filled as
fully as possible instead.

Group mode: groups (orders) are packed one after another in order of each group's first item; ungrouped items
come last, as one group. `group_mode=True` (or "bands") gives every group its own band across the roll, so the
y-ranges of groups are disjoint and a straight cut between bands separates orders. `group_mode="flow"` lets each
group settle onto the previous group's uneven top instead: no piece of a group starts (bottom edge) before the
last piece of the previous group starts, so orders follow each other along the roll, interlocking at their
borders, for less film. Either way the film it costs is measured against an ungrouped packing of the same items
(`Layout.grouping_cost`); it is inherent, as an order's pieces can no longer pair up with other orders' pieces.
"""
from __future__ import annotations

import json
import math
import sys
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from typing import Any, cast

from prepress import imposition_plan as plan
from prepress import imposition_validate as validate

ROTATIONS = ("none", "90", "any")
# Seconds of search each quality implies.
QUALITY_BUDGETS = {"fast": 1.0, "thorough": 10.0}


class ImpositionError(ValueError):
    """An order or roll setting that cannot be imposed (the message names the item at fault)."""


@dataclass(frozen=True)
class Item:
    """An ordered transfer: size in inches as designed, how many copies, and optionally its order/group."""

    key: str
    width: float
    height: float
    quantity: int = 1
    group: str | None = None


@dataclass(frozen=True)
class Placement:
    """One copy on a sheet; width/height as placed (swapped when rotated)."""

    key: str
    x: float
    y: float
    width: float
    height: float
    rotated: bool = False
    group: str | None = None


@dataclass
class Sheet:
    """One printed sheet of the roll and the pieces on it."""

    length: float
    placements: list[Placement]
    sheet_width: float

    @property
    def utilization(self) -> float:
        """Share of the sheet's film covered by pieces."""
        area = sum(p.width * p.height for p in self.placements)
        return area / (self.sheet_width * self.length) if self.length > 0 else 0.0


@dataclass
class Layout:
    """All sheets of a run plus the settings they were imposed with (the validator needs them)."""

    sheet_width: float
    spacing: float
    margin: float
    rotation: str
    max_length: float | None
    sheets: list[Sheet] = field(default_factory=list)
    grouping_cost: float | None = None

    @property
    def length(self) -> float:
        """Film used by all sheets together, in inches."""
        return sum(s.length for s in self.sheets)


def impose(
    items: Iterable[Item],
    sheet_width: float,
    spacing: float = 0.0,
    margin: float = 0.0,
    rotation: str = "any",
    max_length: float | None = None,
    time_budget: float | None = None,
    group_mode: bool | str = False,
    quality: str = "fast",
) -> Layout:
    """Lay out every copy of every item on as little film as the time budget (or the quality's) allows."""
    items = list(items)
    if quality not in QUALITY_BUDGETS:
        raise ImpositionError(f"quality must be one of {', '.join(QUALITY_BUDGETS)}, got {quality!r}")
    if time_budget is None:
        time_budget = QUALITY_BUDGETS[quality]
    _check_settings(sheet_width, spacing, margin, rotation, max_length, time_budget)
    if not (isinstance(group_mode, bool) or group_mode in ("bands", "flow")):
        raise ImpositionError(f"group_mode must be false, true, 'bands' or 'flow', got {group_mode!r}")
    gap = plan.up(spacing)
    roll = plan.down(sheet_width - 2 * margin) + gap
    limit = None if max_length is None else plan.down(max_length - 2 * margin) + gap
    shapes = [_shapes(it, rotation, gap, roll, limit, sheet_width, margin, max_length) for it in items]
    quantities = [it.quantity for it in items]
    layout = Layout(sheet_width, spacing, margin, rotation, max_length)
    if not items:
        return layout
    if not group_mode:
        spots = plan.lay_out(shapes, quantities, [range(len(items))], roll, limit, time_budget)
        layout.sheets = _sheets(spots, items, sheet_width, margin)
        return layout
    order: dict[str | None, list[int]] = {}
    for i, it in enumerate(items):
        order.setdefault(it.group, []).append(i)
    bands = [m for g, m in order.items() if g is not None] + ([order[None]] if None in order else [])
    spots = plan.lay_out(shapes, quantities, bands, roll, limit, time_budget / 2, flow=group_mode == "flow")
    layout.sheets = _sheets(spots, items, sheet_width, margin)
    plain = plan.lay_out(shapes, quantities, [range(len(items))], roll, limit, time_budget / 2)
    plain_length = sum(s.length for s in _sheets(plain, items, sheet_width, margin))
    layout.grouping_cost = round(layout.length - plain_length, 6)
    return layout


def _check_settings(width: float, spacing: float, margin: float, rotation: str, max_length: float | None,
                    budget: float) -> None:
    """Reject roll settings that make no physical sense before looking at items."""
    for name, value in (("sheet_width", width), ("spacing", spacing), ("margin", margin),
                        ("time_budget", budget)) + ((("max_length", max_length),) if max_length is not None else ()):
        if isinstance(value, bool) or not isinstance(value, (int, float)) or not math.isfinite(value):
            raise ImpositionError(f"{name} must be a finite number, got {value!r}")
    if width <= 0 or spacing < 0 or margin < 0 or budget < 0:
        raise ImpositionError("sheet_width must be positive; spacing, margin and time_budget not negative")
    if width - 2 * margin <= 0:
        raise ImpositionError(f"margin {margin:g} leaves no usable width on a {width:g} in roll")
    if max_length is not None and max_length - 2 * margin <= 0:
        raise ImpositionError(f"max_length {max_length:g} leaves no usable length after margins")
    if rotation not in ROTATIONS:
        raise ImpositionError(f"rotation must be one of {', '.join(ROTATIONS)}, got {rotation!r}")


def _shapes(it: Item, rotation: str, gap: int, roll: int, limit: int | None, width: float, margin: float,
            max_length: float | None) -> list[plan.skyline.Shape]:
    """The item's allowed grid shapes, or an error naming it when it has none."""
    for name, value in (("width", it.width), ("height", it.height)):
        if isinstance(value, bool) or not isinstance(value, (int, float)) or not math.isfinite(value) or value <= 0:
            raise ImpositionError(f"item {it.key!r}: {name} must be a positive number, got {value!r}")
    if isinstance(it.quantity, bool) or not isinstance(it.quantity, int) or it.quantity <= 0:
        raise ImpositionError(f"item {it.key!r}: quantity must be a positive whole number, got {it.quantity!r}")
    if not plan.shapes_for(it.width, it.height, rotation, gap, roll, None):
        raise ImpositionError(f"item {it.key!r} ({it.width:g} x {it.height:g} in) is wider than the usable roll "
                              f"width {width - 2 * margin:g} in with rotation {rotation!r}")
    found = plan.shapes_for(it.width, it.height, rotation, gap, roll, limit)
    if not found:
        raise ImpositionError(f"item {it.key!r} ({it.width:g} x {it.height:g} in) does not fit a sheet of "
                              f"max_length {max_length:g} in with rotation {rotation!r}")
    return found


def _sheets(spots: list[list[plan.Spot]], items: Sequence[Item], width: float, margin: float) -> list[Sheet]:
    """Grid spots to inch placements, with each sheet's length ending one margin past its last piece."""
    out: list[Sheet] = []
    for spot_list in spots:
        placements = []
        for s in spot_list:
            it = items[s.item]
            w, h = (it.height, it.width) if s.rotated else (it.width, it.height)
            placements.append(Placement(it.key, round(margin + s.x / plan.SCALE, 6),
                                        round(margin + s.y / plan.SCALE, 6), w, h, s.rotated, it.group))
        placements.sort(key=lambda p: (p.y, p.x))
        length = round(max(p.y + p.height for p in placements) + margin, 6)
        out.append(Sheet(length, placements, width))
    return out


def validate_layout(layout: Layout, items: Iterable[Item] | None = None, *, strict: bool = False) -> list[str]:
    """Problems with a layout (overlap, spacing, roll/margin bounds, counts); with strict, raise on any."""
    found = validate.problems(layout, items)
    if strict and found:
        raise ImpositionError(f"invalid layout: {found[0]}" + (f" (+{len(found) - 1} more)" if len(found) > 1 else ""))
    return found


def layout_to_dict(layout: Layout) -> dict[str, Any]:
    """The JSON-ready form printed by the command line."""
    sheets = []
    for s in layout.sheets:
        placements = []
        for p in s.placements:
            d: dict[str, Any] = {"key": p.key, "x": p.x, "y": p.y, "width": p.width, "height": p.height,
                                 "rotated": p.rotated}
            if p.group is not None:
                d["group"] = p.group
            placements.append(d)
        sheets.append({"length": s.length, "utilization": round(s.utilization, 6), "placements": placements})
    out: dict[str, Any] = {"sheets": sheets}
    if layout.grouping_cost is not None:
        out["grouping_cost"] = layout.grouping_cost
    return out


def request_from_dict(data: Any) -> tuple[list[Item], dict[str, Any]]:
    """Items and impose() keyword arguments from the command-line JSON request."""
    if not isinstance(data, dict):
        raise ImpositionError("request must be a JSON object")
    raw = data.get("items")
    if not isinstance(raw, list):
        raise ImpositionError("request needs an 'items' list")
    items = []
    for n, d in enumerate(raw, 1):
        if not isinstance(d, dict) or not isinstance(d.get("key"), str):
            raise ImpositionError(f"item #{n} must be an object with a string 'key'")
        group = d.get("group")
        if group is not None and not isinstance(group, str):
            raise ImpositionError(f"item {d['key']!r}: group must be a string")
        # Sizes and quantities are checked by impose(), which names the item at fault.
        items.append(Item(d["key"], cast(float, d.get("width")), cast(float, d.get("height")), d.get("quantity", 1),
                          group))
    if "sheet_width" not in data:
        raise ImpositionError("request needs 'sheet_width'")
    kwargs = {"sheet_width": data["sheet_width"], "spacing": data.get("spacing", 0.0),
              "margin": data.get("margin", 0.0), "rotation": data.get("rotation", "any"),
              "max_length": data.get("max_length"), "time_budget": data.get("time_budget"),
              "group_mode": data.get("group_mode") or False, "quality": data.get("quality", "fast")}
    return items, kwargs


def main(argv: Sequence[str] | None = None) -> int:
    """Command line: impose the request in a JSON file and print the layout JSON."""
    args = list(sys.argv[1:] if argv is None else argv)
    quality = None
    if len(args) == 3 and args[0] == "--quality":
        quality, args = args[1], args[2:]
    if len(args) != 1:
        print(f"usage: python -m prepress.imposition [--quality {'|'.join(QUALITY_BUDGETS)}] IN.json", file=sys.stderr)
        return 2
    try:
        with open(args[0], encoding="utf-8") as fh:
            data = json.load(fh)
        items, kwargs = request_from_dict(data)
        if quality is not None:
            # The flag picks the quality's budget even when the request names a time_budget.
            kwargs.update(quality=quality, time_budget=None)
        layout = impose(items, **kwargs)
    except (OSError, ValueError) as exc:
        # ImpositionError and JSON decoding errors are both ValueErrors; one line keeps it grep-friendly.
        print(f"error: {' '.join(str(exc).split())}", file=sys.stderr)
        return 2
    json.dump(layout_to_dict(layout), sys.stdout)
    sys.stdout.write("\n")
    return 0


if __name__ == "__main__":
    sys.exit(main())
