"""Sending gang sheets to a printer's RIP hot folder: send, resend, reprint, cancel, mark printed, each printer's
queue. The delivery itself runs in the `deliver_to_printer` task (services.rip_delivery); console pages and the API
call these functions alike."""
from __future__ import annotations

from typing import Any

from sqlalchemy import Select, select
from sqlalchemy.orm import Session

from models import audit, base, errors
from models import file as file_model
from models import order as order_model
from models import print_job as job_model
from models import printer as printer_model
from models import printer_send as send_model
from services import defer, printer_output, rip_orders, rows

Send = send_model.PrinterSend
WAITING_MESSAGE = "Waiting for the printer folder"


def get(session: Session, send_id: int, *, printer_id: int | None = None, lock: bool = False) -> Send:
    """One send (of that printer when given), or NotFound."""
    row = rows.get(session, Send, send_id, "Send", with_for_update=True if lock else None)
    if printer_id is not None and row.printer_id != printer_id:
        raise errors.NotFound("Send not found")
    return row


def queue(session: Session, printer_id: int, status: str | None = None) -> Select:
    """A printer's sends, newest first: pending, sent and printed sheets (a status narrows it)."""
    rows.get(session, printer_model.Printer, printer_id, "Printer")
    stmt = select(Send).where(Send.printer_id == printer_id).order_by(Send.id.desc())
    return stmt.where(Send.status == status) if status else stmt


def of_job(session: Session, print_job_id: int) -> Select:
    """The sends of one print job, to every printer, sheet by sheet."""
    return select(Send).where(Send.print_job_id == print_job_id).order_by(Send.sheet, Send.id)


def ready_printers(session: Session) -> list[printer_model.Printer]:
    """Active printers with a hot folder: where a completed gang sheet job can be sent."""
    return list(session.scalars(select(printer_model.Printer).where(
        printer_model.Printer.is_active.is_(True), printer_model.Printer.hot_folder.is_not(None))
        .order_by(printer_model.Printer.name)))


def send(session: Session, printer_id: int, print_job_id: int, *, sheets: list[int] | None = None,
         created_by: int | None = None, reason: str = "operator") -> list[Send]:
    """Queue the sheets of a completed gang sheet job (all, or those listed) for the printer's hot folder.

    A sheet already sent to this printer (and not cancelled) is a 409: sending it again is a reprint."""
    printer = _sendable_printer(session, printer_id)
    job = rows.get(session, job_model.PrintJob, print_job_id, "Print job")
    rendered = _sheets_of(job)
    wanted = sorted(set(sheets)) if sheets else sorted(rendered)
    unknown = [n for n in wanted if n not in rendered]
    if unknown:
        raise errors.Invalid(f"The job has no sheet {unknown[0]}",
                             errors={"sheets": [f"no sheet {n}" for n in unknown]})
    taken = set(session.scalars(select(Send.sheet).where(
        Send.printer_id == printer.id, Send.print_job_id == job.id, Send.status != "cancelled")))
    again = [n for n in wanted if n in taken]
    if again:
        raise errors.Conflict(f"Sheet {again[0]} of job {job.id} was already sent to this printer; reprint it instead",
                              errors={"sheets": again})
    made = [_new_send(session, printer, job, rendered[n], n, len(rendered), created_by) for n in wanted]
    audit.record(session, "printer.sheets_queued", entity=printer,
                 payload={"print_job_id": job.id, "sheets": wanted, "send_ids": [s.id for s in made], "by": reason})
    kick(session, printer.id)
    return made


def on_job_completed(session: Session, job: job_model.PrintJob) -> list[Send]:
    """Send a completed gang sheet job's sheets when its printer sends automatically (same transaction)."""
    if job.job_type != "gang_sheets" or job.printer_id is None:
        return []
    printer = session.get(printer_model.Printer, job.printer_id)
    if printer is None or not printer.auto_send or not printer.hot_folder or not printer.is_active:
        return []
    if session.scalar(select(Send.id).where(Send.print_job_id == job.id, Send.printer_id == printer.id).limit(1)):
        return []  # a re-run of a job already sent: the operator decides about reprints
    try:
        with session.begin_nested():
            return send(session, printer.id, job.id, created_by=job.created_by, reason="automatic")
    except errors.DomainError as exc:
        # The job itself is done; a sheet that cannot be queued is the operator's to send by hand.
        audit.record(session, "printer.auto_send_failed", entity=printer, level="warning",
                     payload={"print_job_id": job.id, "reason": exc.message})
        return []


def resend(session: Session, printer_id: int, send_id: int) -> Send:
    """Queue a failed, waiting or cancelled send again (same file name)."""
    row = get(session, send_id, printer_id=printer_id, lock=True)
    if row.status not in ("failed", "waiting", "cancelled", "queued"):
        raise errors.Conflict(f"The send is {row.status}; only failed, waiting or cancelled sends are sent again")
    _sendable_printer(session, printer_id)
    before = row.status
    row.status, row.error, row.message = "queued", None, None
    audit.record(session, "printer_send.resent", entity=row, changes={"status": [before, "queued"]})
    session.flush()
    kick(session, printer_id)
    return row


