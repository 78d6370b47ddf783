"""Benchmark: our gang-sheet packer at each quality budget against rectpack's best and the recorded packer of before.

Usage: python bench/imposition.py [DATA_DIR] [--sets ht,nt-n,nt-t,n,dtf] [--budget 1,10] [--no-rectpack]
                                  [--work-only] [--record FILE]
DATA_DIR (or $PACKING_DATA) defaults to bench/data/packing. Sets: ht (Hopper-Turton C), nt-n and nt-t (Hopper's
NT), n (Burke's N), dtf (DTF days), or any set name of literature.json (BENG, NGCUT, WV-nice, ...) as held-out
checks. rectpack's best is every rectpack algorithm x sort, measured in the same run (skipped on instances over
RECTPACK_MAX_PIECES, where it takes minutes). "before" is bench/data/imposition_before.json: the per-instance
lengths of the packer as it was at the commit named there, recorded by this script with --record (which, like
--work-only, turns the wall-clock safety stop off, so the lengths are the work-bounded layouts an idle machine
gives, whatever the load of this one). Every layout, ours and rectpack's, goes through
prepress.imposition.validate_layout; the run exits 1 if any is invalid.
"""
from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
import time
import types
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
# Replace this folder on the path: its queue.py would shadow the standard library's queue module.
sys.path[0] = str(ROOT)

from bench import lp_bound, packing_sets, rectpack_best
from prepress import imposition
from prepress import imposition_bounds as bounds
from prepress import imposition_search as search

BEFORE = ROOT / "bench" / "data" / "imposition_before.json"
RECTPACK_MAX_PIECES = 2000
# The targets: mean gap per set at 1 s and 10 s; DTF days at least 1% shorter than before at 10 s.
GAP_TARGETS = {"ht": {1.0: 0.005, 10.0: 0.002}, "nt-n": {1.0: 0.03, 10.0: 0.02}, "nt-t": {1.0: 0.03, 10.0: 0.02}}
DTF_TARGET = (10.0, -0.01)


def run_set(key: str, title: str, instances: list[dict[str, Any]], budgets: list[float], use_rectpack: bool,
            before: dict[str, Any]) -> dict[str, Any]:
    """Pack every instance at every budget (and with rectpack), print one line each and a summary per budget."""
    old = {b: lengths.get(key, {}) for b, lengths in before.get("lengths", {}).items()}
    print(f"\n== {title}: {len(instances)} instances, budgets {', '.join(f'{b:g} s' for b in budgets)} ==")
    print(f"{'instance':<16} {'pieces':>6} {'bound':>9} {'rectpack':>9} {'before':>9} "
          + " ".join(f"{f'ours {b:g}s':>10} {'gap':>7} {'time':>6}" for b in budgets) + "  rectpack best")
    rows = []
    ok = True
    for inst in instances:
        items, pieces = inst["items"], sum(i.quantity for i in inst["items"])
        row: dict[str, Any] = {"name": inst["name"], "bound": inst["bound"]}
        row.update({f"before {b}": lengths.get(inst["name"]) for b, lengths in old.items()})
        for b in budgets:
            started = time.perf_counter()
            layout = imposition.impose(items, inst["width"], spacing=inst["spacing"], rotation=inst["rotation"],
                                       time_budget=b)
            row[b] = (layout.length, time.perf_counter() - started)
            if imposition.validate_layout(layout, items):
                ok = False
                print(f"   INVALID: ours at {b:g} s on {inst['name']}")
        rp: dict[str, Any] = {"length": None, "name": "not run", "invalid": 0}
        if use_rectpack and pieces > RECTPACK_MAX_PIECES:
            rp["name"] = f"not run (over {RECTPACK_MAX_PIECES} pieces)"
        elif use_rectpack:
            rp = rectpack_best.best(items, inst["width"], inst["spacing"], inst["rotation"] != "none")
            ok = ok and rp["invalid"] == 0
        row["rp"] = rp["length"]
        rows.append(row)
        print(f"{inst['name']:<16} {pieces:>6} {inst['bound']:>9.2f} {_num(row['rp'])} {_num(row.get('before 1'))} "
              + " ".join(f"{row[b][0]:>10.2f} {row[b][0] / inst['bound'] - 1:>7.2%} {row[b][1]:>5.2f}s"
                         for b in budgets) + f"  {rp['name']}", flush=True)
    summary = _summary(title, instances[0]["bound_name"], rows, budgets, before, ok)
    if key == "dtf":
        _room(instances, rows, budgets)
    return {**summary, "rows": rows}


