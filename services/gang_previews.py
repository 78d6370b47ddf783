"""Pictures of gang sheet layouts people can see: the layout preview as PNG or SVG, and each job sheet's preview.

Every piece is drawn from its design's cached thumbnail (cropped to the printed artwork when trimmed) and labelled
by its layout key, which is the design's label (file name and order reference); the header gives the sheet's size,
piece count, utilization and film length.
"""
from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import config
from models import errors
from models import file as file_model
from nas import shared
from prepress import preview, thumbnails
from services import design_analysis, gang_items

MIME_TYPES = {"png": "image/png", "svg": "image/svg+xml"}


def picture(designs: Mapping[str, gang_items.Design], layout: Mapping[str, Any], sheet_width: float, number: int,
            fmt: str, art: Mapping[str, bytes | None]) -> bytes:
    """Sheet `number` (1-based) of the layout as PNG (long side at most 1600 px) or SVG bytes."""
    sheets = layout["sheets"]
    if not 1 <= number <= len(sheets):
        raise errors.Invalid(f"Sheet {number} asked for, the layout has {len(sheets)}",
                             errors={"sheet": [f"From 1 to {len(sheets)}"]})
    sheet = sheets[number - 1]
    title = f"Sheet {number} of {len(sheets)}" if len(sheets) > 1 else None
    crops = {label: crop for label, d in designs.items() if (crop := d.crop_fractions()) is not None}
    kwargs: dict[str, Any] = {"thumbnails": art, "labels": {label: label for label in designs},
                              "utilization": sheet["utilization"], "film_length_in": sheet["length"],
                              "title": title, "sheet_width": sheet_width, "crops": crops}
    if fmt == "svg":
        return preview.svg(sheet, **kwargs).encode()
    return preview.png(sheet, **kwargs, max_side=preview.JOB_PREVIEW_SIDE)


def design_art(settings: config.Settings, designs: Mapping[str, gang_items.Design],
               local: Mapping[str, str] | None = None) -> dict[str, bytes | None]:
    """Each label's design thumbnail (None for a file without one), from the cache or rendered once into it."""
    by_file: dict[int, bytes | None] = {}
    for design in designs.values():
        if design.file.id not in by_file:
            by_file[design.file.id] = _thumbnail(settings, design.file, local)
    return {label: by_file[design.file.id] for label, design in designs.items()}


def _thumbnail(settings: config.Settings, row: file_model.File, local: Mapping[str, str] | None) -> bytes | None:
    if not row.sha256 or not design_analysis.wanted(row):
        return None
    cached = thumbnails.path_for(settings.cache_dir, row.sha256)
    if cached.exists():
        return cached.read_bytes()
    if local is not None and row.storage_key in local:
        path = local[row.storage_key]
        return thumbnails.get(settings.cache_dir, row.sha256, lambda: path)
    with shared.local_copy(settings, row.storage_key) as fetched:
        return thumbnails.get(settings.cache_dir, row.sha256, lambda: fetched)
