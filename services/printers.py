"""Printers: create/update/delete keeping one default per organization, what fits a printer, and stats."""
from __future__ import annotations

from collections.abc import Callable
from typing import Any, TypeVar

from sqlalchemy import Select, func, select
from sqlalchemy import exc as sa_exc
from sqlalchemy.orm import Session

from models import audit, errors
from models import print_job as job_model
from models import printer as printer_model
from models import template as template_model
from services import printer_output, rows

Printer = printer_model.Printer
T = TypeVar("T")
DEFAULT_INDEX = "uq_printers_one_default"
# A lost race on the default index is retried; the second attempt sees the winner's committed row.
_ATTEMPTS = 3


def get(session: Session, printer_id: int) -> Printer:
    """The printer, or NotFound (also for another organization's printer: the tenant guard hides it)."""
    return rows.get(session, Printer, printer_id, "Printer")


def capability(printer: Printer, width_in: float, length_in: float, dpi: int) -> list[str]:
    """Why a sheet of width x length at `dpi` does not fit this printer (empty when it fits)."""
    reasons = []
    if not printer.is_active:
        reasons.append("printer is inactive")
    if width_in > float(printer.max_width_in) + 1e-9:
        reasons.append(f"width {width_in:g} in exceeds the printer's {float(printer.max_width_in):g} in")
    if printer.max_height_in is not None and length_in > float(printer.max_height_in) + 1e-9:
        reasons.append(f"length {length_in:g} in exceeds the printer's {float(printer.max_height_in):g} in")
    if dpi > printer.dpi:
        reasons.append(f"{dpi} DPI exceeds the printer's {printer.dpi} DPI")
    return reasons


def search(filters: dict[str, Any]) -> Select:
    """Printers matching the filters, by name."""
    stmt = select(Printer).order_by(Printer.name, Printer.id)
    if filters.get("printer_type"):
        stmt = stmt.where(Printer.printer_type == filters["printer_type"])
    if filters.get("is_active") is not None:
        stmt = stmt.where(Printer.is_active.is_(filters["is_active"]))
    if filters.get("q"):
        stmt = stmt.where(Printer.name.icontains(filters["q"], autoescape=True))
    return stmt


def create(session: Session, data: dict[str, Any]) -> Printer:
    """Add a printer; it becomes the default when asked, or when the org has no active default yet."""
    data = printer_output.clean(_clean(session, data))
    want_default = data.pop("is_default", None)
    if want_default and not data.get("is_active", True):
        raise errors.Invalid("An inactive printer cannot be the default", errors={"is_default": ["inactive"]})
    _check_name(session, data["name"])

    def attempt() -> Printer:
        printers = _lock_printers(session)
        make_default = want_default
        if make_default is None:
            make_default = data.get("is_active", True) and not any(p.is_default for p in printers)
        row = Printer(**data, is_default=False)
        session.add(row)
        session.flush()
        audit.record(session, "printer.created", entity=row, changes={
            **{key: [None, value] for key, value in _snapshot(row).items()}, "is_default": [None, bool(make_default)]})
        if make_default:
            _switch_default(session, printers, row, reason="created")
        return row

    return _retrying(session, attempt)


def update(session: Session, row: Printer, data: dict[str, Any]) -> Printer:
    """Apply a partial update; the default moves first so its row locks come before any other write."""
    data = printer_output.clean(_clean(session, data), row)
    if "name" in data and data["name"] != row.name:
        _check_name(session, data["name"])
    want_default = data.pop("is_default", None)
    active = data.get("is_active", row.is_active)
    if want_default and not active:
        raise errors.Invalid("An inactive printer cannot be the default", errors={"is_default": ["inactive"]})
    before = _snapshot(row)
    if want_default and not row.is_default:
        activate = bool(data.get("is_active"))
        _retrying(session, lambda: _make_default(session, row.id, activate=activate))
    elif want_default is False or ("is_active" in data and not active):
        _retrying(session, lambda: _hand_over(session, row, reason="unset" if active else "deactivated"))
    for key, value in data.items():
        setattr(row, key, value)
    session.flush()
    # Compared with a snapshot: the default switch above flushed, which resets SQLAlchemy's change history.
    after = _snapshot(row)
    changes = {k: [before[k], after[k]] for k in before if k != "is_default" and before[k] != after[k]}
    if changes:
        audit.record(session, "printer.updated", entity=row, changes=changes)
    return row


