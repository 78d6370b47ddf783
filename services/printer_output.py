"""A printer's output to its RIP: checking the settings when saved, file names from the pattern, the job ticket."""
from __future__ import annotations

import datetime as dt
import json
import re
import string
from typing import Any

import config
from models import errors
from models import print_job as job_model
from models import printer as printer_model
from models import printer_send as send_model
from nas import errors as nas_errors
from nas import paths, shared
from prepress import ripfile

FIELDS = ("hot_folder", "processed_folder", "output_format", "mirror", "file_name_pattern", "job_ticket", "auto_send")
PLACEHOLDERS = {
    "sheet": "sheet number", "sheets": "sheets in the job", "job": "print job id", "printer": "printer name",
    "length": "sheet length in inches", "width": "sheet width in inches", "dpi": "DPI",
    "date": "the day it is sent (YYYY-MM-DD)", "send": "the send's id",
}
_PLAIN = re.compile(r"[^A-Za-z0-9._-]+")


def clean(data: dict[str, Any], row: printer_model.Printer | None = None) -> dict[str, Any]:
    """Check the output settings being saved: folders inside the storage root that exist (422 otherwise), a
    pattern with known placeholders, and auto send only with a hot folder."""
    problems: dict[str, list[str]] = {}
    for name in ("hot_folder", "processed_folder"):
        if data.get(name):
            data[name], problem = _folder(data[name])
            if problem:
                problems[name] = [problem]
    if "file_name_pattern" in data:
        problem = pattern_problem(data["file_name_pattern"])
        if problem:
            problems["file_name_pattern"] = [problem]
    hot = data["hot_folder"] if "hot_folder" in data else (row.hot_folder if row else None)
    auto = data["auto_send"] if "auto_send" in data else (row.auto_send if row else False)
    if auto and not hot:
        problems["auto_send"] = ["Automatic sending needs a hot folder"]
    if problems:
        raise errors.Invalid("Invalid printer output settings", errors=problems)
    return data


def _folder(folder: str) -> tuple[str, str | None]:
    """The folder normalised, or why it cannot be used."""
    try:
        parts = paths.folder_parts(folder)
    except nas_errors.InvalidName as exc:
        return folder, f"Not a folder inside the storage root: {exc}"
    normal = "/".join(parts)
    try:
        exists = shared.storage_for(config.get_settings()).folder_exists(normal)
    except nas_errors.StorageUnavailable as exc:
        raise errors.Unavailable(f"Cannot check the folder, the storage is unreachable: {exc}") from None
    return normal, None if exists else f"The folder {normal!r} does not exist in the storage"


def pattern_problem(pattern: str) -> str | None:
    """Why a file name pattern cannot be used, or None."""
    try:
        names = [field for _, field, _, _ in string.Formatter().parse(pattern) if field is not None]
    except ValueError as exc:
        return f"Bad pattern: {exc}"
    unknown = sorted({n for n in names if n not in PLACEHOLDERS})
    if unknown:
        return f"Unknown placeholders {unknown}; use {sorted(PLACEHOLDERS)}"
    if "sheet" not in names and "send" not in names:
        return "The pattern needs {sheet} (or {send}) so the sheets of a job get different names"
    return None


def file_stem(printer: printer_model.Printer, job: job_model.PrintJob, sheet: int, sheets: int,
              length_in: float, today: dt.date) -> str:
    """The pattern filled in for one sheet, every value made plain (letters, digits, dot, dash, underscore)."""
    result = job.result or {}
    values = {"sheet": sheet, "sheets": sheets, "job": job.id, "printer": printer.name, "length": f"{length_in:g}",
              "width": f"{float(result.get('sheet_width') or printer.max_width_in):g}",
              "dpi": result.get("dpi") or printer.dpi, "date": today.isoformat(), "send": "{send}"}
    plain = {k: v if k == "send" else _PLAIN.sub("-", str(v)).strip("-") for k, v in values.items()}
    return printer.file_name_pattern.format(**plain)


def final_name(stem: str, fmt: str, send_id: int | None = None) -> str:
    """The file name in the hot folder: stem (with the send id filled in) and the format's extension, sanitized."""
    stem = stem.replace("{send}", str(send_id or 0))
    return paths.sanitize_filename(f"{stem}{ripfile.EXTENSIONS[fmt]}")


def ticket_name(filename: str) -> str:
    """The job ticket's name beside the file: same stem, `.json`."""
    return paths.sanitize_filename(filename.rsplit(".", 1)[0] + ".json")


def ticket(send: send_model.PrinterSend, printer: printer_model.Printer, job: job_model.PrintJob,
           orders: list[dict[str, Any]]) -> bytes:
    """The job ticket JSON: the file, copies, media, sheet size and the orders on the sheet."""
    result = job.result or {}
    body = {
        "file": send.filename, "copies": 1, "media": printer.supported_media[0] if printer.supported_media else None,
        "printer": printer.name, "print_job_id": job.id, "sheet": send.sheet, "sheets": send.sheets,
        "width_in": float(result.get("sheet_width") or printer.max_width_in),
        "length_in": float(send.length_in) if send.length_in is not None else None,
        "dpi": result.get("dpi") or printer.dpi, "format": send.output_format, "mirror": send.mirror,
        "reprint_of": send.reprint_of, "orders": orders,
    }
    return json.dumps(body, indent=2, sort_keys=True).encode()
