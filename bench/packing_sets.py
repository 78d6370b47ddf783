"""Strip packing instance sets for bench/imposition.py: Hopper-Turton C, Hopper's NT, Burke's N, DTF days, others."""
from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from prepress import imposition

# Bench set name -> (title, set name in literature.json); "ht" and "dtf" have files of their own.
LITERATURE = {"nt-n": ("Hopper NT (n)", "NT-n"), "nt-t": ("Hopper NT (t)", "NT-t"), "n": ("Burke N", "BKW-N")}
TITLES = {"ht": "Hopper-Turton C", "dtf": "DTF days", **{k: v[0] for k, v in LITERATURE.items()}}


def load(data: Path, name: str) -> tuple[str, list[dict[str, Any]]]:
    """The title and instances of one set: a bench name above, or any set name of literature.json (held-out)."""
    if name == "ht":
        return TITLES[name], _ht(data / "hopper_turton_c.json")
    if name == "dtf":
        return TITLES[name], _dtf(data / "dtf_days.json")
    title, lit_name = LITERATURE.get(name, (name, name))
    found = _literature(data / "literature.json", lit_name)
    if not found:
        raise SystemExit(f"unknown set {name!r}")
    return title, found


def _ht(path: Path) -> list[dict[str, Any]]:
    """Hopper-Turton C instances: spacing 0, margin 0, 90-degree rotation allowed, exact optimum known."""
    data = json.loads(path.read_text())
    out = []
    for inst in data["instances"]:
        items = [imposition.Item(f"r{n}", it["width"], it["height"], it["quantity"])
                 for n, it in enumerate(inst["items"])]
        out.append({"name": inst["name"], "items": items, "width": inst["strip_width"], "spacing": 0.0,
                    "rotation": "any", "bound": inst["optimal_length"], "bound_name": "gap to the optimum"})
    return out


def _dtf(path: Path) -> list[dict[str, Any]]:
    """DTF days: 22-inch roll, 0.25-inch spacing; the file gives no rotation rule, transfers may turn freely."""
    data = json.loads(path.read_text())
    out = []
    for day in data["days"]:
        items = [imposition.Item(it["key"], it["width"], it["height"], it["quantity"]) for it in day["items"]]
        out.append({"name": day["name"], "items": items, "width": day["sheet_width"], "spacing": day["spacing"],
                    "rotation": day.get("rotation", "any"), "bound": day["area_lower_bound_length"],
                    "bound_name": "gap to the area lower bound"})
    return out


def _literature(path: Path, set_name: str) -> list[dict[str, Any]]:
    """One set of literature.json, rotation allowed, against its optimum where known, else its lower bound."""
    data = json.loads(path.read_text())
    out = []
    for inst in data["instances"]:
        if inst["set"] != set_name:
            continue
        items = [imposition.Item(f"r{n}", it["w"], it["h"], it["count"]) for n, it in enumerate(inst["items"])]
        optimum = inst.get("optimal_height")
        out.append({"name": inst["name"], "items": items, "width": inst["strip_width"], "spacing": 0.0,
                    "rotation": "any", "bound": optimum or inst["lower_bound"],
                    "bound_name": "gap to the optimum" if optimum else "gap to the lower bound"})
    return out