def _room(instances: list[dict[str, Any]], rows: list[dict[str, Any]], budgets: list[float]) -> None:
    """DTF days against their best lower bound (prepress.imposition_bounds, and the cross-section linear program
    solved exactly by bench.lp_bound): how much shorter than the packer of before any layout could still be."""
    b = max(budgets)
    fields = [f for f in ("before 1", "before 10") if any(r.get(f) is not None for r in rows)]
    print(f"-- DTF days vs the best lower bound (LP/cross-section/wide/area), ours at {b:g} s:")
    print(f"{'day':<10} {'area lb':>9} {'best lb':>9} {'which':>13} {'ours':>9} {'gap area':>8} {'gap best':>8} "
          + " ".join(f"{'room ' + f.split()[1] + ' s':>9}" for f in fields))
    best = []
    for inst, row in zip(instances, rows, strict=True):
        sizes = [(i.width, i.height, i.quantity) for i in inst["items"]]
        found = bounds.bounds(sizes, inst["width"], inst["spacing"], inst["rotation"])
        found["LP"] = lp_bound.lp_bound(sizes, inst["width"], inst["spacing"], inst["rotation"])
        found["best"] = max(found.values())
        # Name the simplest bound that reaches the best one (to the hundredth shown).
        which = next(k for k in ("area", "tallest", "wide", "cross_section", "LP", "best")
                     if found[k] >= found["best"] - 0.005)
        best.append(found["best"])
        ours = row[b][0]
        print(f"{inst['name']:<10} {inst['bound']:>9.2f} {found['best']:>9.2f} {which:>13} {ours:>9.2f} "
              f"{ours / inst['bound'] - 1:>8.2%} {ours / found['best'] - 1:>8.2%} "
              + " ".join(f"{1 - found['best'] / row[f]:>9.2%}" if row.get(f) else f"{'-':>9}" for f in fields))
    gap = statistics.mean(r[b][0] / lb - 1 for r, lb in zip(rows, best, strict=True))
    print(f"   ours at {b:g} s: mean gap to the best bound {gap:.2%}")
    for f in fields:
        # Days without a recorded length (a new data set) are left out of the reference's figures.
        pairs = [(r[f], lb) for r, lb in zip(rows, best, strict=True) if r.get(f)]
        total, floor = sum(old for old, _ in pairs), sum(lb for _, lb in pairs)
        print(f"   vs {f} s: no layout can be more than {statistics.mean(1 - lb / old for old, lb in pairs):.2%} "
              f"shorter per day on average (the issue's measure), {1 - floor / total:.2%} in total "
              f"({total - floor:.2f} of {total:.2f} in, {len(pairs)} days)")


def _summary(title: str, bound_name: str, rows: list[dict[str, Any]], budgets: list[float],
             before: dict[str, Any], ok: bool) -> dict[str, Any]:
    """Mean and max gap per budget, against rectpack and the packer before, and time per instance."""
    mean = statistics.mean
    print(f"-- {title} summary ({bound_name}):")
    commit = before.get("commit", "?")[:10]
    fields = [("rectpack best", "rp")]
    fields += [(f"before ({commit}) {b} s", f"before {b}") for b in before.get("lengths", {})]
    for label, field in fields:
        gaps = [r[field] / r["bound"] - 1 for r in rows if r.get(field) is not None]
        if gaps:
            print(f"   {label:<26} mean gap {mean(gaps):.2%}, max {max(gaps):.2%} ({len(gaps)} instances)")
    out: dict[str, Any] = {"ok": ok, "over": 0}
    for b in budgets:
        gaps = [r[b][0] / r["bound"] - 1 for r in rows]
        times = [r[b][1] for r in rows]
        over = sum(t > b for t in times)
        out["over"] += over
        out[b] = {"gap": mean(gaps)}
        print(f"   ours {b:g} s{'':<19} mean gap {mean(gaps):.2%}, max {max(gaps):.2%}; time mean {mean(times):.2f} s,"
              f" max {max(times):.2f} s, over budget {over}/{len(rows)}")
        for label, field in fields:
            vs = [r[b][0] / r[field] - 1 for r in rows if r.get(field) is not None]
            if vs:
                out[b][field] = mean(vs)
                print(f"      vs {label:<14} mean {mean(vs):+.2%}, worst {max(vs):+.2%}, "
                      f"shorter on {sum(v < 0 for v in vs)}/{len(vs)}, longer on {sum(v > 0 for v in vs)}")
    print(f"   all layouts valid: {'yes' if ok else 'NO'}")
    return out


