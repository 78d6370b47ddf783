"""Render gang sheets of a layout to print-ready RGBA PNGs in memory that does not grow with sheet length.

Placements (inches, x across the roll, y along it, width/height as placed) become pixel rectangles with every edge
rounded on its own, so touching placements share an edge. A design marked ``rotated`` is turned a quarter turn
clockwise (its top edge ends up on the right), losslessly, and then resampled once (Lanczos) to its exact pixel
size. The sheet is composed in horizontal strips and streamed into the PNG (see raster_png), so peak memory is a
few strips plus the designs crossing the current strip, whatever the sheet length. The file is written under a
hidden ``.{name}.*.part`` name beside the output and renamed when complete. Cut guides and labels are drawn before
the designs are pasted, so they only ever show in the spacing.

Command line (DIR holds ``{key}.png``)::

    python -m prepress.raster LAYOUT.json --designs DIR --dpi 300 --out sheet.png
        [--sheet-width 22] [--sheet N] [--cut-guides] [--labels] [--compress-level 6] [--max-megapixels 600]

``--sheet N`` (1-based) renders that sheet to ``--out``. Without it a one-sheet layout goes to ``--out`` and a
longer layout renders every sheet, numbered from the ``--out`` name: ``sheet-1.png``, ``sheet-2.png``, ...
"""
from __future__ import annotations

import argparse
import contextlib
import dataclasses
import json
import os
import sys
import tempfile
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any

from prepress import raster_compose, raster_geometry, raster_png, raster_source

RenderError = raster_geometry.RenderError
DesignSource = raster_source.DesignSource
DEFAULT_MAX_INPUT_PIXELS = raster_source.DEFAULT_MAX_PIXELS
Designs = Mapping[str, "DesignSource | str | os.PathLike[str]"]


@dataclasses.dataclass(frozen=True)
class RenderResult:
    """What a render produced."""

    path: Path
    width_px: int
    height_px: int
    dpi: int
    placements: int
    bytes_written: int


def render_sheet(sheet: Mapping[str, Any], sheet_width: float | None, designs: Designs, dpi: int,
                 out: str | os.PathLike[str], *, max_input_pixels: int = DEFAULT_MAX_INPUT_PIXELS,
                 cut_guides: bool = False, labels: bool = False, label_texts: Sequence[str] | None = None,
                 compress_level: int = 6, strip_rows: int = 128,
                 threads: int | None = None, cache_bytes: int = 64 << 20,
                 small_pixels: int = raster_compose.SMALL_PIXELS,
                 scratch_dir: str | os.PathLike[str] | None = None) -> RenderResult:
    """Render one layout sheet to an RGBA PNG at `out`, atomically (a failed render leaves `out` untouched).

    Designs over `max_input_pixels` (whole file, before any crop) are refused; pass the configured upload limit.
    Large designs are resampled through unlinked temporary files in `scratch_dir` (default: beside `out`).
    With `labels`, placement i is labelled `label_texts[i]` when given (a pick list's labels), else "{i + 1} {key}".
    """
    if dpi <= 0:
        raise ValueError(f"dpi must be positive, got {dpi}")
    if strip_rows <= 0:
        raise ValueError(f"strip_rows must be positive, got {strip_rows}")
    width_in = raster_geometry.resolve_sheet_width(sheet, sheet_width)
    width_px, height_px = raster_geometry.sheet_size_px(sheet, width_in, dpi)
    placements = raster_geometry.pixel_placements(sheet, dpi, width_px, height_px)
    # Fail before any pixel work on the cheap-to-find problems (missing, too large, bad crop); damaged pixels still
    # surface mid-render.
    opened: dict[str, raster_source.Design] = {}
    for p in placements:
        if p.key not in opened:
            value = designs.get(p.key)
            if value is None:
                raise RenderError(f"design {p.key!r} is missing (no file given)", p.key)
            opened[p.key] = raster_source.Design(p.key, raster_source.as_source(value), max_input_pixels)
    if threads is None:
        # Composing is a small part of the work, so encoder threads beyond a few only add strips held in memory.
        threads = min(4, len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else os.cpu_count() or 1)
    out = Path(out)
    scratch = Path(scratch_dir) if scratch_dir is not None else out.parent
    fd, tmp_name = tempfile.mkstemp(prefix=f".{out.name}.", suffix=".part", dir=out.parent)
    try:
        with os.fdopen(fd, "wb") as fp, raster_source.without_operation_cache():
            writer = raster_png.PngStripWriter(fp, width_px, height_px, dpi, compress_level=compress_level,
                                               threads=threads)
            try:
                for strip in raster_compose.iter_strips(placements, opened, width_px, height_px, dpi, scratch,
                                                        strip_rows=strip_rows, cut_guides=cut_guides,
                                                        labels=labels, label_texts=label_texts,
                                                        cache_bytes=cache_bytes,
                                                        small_pixels=small_pixels):
                    writer.write_strip(strip)
                writer.close()
            finally:
                writer.abort()
            fp.flush()
            os.fsync(fp.fileno())
        # mkstemp makes the file 0600; reading the umask would briefly change it for every thread in the process.
        os.chmod(tmp_name, 0o644)
        os.replace(tmp_name, out)
    except BaseException:
        with contextlib.suppress(FileNotFoundError):
            os.unlink(tmp_name)
        raise
    return RenderResult(out, width_px, height_px, dpi, len(placements), out.stat().st_size)


