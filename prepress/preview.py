"""Previews of a layout sheet people can read: a PNG with a bounded long side, and an SVG at true proportions.

Both draw the sheet outline, every piece from its design's thumbnail (turned when rotated, as the renderer turns
it), each piece's label, and a header with the sheet's size, piece count, utilization and film length. The
sheet is the layout dict the renderer reads: ``{"length", "placements": [{"key", "x", "y", "width", "height",
"rotated"}], "sheet_width"?}`` in inches. Thumbnails are given per key as a path or bytes (any format libvips
reads; kept small whatever their size); a key without one is drawn as a grey box. `crops` optionally gives the
visible part of a key's thumbnail as fractions (left, top, right, bottom), for pieces that print trimmed artwork
(see `analysis.DesignAnalysis.trim_fractions`). Labels come from `labels.design_labels`.
"""
from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from prepress import preview_art, preview_columns, preview_png, preview_sheet, preview_svg

PreviewError = preview_sheet.PreviewError
Source = preview_art.Source
Crop = preview_sheet.Crop
# Job outputs get a preview whose long side is at most this.
JOB_PREVIEW_SIDE = 1600


def png(sheet: Mapping[str, Any], *, thumbnails: Mapping[str, Source | None], labels: Mapping[str, str],
        utilization: float, film_length_in: float, title: str | None = None, sheet_width: float | None = None,
        crops: Mapping[str, Crop] | None = None, max_side: int = JOB_PREVIEW_SIDE) -> bytes:
    """PNG bytes whose long side is at most `max_side` px; a long sheet is cut into side by side columns."""
    found = preview_sheet.read_sheet(sheet, sheet_width)
    header = preview_sheet.header_lines(found, utilization, film_length_in, title)
    return preview_png.render(found, preview_columns.plan(found, max_side), thumbnails,
                              preview_sheet.check_crops(crops), labels, header)


def png_plan(sheet: Mapping[str, Any], *, sheet_width: float | None = None,
             max_side: int = JOB_PREVIEW_SIDE) -> preview_columns.Plan:
    """Where `png` draws the sheet: picture size, scale and columns; `Plan.to_px` maps a sheet point to a pixel."""
    return preview_columns.plan(preview_sheet.read_sheet(sheet, sheet_width), max_side)


def svg(sheet: Mapping[str, Any], *, thumbnails: Mapping[str, Source | None], labels: Mapping[str, str],
        utilization: float, film_length_in: float, title: str | None = None, sheet_width: float | None = None,
        crops: Mapping[str, Crop] | None = None, px_per_inch: float = 20.0, embed_format: str = "webp") -> str:
    """An SVG document (text) of nominal size `px_per_inch`; thumbnails embedded once per design.

    `embed_format` "webp" suits browsers (a third of PNG's size); "png" also suits librsvg-based converters.
    """
    if not 1 <= px_per_inch <= 300:
        raise PreviewError(f"px_per_inch must be from 1 to 300, got {px_per_inch!r}")
    if embed_format not in ("webp", "png"):
        raise PreviewError(f"embed_format must be 'webp' or 'png', got {embed_format!r}")
    found = preview_sheet.read_sheet(sheet, sheet_width)
    header = preview_sheet.header_lines(found, utilization, film_length_in, title)
    return preview_svg.render(found, thumbnails, preview_sheet.check_crops(crops), labels, header, px_per_inch,
                              embed_format)
