"""Bench: our sheet renderer vs a pyvips reference render and a full-canvas Pillow render, each in a child process.

Sheets of 22 x 120 in (300 placements) and 22 x 200 in (same density) of synthetic designs, then a production day:
36 realistic designs (one 22 x 60 in, some padded and cropped), about 220 pieces, packed by prepress.imposition into
sheets of at most 120 in, all at 300 DPI. For each render: wall and CPU time, peak RSS (wait4 on that child only),
file size; the pixels of each render are compared with ours, decoded strip by strip.

Usage: .venv/bin/python bench/raster.py [--lengths 120 200] [--repeat 3] [--day-repeat 1] [--no-day] [--keep DIR]
With --repeat N the renders alternate N times; medians of time and the highest peak are printed.
"""
from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

# Replace this folder on the path: its queue.py would shadow the standard library's queue module.
sys.path[0] = str(Path(__file__).resolve().parent.parent)

# Project modules (numpy, libvips, Pillow) are imported only once the spawner below runs, which keeps its peak small.

KINDS = ("ours", "pyvips", "pillow")


# Started before the bench grows: Linux carries a process's peak RSS over fork and exec into the child's, so children
# forked from a bench that has built a 119 MP design would all report at least its size.
SPAWNER = """
import json, os, subprocess, sys
for line in sys.stdin:
    proc = subprocess.Popen(json.loads(line))
    _, status, usage = os.wait4(proc.pid, 0)
    print(json.dumps([os.waitstatus_to_exitcode(status), usage.ru_utime + usage.ru_stime, usage.ru_maxrss]),
          flush=True)
"""


class Spawner:
    """A small process that starts the renders and reports each one's own CPU time and peak RSS."""

    def __init__(self) -> None:
        self.proc = subprocess.Popen([sys.executable, "-c", SPAWNER], stdin=subprocess.PIPE, stdout=subprocess.PIPE,
                                     text=True)

    def measure(self, kind: str, job_path: Path) -> dict:
        """Wall time, CPU time and peak RSS of one child render."""
        assert self.proc.stdin is not None and self.proc.stdout is not None
        start = time.perf_counter()
        self.proc.stdin.write(json.dumps([sys.executable, __file__, "--child", kind, str(job_path)]) + "\n")
        self.proc.stdin.flush()
        code, cpu, maxrss = json.loads(self.proc.stdout.readline())
        if code != 0:
            raise SystemExit(f"{kind} render failed with {code}")
        return {"wall": time.perf_counter() - start, "cpu": cpu, "peak": maxrss / 1024}


def run_all(spawner: Spawner, job: dict, tmp: Path, name: str, repeat: int) -> dict[str, dict]:
    """Each render `repeat` times, in rotating order; medians of times, highest peak, total bytes written."""
    runs: dict[str, list[dict]] = {k: [] for k in KINDS}
    for rep in range(repeat):
        for kind in KINDS[rep % 3:] + KINDS[:rep % 3]:
            outs = [str(tmp / f"{name}-{kind}-{n}.png") for n in range(len(job["sheets"]))]
            job_path = tmp / f"{name}-{kind}.json"
            job_path.write_text(json.dumps({**job, "outs": outs}))
            r = spawner.measure(kind, job_path)
            r["bytes"] = sum(Path(o).stat().st_size for o in outs)
            r["outs"] = [Path(o) for o in outs]
            runs[kind].append(r)
    return {k: {"wall": statistics.median(r["wall"] for r in rs), "cpu": statistics.median(r["cpu"] for r in rs),
                "peak": max(r["peak"] for r in rs), "bytes": rs[-1]["bytes"], "outs": rs[-1]["outs"]}
            for k, rs in runs.items()}


