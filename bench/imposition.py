"""Benchmark: our gang-sheet packer against the best of every rectpack algorithm and sort, on the same instances.

Usage: python bench/imposition.py [DATA_DIR] [--budget SECONDS] [--sets ht,dtf]
DATA_DIR (or $PACKING_DATA) defaults to bench/data/packing. Every layout, ours and
rectpack's, goes through prepress.imposition.validate_layout; the run exits 1 if any is invalid.
"""
from __future__ import annotations

import argparse
import json
import os
import re
import statistics
import sys
import time
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
# Replace this folder on the path: its queue.py would shadow the standard library's queue module.
sys.path[0] = str(ROOT)

import rectpack
from rectpack import guillotine, maxrects, skyline

from prepress import imposition

SCALE = 1000  # rectpack gets integer thousandths of an inch so float rounding cannot favour either side
SORTS = {name: getattr(rectpack, name) for name in sorted(dir(rectpack)) if name.startswith("SORT_")}


def _algos() -> list[type]:
    """Every concrete packing algorithm rectpack 0.2.2 offers (guillotine ones need a selection and a split)."""
    out = []
    for mod, prefix in ((maxrects, "MaxRects"), (skyline, "Skyline")):
        out += [getattr(mod, n) for n in sorted(dir(mod)) if n.startswith(prefix) and n != prefix
                and n not in ("SkylineWMixin",)]
    out += [getattr(guillotine, n) for n in sorted(dir(guillotine))
            if re.fullmatch(r"Guillotine(Baf|Blsf|Bssf)(Sas|Las|Slas|Llas|Maxas|Minas)", n)]
    return out


def rectpack_best(items: list[imposition.Item], width: float, spacing: float, rotation: bool) -> dict[str, Any]:
    """Shortest valid strip over every rectpack algorithm x sort, packing one tall bin of the roll width."""
    gap = round(spacing * SCALE)
    rects = [(round(it.width * SCALE) + gap, round(it.height * SCALE) + gap, n)
             for n, it in enumerate(items) for _ in range(it.quantity)]
    tall = sum(max(w, h) for w, h, _ in rects)
    best: dict[str, Any] = {"length": float("inf"), "name": None, "invalid": 0, "incomplete": 0, "runs": 0}
    for algo in _algos():
        for sort_name, sort in SORTS.items():
            packer = rectpack.newPacker(mode=rectpack.PackingMode.Offline, bin_algo=rectpack.PackingBin.BFF,
                                        pack_algo=algo, sort_algo=sort, rotation=rotation)
            for rid, (w, h, _n) in enumerate(rects):
                packer.add_rect(w, h, rid)
            packer.add_bin(round(width * SCALE) + gap, tall)
            packer.pack()
            best["runs"] += 1
            placed = packer.rect_list()
            layout = _rectpack_layout(placed, rects, items, width, spacing, gap, rotation)
            if len(placed) != len(rects):
                # Some guillotine splits strand pieces even in a bin this tall; such runs cannot compete.
                best["incomplete"] += 1
                continue
            if imposition.validate_layout(layout, items):
                best["invalid"] += 1
                continue
            if layout.length < best["length"]:
                best.update(length=layout.length, name=f"{algo.__name__}/{sort_name}")
    return best


def _rectpack_layout(placed: list, rects: list, items: list[imposition.Item], width: float, spacing: float,
                     gap: int, rotation: bool) -> imposition.Layout:
    """rectpack's grown rectangles back to pieces in inches, so our validator judges them like ours."""
    placements = []
    for _, x, y, w, h, rid in placed:
        it = items[rects[rid][2]]
        rotated = (w, h) != rects[rid][:2]
        pw, ph = (it.height, it.width) if rotated else (it.width, it.height)
        placements.append(imposition.Placement(it.key, x / SCALE, y / SCALE, pw, ph, rotated))
    length = max((p.y + p.height for p in placements), default=0.0)
    sheet = imposition.Sheet(round(length, 6), placements, width)
    return imposition.Layout(width, spacing, 0.0, "any" if rotation else "none", None, [sheet])


