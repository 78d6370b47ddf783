"""Bench: the file a RIP gets from a long sheet (prepress.ripfile, streamed by libvips) vs Pillow doing the same
whole-image (open, mirror, save LZW TIFF), each in its own child process: wall and CPU time, peak RSS, file size.

The sheet is 22 in wide at 300 DPI and `--length` inches long (default 200: 6600 x 60000 px, 1.58 GB decoded),
mostly transparent with blocks of artwork, like a gang sheet.

Usage: .venv/bin/python bench/rip.py [--length 200] [--keep DIR]
"""
from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

sys.path[0] = str(Path(__file__).resolve().parent.parent)

CHILDREN = {
    "ripfile tiff+mirror": "from prepress import ripfile; ripfile.write(SRC, DST, fmt='tiff', mirror=True, dpi=300)",
    "ripfile png+mirror": "from prepress import ripfile; ripfile.write(SRC, DST, fmt='png', mirror=True, dpi=300)",
    "Pillow tiff+mirror (baseline)": (
        "from PIL import Image; Image.MAX_IMAGE_PIXELS = None\n"
        "with Image.open(SRC) as im:\n"
        "    im.transpose(Image.Transpose.FLIP_LEFT_RIGHT).save(DST, 'TIFF', compression='tiff_lzw', dpi=(300, 300))"),
}


def make_sheet(path: Path, length_in: int) -> tuple[int, int]:
    import pyvips

    width, height = 22 * 300, length_in * 300
    sheet = pyvips.Image.black(width, height, bands=4)
    art = (pyvips.Image.xyz(900, 900)[0] % 256).bandjoin([pyvips.Image.xyz(900, 900)[1] % 256, 120, 255])
    for y in range(150, height - 900, 1200):
        for x in range(150, width - 900, 1100):
            sheet = sheet.insert(art, x, y)
    sheet.cast("uchar").copy(xres=300 / 25.4, yres=300 / 25.4).pngsave(str(path), compression=6)
    return width, height


# The child's own peak since exec (VmHWM): ru_maxrss would also carry this bench's size at fork.
PEAK = ("\nimport json\nprint(json.dumps(next(int(l.split()[1]) for l in open('/proc/self/status')"
        " if l.startswith('VmHWM'))))\n")


def run(code: str, src: Path, dst: Path) -> dict[str, float]:
    program = f"SRC, DST = {str(src)!r}, {str(dst)!r}\n{code}\n{PEAK}"
    started = time.perf_counter()
    proc = subprocess.Popen([sys.executable, "-c", program], cwd=Path(__file__).resolve().parent.parent,
                            stdout=subprocess.PIPE, text=True)
    out = proc.stdout.read() if proc.stdout else ""
    _, status, usage = os.wait4(proc.pid, 0)
    if os.waitstatus_to_exitcode(status) != 0:
        raise SystemExit(f"child failed: {code}")
    return {"wall_s": time.perf_counter() - started, "cpu_s": usage.ru_utime + usage.ru_stime,
            "peak_mb": int(out.split()[-1]) / 1024, "file_mb": dst.stat().st_size / 2**20}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--length", type=int, default=200)
    parser.add_argument("--keep", type=Path)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="esa-bench-rip-") as tmp:
        folder = args.keep or Path(tmp)
        folder.mkdir(parents=True, exist_ok=True)
        src = folder / "sheet.png"
        width, height = make_sheet(src, args.length)
        decoded_mb = width * height * 4 / 2**20
        print(f"sheet 22 x {args.length} in at 300 DPI: {width} x {height} px, {decoded_mb:.0f} MB decoded, "
              f"PNG {src.stat().st_size / 2**20:.1f} MB")
        results = {}
        for name, code in CHILDREN.items():
            dst = folder / (name.split()[0] + ("-" + name.split()[1].replace("+", "-")) + ".out")
            results[name] = run(code, src, dst)
            r = results[name]
            print(f"{name:32s} wall {r['wall_s']:6.1f} s  cpu {r['cpu_s']:6.1f} s  peak {r['peak_mb']:7.0f} MB  "
                  f"file {r['file_mb']:6.1f} MB")
        ours, base = results["ripfile tiff+mirror"], results["Pillow tiff+mirror (baseline)"]
        print(json.dumps({"peak_ratio_vs_pillow": round(ours["peak_mb"] / base["peak_mb"], 3),
                          "wall_ratio_vs_pillow": round(ours["wall_s"] / base["wall_s"], 3)}))


if __name__ == "__main__":
    main()