def delete(session: Session, row: Printer) -> None:
    """Delete the printer; if it was the default, the oldest other active printer takes over."""
    audit.record(session, "printer.deleted", entity=row, changes={"name": [row.name, None]})

    def attempt() -> None:
        _hand_over(session, row, reason="deleted", delete=True)

    _retrying(session, attempt)


def set_default(session: Session, printer_id: int) -> Printer:
    """Make the printer the org's one default: lock the org's printers, clear the old default, set the new one."""
    return _retrying(session, lambda: _make_default(session, printer_id))


def default(session: Session) -> Printer:
    """The org's default printer, or NotFound."""
    row = session.scalar(select(Printer).where(Printer.is_default.is_(True)))
    if row is None:
        raise errors.NotFound("No default printer")
    return row


def check(session: Session, printer_id: int, width_in: float, length_in: float, dpi: int) -> dict[str, Any]:
    """Whether a sheet fits the printer, and why not."""
    row = get(session, printer_id)
    reasons = capability(row, width_in, length_in, dpi)
    return {"fits": not reasons, "reasons": reasons, "printer": row}


def compatible(session: Session, width_in: float, length_in: float | None, dpi: int | None) -> list[Printer]:
    """Active printers that fit the sheet: the default first, then the narrowest (least film wasted)."""
    active = session.scalars(select(Printer).where(Printer.is_active.is_(True))).all()
    fitting = [p for p in active if not capability(p, width_in, length_in or 0, dpi or 0)]
    return sorted(fitting, key=lambda p: (not p.is_default, p.max_width_in, p.id))


def stats(session: Session) -> dict[str, Any]:
    """Per printer: jobs by status and sheet length of completed jobs, in one grouped query."""
    job = job_model.PrintJob
    by_status = [func.count(job.id).filter(job.status == status) for status in job_model.STATUSES]
    length = func.coalesce(func.sum(job.output_length_in).filter(job.status == "completed"), 0)
    grouped = session.execute(
        select(Printer, length, *by_status).outerjoin(job, job.printer_id == Printer.id)
        .group_by(Printer.id).order_by(Printer.name, Printer.id)
    ).all()
    printers = []
    for row in grouped:
        jobs = dict(zip(job_model.STATUSES, row[2:], strict=True))
        printers.append({"printer_id": row[0].id, "name": row[0].name, "printer_type": row[0].printer_type,
                         "is_active": row[0].is_active, "is_default": row[0].is_default, "jobs": jobs,
                         "jobs_total": sum(jobs.values()), "completed_length_in": float(row[1] or 0)})
    return {"printers": printers, "jobs_total": sum(p["jobs_total"] for p in printers),
            "completed_length_in": sum(p["completed_length_in"] for p in printers)}


def _retrying(session: Session, attempt: Callable[[], T]) -> T:
    # Each try runs in a savepoint, so a lost race on the default index rolls back only that try.
    for number in range(1, _ATTEMPTS + 1):
        try:
            with session.begin_nested():
                return attempt()
        except sa_exc.IntegrityError as exc:
            if _constraint(exc) != DEFAULT_INDEX:
                raise
            if number == _ATTEMPTS:
                raise errors.Conflict("The default printer changed concurrently; try again") from exc
    raise AssertionError("unreachable")