def report(results: dict[str, dict], tmp: Path) -> None:
    """Figures side by side, ratios, pixel comparisons; deletes the outputs."""
    from bench.rasterkit import renders as raster_renders

    for kind in KINDS:
        r = results[kind]
        print(f"  {kind:7s} wall {r['wall']:7.2f} s  cpu {r['cpu']:7.2f} s  peak RSS {r['peak']:7.1f} MB  "
              f"file {r['bytes'] / 1e6:8.2f} MB")
    ours = results["ours"]
    for other in ("pyvips", "pillow"):
        o = results[other]
        print(f"  ours/{other}: wall {ours['wall'] / o['wall']:.2f}  cpu {ours['cpu'] / o['cpu']:.2f}  "
              f"peak {ours['peak'] / o['peak']:.2f}  file {ours['bytes'] / o['bytes']:.3f}")
    for other in ("pillow", "pyvips"):
        for n, (a, b) in enumerate(zip(ours["outs"], results[other]["outs"], strict=True), start=1):
            same, worst, share, digest = raster_renders.compare(a, b)
            verdict = (f"identical (sha256 of pixels {digest}...)" if same
                       else f"differ: max abs {worst}, {share:.1%} of pixels")
            print(f"  sheet {n} pixels, ours vs {other}: {verdict}")
    again = sum(raster_renders.reencoded_size(p, tmp / "again.png") for p in ours["outs"])
    print(f"  our pixels written by libvips with the reference's settings: {again / 1e6:.2f} MB "
          f"(ours {ours['bytes'] / 1e6:.2f} MB, pyvips reference {results['pyvips']['bytes'] / 1e6:.2f} MB)")
    for r in results.values():
        for p in r["outs"]:
            p.unlink(missing_ok=True)


def sheets_bench(spawner: Spawner, tmp: Path, lengths: list[float], dpi: int, repeat: int) -> None:
    from bench.rasterkit import inputs as raster_inputs
    from prepress import units

    designs = raster_inputs.write_synthetic(tmp)
    for length in lengths:
        layout = raster_inputs.shelf_layout(22.0, length, round(300 * length / 120))
        sheet = layout["sheets"][0]
        w_px, h_px = units.inches_to_px(22.0, dpi), units.inches_to_px(length, dpi)
        print(f"sheet 22 x {length:g} in at {dpi} DPI = {w_px} x {h_px} px ({w_px * h_px * 4 / 1e9:.2f} GB raw), "
              f"{len(sheet['placements'])} placements, utilization {sheet['utilization']:.2f}; "
              f"median of {repeat}, cpus {os.cpu_count()}")
        job = {"sheets": [sheet], "sheet_width": 22.0, "designs": designs, "dpi": dpi}
        report(run_all(spawner, job, tmp, f"sheet{length:g}", repeat), tmp)


def day_bench(spawner: Spawner, tmp: Path, dpi: int, repeat: int, max_length: float) -> None:
    from bench.rasterkit import inputs as raster_inputs
    from prepress import imposition

    folder = tmp / "day"
    folder.mkdir(exist_ok=True)
    start = time.perf_counter()
    layout, designs = raster_inputs.production_day(folder, max_length)
    data = imposition.layout_to_dict(layout)
    print(f"production day: {len(designs)} designs (one 22 x 60 in = 6600 x 18000 px), "
          f"{raster_inputs.pieces(layout)} pieces on {len(layout.sheets)} sheets of "
          f"{', '.join(f'{s.length:g}' for s in layout.sheets)} in, {layout.length:g} in of film, "
          f"utilization {raster_inputs.day_utilization(layout):.3f} (inputs built in "
          f"{time.perf_counter() - start:.0f} s); median of {repeat}")
    job = {"sheets": data["sheets"], "sheet_width": 22.0, "designs": designs, "dpi": dpi}
    report(run_all(spawner, job, tmp, "day", repeat), tmp)


def main() -> None:
    """Build the inputs, run the renders in children, print figures and ratios."""
    if len(sys.argv) > 1 and sys.argv[1] == "--child":
        from bench.rasterkit import renders as raster_renders

        kind, job_path = sys.argv[2:4]
        raster_renders.RENDERS[kind](json.loads(Path(job_path).read_text()))
        return
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--lengths", type=float, nargs="*", default=[120.0, 200.0])
    parser.add_argument("--dpi", type=int, default=300)
    parser.add_argument("--repeat", type=int, default=1)
    parser.add_argument("--day-repeat", type=int, default=1)
    parser.add_argument("--no-day", action="store_true", help="skip the production day")
    parser.add_argument("--day-max-length", type=float, default=120.0)
    parser.add_argument("--keep", type=Path, help="keep inputs here (reused by later runs) instead of a temp dir")
    args = parser.parse_args()
    spawner = Spawner()
    with tempfile.TemporaryDirectory(prefix="bench-raster-") as scratch:
        tmp = args.keep or Path(scratch)
        tmp.mkdir(parents=True, exist_ok=True)
        sheets_bench(spawner, tmp, args.lengths, args.dpi, args.repeat)
        if not args.no_day:
            day_bench(spawner, tmp, args.dpi, args.day_repeat, args.day_max_length)


if __name__ == "__main__":
    main()