def _num(value: float | None) -> str:
    return f"{value:>9.2f}" if value is not None else f"{'-':>9}"


def _targets(results: dict[str, dict[str, Any]], timed: bool) -> None:
    """The issue's targets for the sets and budgets that ran."""
    print("\n== targets ==")
    for key, wanted in GAP_TARGETS.items():
        for b, limit in wanted.items():
            if key in results and b in results[key]:
                gap = results[key][b]["gap"]
                print(f"   {packing_sets.TITLES[key]} mean gap at {b:g} s <= {limit:.1%}: "
                      f"{'met' if gap <= limit else 'MISSED'} ({gap:.2%})")
    b, limit = DTF_TARGET
    for field in ("before 1", f"before {b:g}"):
        if "dtf" in results and b in results["dtf"] and field in results["dtf"][b]:
            vs = results["dtf"][b][field]
            print(f"   DTF days at {b:g} s at least {-limit:.0%} shorter than {field} s: "
                  f"{'met' if vs <= limit else 'MISSED'} ({vs:+.2%})")
    over = sum(r["over"] for r in results.values())
    if timed:
        print(f"   every instance within its time budget: {'met' if over == 0 else 'MISSED'} ({over} over)")
    else:
        print("   time budgets not checked: the clock's safety stop was off (--work-only or --record)")


def _record(path: Path, results: dict[str, list[dict[str, Any]]], budgets: list[float]) -> None:
    """Write this run's lengths per budget as the reference of later runs, with the commit they came from."""
    commit = subprocess.run(["git", "rev-parse", "HEAD"], cwd=ROOT, capture_output=True, text=True).stdout.strip()
    dirty = subprocess.run(["git", "status", "--porcelain", "prepress"], cwd=ROOT, capture_output=True,
                           text=True).stdout.strip()
    data = {"commit": commit, "prepress_modified": bool(dirty),
            "lengths": {f"{b:g}": {k: {r["name"]: r[b][0] for r in rows} for k, rows in results.items()}
                        for b in budgets}}
    path.write_text(json.dumps(data, indent=1) + "\n")
    print(f"recorded the lengths of {commit[:10]} in {path}")


def main() -> int:
    """Run the requested sets and budgets and report; exit 1 when any layout failed validation."""
    parser = argparse.ArgumentParser(description=(__doc__ or "").splitlines()[0])
    default_dir = os.environ.get("PACKING_DATA", str(ROOT / "bench" / "data" / "packing"))
    parser.add_argument("data_dir", nargs="?", default=default_dir)
    parser.add_argument("--budget", default="1,10", help="comma-separated time budgets per instance, seconds")
    parser.add_argument("--sets", default="ht,nt-n,nt-t,n,dtf", help="comma-separated set names")
    parser.add_argument("--no-rectpack", action="store_true", help="skip rectpack (it takes minutes per set)")
    parser.add_argument("--record", metavar="FILE", help="write our lengths at every budget to FILE (implies "
                        "--work-only)")
    parser.add_argument("--work-only", action="store_true", help="stop our search on its work count alone, as on "
                        "an idle machine: lengths independent of the load (times then may exceed the budget)")
    args = parser.parse_args()
    if args.record or args.work_only:
        # A clock that never runs out leaves only the work count to stop the search, keeping load out of it.
        search.time = types.SimpleNamespace(perf_counter=lambda: 0.0)  # type: ignore[assignment]
    budgets = [float(b) for b in args.budget.split(",")]
    before = json.loads(BEFORE.read_text()) if BEFORE.exists() else {}
    results, rows = {}, {}
    for key in args.sets.split(","):
        title, instances = packing_sets.load(Path(args.data_dir), key)
        results[key] = run_set(key, title, instances, budgets, not args.no_rectpack, before)
        rows[key] = results[key].pop("rows")
    _targets(results, timed=not (args.record or args.work_only))
    if args.record:
        _record(Path(args.record), rows, budgets)
    return 0 if all(r["ok"] for r in results.values()) else 1


if __name__ == "__main__":
    sys.exit(main())