def _lock_printers(session: Session) -> list[Printer]:
    # Locking in id order serializes every default change of one org without deadlocks; populate_existing
    # makes the rows reflect what a concurrent transaction committed while this one waited for the lock.
    stmt = (select(Printer).order_by(Printer.id).with_for_update(key_share=True)
            .execution_options(populate_existing=True))
    return list(session.scalars(stmt))


def _make_default(session: Session, printer_id: int, *, activate: bool = False) -> Printer:
    printers = _lock_printers(session)
    target = next((p for p in printers if p.id == printer_id), None)
    if target is None:
        raise errors.NotFound("Printer not found")
    if activate:
        target.is_active = True
    if not target.is_active:
        raise errors.Conflict("An inactive printer cannot be the default; activate it first")
    _switch_default(session, printers, target, reason="set")
    return target


def _switch_default(session: Session, printers: list[Printer], target: Printer, *, reason: str) -> None:
    previous = [p for p in printers if p.is_default and p is not target]
    if target.is_default and not previous:
        return
    for row in previous:
        row.is_default = False
    # Clear before set, flushed in that order, so the partial unique index never sees two defaults.
    session.flush()
    target.is_default = True
    session.flush()
    audit.record(session, "printer.default_set", entity=target, changes={"is_default": [False, True]},
                 payload={"previous_default_id": previous[0].id if previous else None, "reason": reason})


def _hand_over(session: Session, row: Printer, *, reason: str, delete: bool = False) -> None:
    # The oldest other active printer takes over when the default is deleted, deactivated or unset.
    printers = _lock_printers(session)
    if not any(p is row for p in printers):
        raise errors.NotFound("Printer not found")
    was_default = row.is_default
    if delete:
        session.delete(row)
    elif was_default:
        row.is_default = False
        audit.record(session, "printer.updated", entity=row, changes={"is_default": [True, False]},
                     payload={"reason": reason})
    session.flush()
    successor = min((p for p in printers if p is not row and p.is_active),
                    key=lambda p: (p.created_at, p.id), default=None)
    if was_default and successor is not None:
        _switch_default(session, printers, successor, reason=f"previous default {reason}")


def _clean(session: Session, data: dict[str, Any]) -> dict[str, Any]:
    data = dict(data)
    if data.get("supported_media") is not None:
        data["supported_media"] = list(dict.fromkeys(m.strip() for m in data["supported_media"] if m.strip()))
    if data.get("supported_template_ids") is not None:
        ids = list(dict.fromkeys(data["supported_template_ids"]))
        # The tenant guard limits this to the org's templates, so a foreign id counts as unknown.
        known = set(session.scalars(select(template_model.Template.id)
                                    .where(template_model.Template.id.in_(ids)))) if ids else set()
        unknown = [i for i in ids if i not in known]
        if unknown:
            raise errors.Invalid("Unknown templates", errors={"supported_template_ids": [
                f"No template {i} in this organization" for i in unknown]})
        data["supported_template_ids"] = ids
    if "name" in data:
        data["name"] = data["name"].strip()
        if not data["name"]:
            raise errors.Invalid("A printer needs a name", errors={"name": ["blank"]})
    return data


def _check_name(session: Session, name: str) -> None:
    # A friendly message for the common case; the unique constraint still catches races (as a 409).
    if session.scalar(select(Printer.id).where(Printer.name == name)) is not None:
        raise errors.Conflict(f"A printer named {name!r} already exists", errors={"name": ["already exists"]})


def _snapshot(row: Printer) -> dict[str, Any]:
    keys = ("name", "printer_type", "manufacturer", "model", "max_width_in", "max_height_in", "dpi",
            "supported_media", "supported_template_ids", "is_active", "is_default", *printer_output.FIELDS)
    return {key: getattr(row, key) for key in keys}


def _constraint(exc: sa_exc.IntegrityError) -> str | None:
    return getattr(getattr(exc.orig, "diag", None), "constraint_name", None)
