"""Loading mockup templates and designs from the organization's files into prepress.mockups objects.

Prepared templates (decoded photo, per-size shading, masks, watermark) are cached per process, keyed by the
template's id and updated_at (plus the photo's and watermark's checksums), so batches and repeated previews
decode and prepare each photo once.
"""
from __future__ import annotations

import collections
import dataclasses
import io
import threading
import warnings
from collections.abc import Iterable
from typing import Any

from PIL import Image
from sqlalchemy import select
from sqlalchemy.orm import Session

import config
from models import errors
from models import file as file_model
from models import mockup_template as mockup_model
from nas import errors as nas_errors
from nas import shared
from prepress import filetypes, mockups

RASTER_MIMES = frozenset(k.mime for k in (filetypes.PNG, filetypes.JPEG, filetypes.GIF, filetypes.WEBP,
                                          filetypes.TIFF, filetypes.BMP))
CACHE_SIZE = 8
# A template prepared at more output sizes than this is rebuilt, so previews at arbitrary sizes stay bounded.
MAX_SIZES_PER_TEMPLATE = 4


@dataclasses.dataclass
class _Entry:
    prepared: mockups.PreparedTemplate
    long_sides: set[int]


_cache: collections.OrderedDict[tuple, _Entry] = collections.OrderedDict()
_lock = threading.Lock()


def _invalid(message: str, field: str) -> errors.Invalid:
    return errors.Invalid(message, errors={field: [message]})


def image_file(session: Session, file_id: int, field: str) -> file_model.File:
    """A live raster image file of the organization; 422 naming `field` when unknown or not an image."""
    row = session.scalar(select(file_model.File).where(file_model.File.id == file_id))
    if row is None or row.status not in file_model.LIVE_STATUSES:
        raise _invalid(f"Unknown file {file_id}", field)
    if row.mime_type not in RASTER_MIMES or not row.width_px or not row.height_px:
        raise _invalid(f"File {file_id} ({row.filename}) is not a raster image ({row.mime_type})", field)
    return row


def load_image(settings: config.Settings, row: file_model.File, field: str) -> Image.Image:
    """The file's decoded pixels (stored orientation); 422 naming `field` when it is not a readable image."""
    try:
        with shared.storage_for(settings).open(row.storage_key) as src:
            data = src.read()
    except nas_errors.ObjectNotFound:
        raise _invalid(f"File {row.id} ({row.filename}) is missing from storage", field) from None
    try:
        # The pixel limit is ours (settings), checked on the header before anything is decoded.
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", Image.DecompressionBombWarning)
            image = Image.open(io.BytesIO(data))
            if image.width * image.height > settings.max_image_pixels:
                raise _invalid(f"File {row.id} ({row.filename}) is too large to render", field)
            image.load()
    except (OSError, SyntaxError, ValueError, Image.DecompressionBombError) as exc:
        raise _invalid(f"File {row.id} ({row.filename}) is not a readable image: {exc}", field) from None
    return image


def area_errors(areas: list[dict[str, Any]], photo_size: tuple[int, int]) -> dict[str, list[str]]:
    """Problems of stored areas on a photo of `photo_size`, by area index."""
    problems: dict[str, list[str]] = {}
    for index, area in enumerate(areas):
        try:
            mockups.validate_area(mockups.PrintArea(**area), photo_size, index)
        except mockups.MockupError as exc:
            problems[str(index)] = [str(exc)]
    return problems


def check(session: Session, settings: config.Settings, row: mockup_model.MockupTemplate,
          decode: Iterable[str] = ("base_file_id", "watermark")) -> None:
    """422 unless the photo (and watermark) are images of the organization and every area fits the photo.

    The files named in `decode` are also decoded, so an unreadable upload is refused when it is chosen.
    """
    decode = set(decode)
    base = image_file(session, row.base_file_id, "base_file_id")
    if "base_file_id" in decode:
        load_image(settings, base, "base_file_id")
    if row.watermark is not None:
        mark = image_file(session, row.watermark["file_id"], "watermark.file_id")
        if "watermark" in decode:
            load_image(settings, mark, "watermark.file_id")
    problems = area_errors(row.areas, (base.width_px or 0, base.height_px or 0))
    if problems:
        detail = "; ".join(p[0] for p in problems.values())
        raise errors.Invalid(f"Invalid print areas: {detail}", errors={"areas": problems})


def templates(session: Session, template_ids: Iterable[int], field: str) -> list[mockup_model.MockupTemplate]:
    """Mockup templates in the given order; 422 naming every id unknown to the organization."""
    ids = list(dict.fromkeys(template_ids))
    model = mockup_model.MockupTemplate
    rows = {t.id: t for t in session.scalars(select(model).where(model.id.in_(ids)))}
    missing = [i for i in ids if i not in rows]
    if missing:
        raise errors.Invalid(f"Unknown mockup templates: {', '.join(map(str, missing))}",
                             errors={field: [f"Unknown mockup template {i}" for i in missing]})
    return [rows[i] for i in ids]


def prepared(session: Session, settings: config.Settings, row: mockup_model.MockupTemplate,
             long_side: int) -> mockups.PreparedTemplate:
    """The template ready to render at `long_side`, from the process cache when its row and files are unchanged."""
    base = image_file(session, row.base_file_id, "base_file_id")
    mark = None if row.watermark is None else image_file(session, row.watermark["file_id"], "watermark.file_id")
    key = (row.id, row.updated_at, base.sha256, mark.sha256 if mark else None)
    with _lock:
        entry = _cache.get(key)
        if entry is not None:
            _cache.move_to_end(key)
    if entry is None or (long_side not in entry.long_sides and len(entry.long_sides) >= MAX_SIZES_PER_TEMPLATE):
        template = entry.prepared.template if entry else _template(settings, row, base, mark)
        try:
            entry = _Entry(mockups.prepare_template(template), set())
        except mockups.MockupError as exc:
            raise errors.Invalid(f"Mockup template {row.name!r} cannot be rendered: {exc}") from None
        with _lock:
            # An edited template's older entries can never be hit again.
            for stale in [k for k in _cache if k[0] == row.id]:
                del _cache[stale]
            _cache[key] = entry
            while len(_cache) > CACHE_SIZE:
                _cache.popitem(last=False)
    entry.long_sides.add(long_side)
    return entry.prepared


def _template(settings: config.Settings, row: mockup_model.MockupTemplate, base: file_model.File,
              mark: file_model.File | None) -> mockups.MockupTemplate:
    # Photos keep their stored pixel orientation: the area points were checked against the stored width/height.
    photo = load_image(settings, base, "base_file_id")
    watermark = None
    if mark is not None:
        options = {k: v for k, v in (row.watermark or {}).items() if k != "file_id"}
        watermark = mockups.Watermark(load_image(settings, mark, "watermark.file_id"), **options)
    areas = [mockups.PrintArea(**area) for area in row.areas]
    return mockups.MockupTemplate(photo, areas, name=row.name, watermark=watermark)


def design(settings: config.Settings, row: file_model.File, field: str) -> mockups.PreparedDesign:
    """A design file converted once for rendering on many templates; 422 when it is not a readable image."""
    if row.mime_type not in RASTER_MIMES:
        raise _invalid(f"File {row.id} ({row.filename}) is not a raster image ({row.mime_type})", field)
    try:
        return mockups.prepare_design(load_image(settings, row, field))
    except mockups.MockupError as exc:
        raise _invalid(f"File {row.id} ({row.filename}) cannot be rendered: {exc}", field) from None