def run_set(name: str, instances: list[dict[str, Any]], budget: float) -> dict[str, Any]:
    """Pack each instance both ways, print a line per instance and a summary; returns the summary figures."""
    print(f"\n== {name}: {len(instances)} instances, time budget {budget:g} s ==")
    print(f"{'instance':<10} {'pieces':>6} {'bound':>9} {'ours':>9} {'rectpack':>9} {'gap':>7} {'rp gap':>7} "
          f"{'vs rp':>7} {'time':>6} {'rp time':>7}  rectpack best")
    rows = []
    ok = True
    for inst in instances:
        items = inst["items"]
        started = time.perf_counter()
        layout = imposition.impose(items, inst["width"], spacing=inst["spacing"], rotation=inst["rotation"],
                                   time_budget=budget)
        took = time.perf_counter() - started
        bad = imposition.validate_layout(layout, items)
        started = time.perf_counter()
        rp = rectpack_best(items, inst["width"], inst["spacing"], inst["rotation"] != "none")
        rp_took = time.perf_counter() - started
        ok = ok and not bad and rp["invalid"] == 0
        ours = layout.length
        row = {"gap": ours / inst["bound"] - 1, "rp_gap": rp["length"] / inst["bound"] - 1,
               "vs": ours / rp["length"] - 1, "time": took}
        rows.append(row)
        flag = "" if not bad and rp["invalid"] == 0 else f"  INVALID ours={len(bad)} rectpack={rp['invalid']}"
        print(f"{inst['name']:<10} {sum(i.quantity for i in items):>6} {inst['bound']:>9.2f} {ours:>9.2f} "
              f"{rp['length']:>9.2f} {row['gap']:>7.2%} {row['rp_gap']:>7.2%} {row['vs']:>+7.2%} "
              f"{took:>5.2f}s {rp_took:>6.1f}s  "
              f"{rp['name']} ({rp['runs']} runs, {rp['incomplete']} incomplete){flag}")
    mean = statistics.mean
    print(f"-- {name} summary ({instances[0]['bound_name']}):")
    print(f"   ours:     mean gap {mean(r['gap'] for r in rows):.2%}, max gap {max(r['gap'] for r in rows):.2%}")
    print(f"   rectpack: mean gap {mean(r['rp_gap'] for r in rows):.2%}, max gap {max(r['rp_gap'] for r in rows):.2%}"
          " (best algorithm x sort per instance)")
    shorter = sum(r["vs"] < 0 for r in rows)
    print(f"   ours vs rectpack best: mean {mean(r['vs'] for r in rows):+.2%}, "
          f"worst {max(r['vs'] for r in rows):+.2%}, "
          f"shorter on {shorter}/{len(rows)}")
    times = [r["time"] for r in rows]
    over = sum(t > budget for t in times)
    print(f"   time per instance: mean {mean(times):.2f} s, max {max(times):.2f} s, over budget {over}/{len(rows)}")
    print(f"   all layouts valid: {'yes' if ok else 'NO'}")
    return {"ok": ok, "gap": mean(r["gap"] for r in rows), "vs": mean(r["vs"] for r in rows),
            "shorter": shorter, "n": len(rows), "over": over}


def load_ht(path: Path) -> list[dict[str, Any]]:
    """Hopper-Turton C instances: spacing 0, margin 0, 90-degree rotation allowed, exact optimum known."""
    data = json.loads(path.read_text())
    out = []
    for inst in data["instances"]:
        items = [imposition.Item(f"r{n}", it["width"], it["height"], it["quantity"])
                 for n, it in enumerate(inst["items"])]
        out.append({"name": inst["name"], "items": items, "width": inst["strip_width"], "spacing": 0.0,
                    "rotation": "any", "bound": inst["optimal_length"], "bound_name": "gap to the optimum"})
    return out


def load_dtf(path: Path) -> list[dict[str, Any]]:
    """DTF days: 22-inch roll, 0.25-inch spacing; the file gives no rotation rule, transfers may turn freely."""
    data = json.loads(path.read_text())
    out = []
    for day in data["days"]:
        items = [imposition.Item(it["key"], it["width"], it["height"], it["quantity"]) for it in day["items"]]
        out.append({"name": day["name"], "items": items, "width": day["sheet_width"], "spacing": day["spacing"],
                    "rotation": day.get("rotation", "any"), "bound": day["area_lower_bound_length"],
                    "bound_name": "gap to the area lower bound"})
    return out


def main() -> int:
    """Run the requested sets and report; exit 1 when any layout failed validation."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    default_dir = os.environ.get("PACKING_DATA", str(ROOT / "bench" / "data" / "packing"))
    parser.add_argument("data_dir", nargs="?", default=default_dir)
    parser.add_argument("--budget", type=float, default=1.0, help="our time budget per instance, seconds")
    parser.add_argument("--sets", default="ht,dtf", help="comma-separated: ht, dtf")
    args = parser.parse_args()
    data = Path(args.data_dir)
    sets = args.sets.split(",")
    results = {}
    if "ht" in sets:
        results["ht"] = run_set("Hopper-Turton C", load_ht(data / "hopper_turton_c.json"), args.budget)
    if "dtf" in sets:
        results["dtf"] = run_set("DTF days", load_dtf(data / "dtf_days.json"), args.budget)
    print("\n== targets ==")
    if "ht" in results:
        r = results["ht"]
        print(f"   Hopper-Turton mean gap to optimum <= 2%: {'met' if r['gap'] <= 0.02 else 'MISSED'} ({r['gap']:.2%})")
    if "dtf" in results:
        r = results["dtf"]
        met = r["shorter"] == r["n"] and r["vs"] <= -0.01
        print(f"   DTF shorter than rectpack's best on every day, >= 1% on average: {'met' if met else 'MISSED'} "
              f"({r['shorter']}/{r['n']} days, mean {r['vs']:+.2%})")
    over = sum(r["over"] for r in results.values())
    print(f"   every instance within its time budget: {'met' if over == 0 else 'MISSED'} ({over} over)")
    return 0 if all(r["ok"] for r in results.values()) else 1


if __name__ == "__main__":
    sys.exit(main())