def sheet_paths(out: str | os.PathLike[str], count: int) -> list[Path]:
    """Output names for rendering every sheet: `out` itself for one sheet, else `{stem}-{n}{suffix}` beside it."""
    out = Path(out)
    if count == 1:
        return [out]
    return [out.with_name(f"{out.stem}-{n}{out.suffix}") for n in range(1, count + 1)]


def designs_in_dir(directory: str | os.PathLike[str], keys: Sequence[str]) -> dict[str, Path]:
    """Map each key to `{directory}/{key}.png` (existence is checked at render time, naming the key)."""
    for key in keys:
        # Keys come from layout files; one like "../x" must not reach outside the directory.
        if not key or key in (".", "..") or Path(key).name != key or "\\" in key:
            raise RenderError(f"design key {key!r} is not a plain file name", key)
    return {key: Path(directory) / f"{key}.png" for key in keys}


def render_layout(layout: Mapping[str, Any], sheet_width: float | None, designs: Designs, dpi: int,
                  out: str | os.PathLike[str], *, sheet: int | None = None, **options: Any) -> list[RenderResult]:
    """Render sheet number `sheet` (1-based) to `out`, or every sheet to the names from `sheet_paths`."""
    sheets = list(layout.get("sheets", []))
    if not sheets:
        raise RenderError("layout has no sheets")
    if sheet is not None and not 1 <= sheet <= len(sheets):
        raise RenderError(f"sheet {sheet} out of range 1..{len(sheets)}")
    chosen = [sheet] if sheet is not None else list(range(1, len(sheets) + 1))
    paths = [Path(out)] if sheet is not None else sheet_paths(out, len(sheets))
    results = []
    for number, path in zip(chosen, paths, strict=True):
        one = sheets[number - 1]
        width = raster_geometry.resolve_sheet_width(one, sheet_width, layout)
        results.append(render_sheet(one, width, designs, dpi, path, **options))
    return results


def main(argv: Sequence[str] | None = None) -> int:
    """Command-line entry point; see the module docstring."""
    parser = argparse.ArgumentParser(prog="python -m prepress.raster", description=__doc__.split("\n")[0])
    parser.add_argument("layout", type=Path, help="layout JSON ({\"sheets\": [...]})")
    parser.add_argument("--designs", type=Path, required=True, help="directory holding {key}.png")
    parser.add_argument("--dpi", type=int, required=True)
    parser.add_argument("--out", type=Path, required=True)
    parser.add_argument("--sheet-width", type=float, help="inches (else the layout's \"sheet_width\")")
    parser.add_argument("--sheet", type=int, help="render only this sheet (1-based) to --out")
    parser.add_argument("--cut-guides", action="store_true", help="thin cut lines in the spacing around items")
    parser.add_argument("--labels", action="store_true", help="order number and key beside each item")
    parser.add_argument("--compress-level", type=int, default=6, choices=range(10), metavar="0-9")
    parser.add_argument("--max-megapixels", type=int, default=DEFAULT_MAX_INPUT_PIXELS // 1_000_000,
                        help="refuse designs larger than this (default: the upload limit's default)")
    args = parser.parse_args(argv)
    try:
        layout = json.loads(args.layout.read_text())
        keys = sorted({str(p["key"]) for s in layout.get("sheets", []) for p in s.get("placements", [])})
        results = render_layout(layout, args.sheet_width, designs_in_dir(args.designs, keys), args.dpi, args.out,
                                sheet=args.sheet, cut_guides=args.cut_guides, labels=args.labels,
                                compress_level=args.compress_level, max_input_pixels=args.max_megapixels * 1_000_000)
    except (OSError, ValueError, KeyError) as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 1
    for r in results:
        print(f"{r.path}: {r.width_px}x{r.height_px} px at {r.dpi} DPI, {r.placements} placements, "
              f"{r.bytes_written} bytes")
    return 0


if __name__ == "__main__":
    sys.exit(main())
