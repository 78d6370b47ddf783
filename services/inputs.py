"""Loading and checking a job's inputs (files, templates, sizes, printers) within the current organization."""
from __future__ import annotations

from collections.abc import Iterable

from sqlalchemy import select
from sqlalchemy.orm import Session

from models import errors
from models import file as file_model
from models import printer as printer_model
from models import template as template_model
from services import printers


def design_files(session: Session, file_ids: Iterable[int], field: str = "file_ids") -> dict[int, file_model.File]:
    """Live files by id; 422 naming every id that is unknown, of another organization, or not usable."""
    ids = list(dict.fromkeys(file_ids))
    rows = {f.id: f for f in session.scalars(select(file_model.File).where(file_model.File.id.in_(ids)))}
    missing = [i for i in ids if i not in rows or rows[i].status not in file_model.LIVE_STATUSES]
    if missing:
        raise errors.Invalid(f"Unknown files: {', '.join(map(str, missing))}",
                             errors={field: [f"Unknown file {i}" for i in missing]})
    return rows


def template(session: Session, template_id: int | None, field: str = "template_id") -> template_model.Template | None:
    """The template or None when not given; 422 when unknown."""
    if template_id is None:
        return None
    row = session.get(template_model.Template, template_id)
    if row is None:
        raise errors.Invalid(f"Unknown template {template_id}", errors={field: ["Unknown template"]})
    return row


def size(tpl: template_model.Template, size_id: int, field: str) -> template_model.TemplateSize:
    """A size of `tpl`; 422 when it belongs to another template."""
    for candidate in tpl.sizes:
        if candidate.id == size_id:
            return candidate
    raise errors.Invalid(f"Size {size_id} is not a size of template {tpl.name!r}", errors={field: ["Unknown size"]})


def printer(session: Session, printer_id: int | None, field: str = "printer_id") -> printer_model.Printer | None:
    """The printer or None when not given; 422 when unknown."""
    if printer_id is None:
        return None
    row = session.get(printer_model.Printer, printer_id)
    if row is None:
        raise errors.Invalid(f"Unknown printer {printer_id}", errors={field: ["Unknown printer"]})
    return row


def check_fits(session: Session, chosen: printer_model.Printer | None, width_in: float, length_in: float,
               dpi: int, what: str) -> None:
    """422 when the chosen printer (or, with none chosen, every active printer) cannot print this size."""
    candidates = [chosen] if chosen else list(session.scalars(
        select(printer_model.Printer).where(printer_model.Printer.is_active.is_(True))))
    if not candidates:
        return  # no printers configured yet: nothing to check against
    reasons = [printers.capability(p, width_in, length_in, dpi) for p in candidates]
    if all(reasons):
        detail = "; ".join(f"{p.name}: {', '.join(r)}" for p, r in zip(candidates, reasons, strict=True))
        raise errors.Invalid(f"{what} ({width_in:g} x {length_in:g} in at {dpi} DPI) fits no printer: {detail}",
                             errors={"params": [detail]})