def reprint(session: Session, printer_id: int, send_id: int, created_by: int | None = None) -> Send:
    """Print a sent or printed sheet again: a new send under a new name, audited."""
    row = get(session, send_id, printer_id=printer_id)
    if row.status not in ("sent", "printed"):
        raise errors.Conflict(f"The send is {row.status}; only sent or printed sheets are reprinted")
    printer = _sendable_printer(session, printer_id)
    job = rows.get(session, job_model.PrintJob, row.print_job_id, "Print job")
    rendered = _sheets_of(job)
    if row.sheet not in rendered:
        raise errors.Conflict("The sheet's file is gone; run the job again")
    copy = _new_send(session, printer, job, rendered[row.sheet], row.sheet, row.sheets, created_by,
                     reprint_of=row.id)
    audit.record(session, "printer_send.reprinted", entity=copy, level="warning",
                 payload={"reprint_of": row.id, "print_job_id": job.id, "sheet": row.sheet})
    kick(session, printer_id)
    return copy


def cancel(session: Session, printer_id: int, send_id: int) -> Send:
    """Cancel a send that has not reached the hot folder; its hidden temp file is removed by the delivery."""
    row = get(session, send_id, printer_id=printer_id, lock=True)
    if row.status not in send_model.CANCELLABLE:
        raise errors.Conflict(f"The send is {row.status} and can no longer be cancelled")
    before = row.status
    row.status, row.message = "cancelled", "Cancelled"
    audit.record(session, "printer_send.cancelled", entity=row, changes={"status": [before, "cancelled"]})
    session.flush()
    return row


def mark_printed(session: Session, printer_id: int, send_id: int) -> Send:
    """The operator says the sheet was printed; its orders move to printed when all their sheets are."""
    row = get(session, send_id, printer_id=printer_id, lock=True)
    if row.status != "sent":
        raise errors.Conflict(f"The send is {row.status}; only sent sheets are marked printed")
    printed(session, row, by="operator")
    return row


def printed(session: Session, row: Send, *, by: str, found_in: str | None = None) -> None:
    """Record a sheet as printed now, and the orders all of whose sheets are printed; `found_in` names the
    processed folder the RIP moved it to, when it is there."""
    row.status, row.printed_at, row.printed_by, row.message = "printed", base.utcnow(), by, None
    audit.record(session, "printer_send.printed", entity=row, changes={"status": ["sent", "printed"]},
                 payload={"by": by, "filename": row.filename, "found_in": found_in})
    session.flush()
    rip_orders.update_printed(session, row)


def kick(session: Session, printer_id: int) -> None:
    """Make sure a delivery for the printer is queued (in the caller's transaction); one waiting is enough: it takes
    every pending send of the printer in order."""
    defer.once(session, defer.DELIVER_TO_PRINTER, queue=defer.DELIVER_QUEUE,
               queueing_lock=f"deliver-printer:{printer_id}", lock=f"printer:{printer_id}",
               org_id=_org_of(session, printer_id), printer_id=printer_id)


def _org_of(session: Session, printer_id: int) -> int:
    return rows.get(session, printer_model.Printer, printer_id, "Printer").org_id


def _sendable_printer(session: Session, printer_id: int) -> printer_model.Printer:
    printer = rows.get(session, printer_model.Printer, printer_id, "Printer")
    if not printer.hot_folder:
        raise errors.Conflict("The printer has no hot folder; set one in its output settings",
                              errors={"hot_folder": ["not set"]})
    if not printer.is_active:
        raise errors.Conflict("The printer is inactive")
    return printer


def _sheets_of(job: job_model.PrintJob) -> dict[int, dict[str, Any]]:
    """A completed gang sheet job's rendered sheets by number."""
    if job.job_type != "gang_sheets":
        raise errors.Invalid("Only gang sheet jobs are sent to a printer", errors={"print_job_id": ["not gang sheets"]})
    if job.status != "completed":
        raise errors.Conflict(f"The job is {job.status}; only completed jobs are sent")
    return {int(s["sheet"]): s for s in (job.result or {}).get("sheets", [])}


def _new_send(session: Session, printer: printer_model.Printer, job: job_model.PrintJob, sheet: dict[str, Any],
              n: int, count: int, created_by: int | None, *, reprint_of: int | None = None) -> Send:
    file = session.get(file_model.File, sheet["file_id"])
    if file is None:
        raise errors.Conflict(f"Sheet {n}'s file is gone; run the job again")
    length = float(sheet["length_in"])
    stem = printer_output.file_stem(printer, job, n, count, length, base.utcnow().date())
    if reprint_of is not None:
        stem += f"_reprint{1 + _reprints(session, reprint_of)}"
    row = Send(org_id=job.org_id, printer_id=printer.id, print_job_id=job.id, file_id=file.id, sheet=n, sheets=count,
               length_in=length, hot_folder=printer.hot_folder, filename="", output_format=printer.output_format,
               mirror=printer.mirror, status="queued", message="Queued", created_by=created_by,
               reprint_of=reprint_of, order_ids=rip_orders.on_sheet(session, job, n))
    session.add(row)
    session.flush()
    row.filename = _free_name(session, printer.id, printer_output.final_name(stem, printer.output_format, row.id))
    row.ticket_name = printer_output.ticket_name(row.filename) if printer.job_ticket else None
    session.flush()
    if row.order_ids:
        for order in session.scalars(select(order_model.Order).where(order_model.Order.id.in_(row.order_ids))):
            if order.production_status is None:
                order.production_status = "sent"
    return row


def _reprints(session: Session, send_id: int) -> int:
    return len(session.scalars(select(Send.id).where(Send.reprint_of == send_id)).all())


def _free_name(session: Session, printer_id: int, name: str) -> str:
    """`name`, or `name-2`... when a live send of the printer already uses it."""
    live = set(session.scalars(select(Send.filename).where(
        Send.printer_id == printer_id, Send.status.in_(send_model.LIVE))))
    stem, dot, ext = name.rpartition(".")
    candidate, n = name, 1
    while candidate in live:
        n += 1
        candidate = f"{stem}-{n}{dot}{ext}"
    return candidate
