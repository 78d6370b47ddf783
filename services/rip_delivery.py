"""Delivering a printer's pending sends to its hot folder, in order, each exactly once.

Each sheet is written under a hidden temp name the RIP ignores (`.{name}.send{id}.part`), then `placing` is
committed, then the temp is renamed into place. A retry finds the send in one of three states: not yet placing
(write the temp again, replacing its own leftover), placing with the temp still there (only rename), or placing
with the temp gone (the rename happened and the RIP may already have taken the file: it is sent, never written
twice). The first sheet that cannot be delivered stops the run, so later sheets never overtake it.
"""
from __future__ import annotations

import contextlib
import io
import logging
import os
import tempfile
from collections.abc import Iterator
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

import config
from models import base
from models import file as file_model
from models import print_job as job_model
from models import printer as printer_model
from models import printer_send as send_model
from nas import base as nas_base
from nas import errors as nas_errors
from nas import shared
from prepress import ripfile
from services import printer_output, rip, rip_orders

Send = send_model.PrinterSend
log = logging.getLogger(__name__)


class SendFailed(Exception):
    """The hot folder refused the file (disk full, permission, a foreign file of that name): retried later."""


def token(row: Send) -> str:
    """The fixed temp-name token of a send, so every attempt reuses (and replaces) its own leftover."""
    return f"send{row.id}"


def deliver(session: Session, settings: config.Settings, printer_id: int) -> dict[str, Any]:
    """Deliver every pending send of the printer, oldest first; raises (after recording why) at the first that
    cannot be delivered: StorageUnavailable when the folder is unreachable, SendFailed when it refuses."""
    storage = shared.storage_for(settings)
    ids = list(session.scalars(select(Send.id).where(Send.printer_id == printer_id,
                                                     Send.status.in_(send_model.PENDING)).order_by(Send.id)))
    session.commit()
    done = {"sent": 0, "skipped": 0}
    for send_id in ids:
        row = _locked(session, send_id)
        if row is None or row.status not in send_model.PENDING:
            session.commit()
            done["skipped"] += 1
            continue
        try:
            _deliver_one(session, settings, storage, row)
        except nas_errors.StorageUnavailable as exc:
            _record(session, send_id, "waiting", rip.WAITING_MESSAGE, str(exc))
            raise
        except (nas_errors.StorageError, OSError) as exc:
            reason = _reason(exc, row)
            folder, leftovers = row.hot_folder, (row.filename, row.ticket_name)
            if _record(session, send_id, "failed", "Failed, will retry", reason) != "placing":
                # A half-written temp goes; a whole one waiting for its rename stays (only the rename is retried).
                with contextlib.suppress(Exception):
                    for leftover in filter(None, leftovers):
                        storage.folder_discard(folder, leftover, token=f"send{send_id}")
            raise SendFailed(reason) from exc
        done["sent"] += 1
    return done


def _deliver_one(session: Session, settings: config.Settings, storage: nas_base.Storage, row: Send) -> None:
    if row.status != "placing":
        printer = session.get(printer_model.Printer, row.printer_id)
        if printer is not None and printer.hot_folder and printer.hot_folder != row.hot_folder:
            row.hot_folder = printer.hot_folder  # moved since it was queued: nothing of it is in the old one
    folder, name, send_id, ticket = row.hot_folder, row.filename, row.id, row.ticket_name
    if row.status != "placing":
        row.status, row.attempts = "sending", row.attempts + 1
        row.message = f"Sending sheet {row.sheet} of {row.sheets}"
        _job_message(session, row, f"Sending sheet {row.sheet} of {row.sheets} to the printer")
        file = session.get(file_model.File, row.file_id) if row.file_id else None
        session.commit()
        if file is None:
            raise nas_errors.StorageError(f"the file of sheet {row.sheet} is gone; run the job again")
        if row.ticket_name:
            _write_ticket(session, storage, row)
        with _rip_copy(settings, file, row) as path, open(path, "rb") as stream:
            stored = storage.folder_write(folder, name, stream, token=token(row))
        row = _locked(session, send_id)  # type: ignore[assignment]
        if row is None or row.status == "cancelled":
            storage.folder_discard(folder, name, token=f"send{send_id}")
            if ticket:
                storage.folder_discard(folder, ticket, token=f"send{send_id}")
            session.commit()
            return
        row.status, row.size_bytes, row.sha256, row.message = "placing", stored.size, stored.sha256, "Placing"
        session.commit()
    if row.ticket_name:
        # The ticket first, so a RIP that reads tickets finds it when the sheet appears.
        with contextlib.suppress(nas_errors.ObjectNotFound, nas_errors.ObjectExists):
            storage.folder_place(folder, row.ticket_name, token=token(row))
    try:
        storage.folder_place(folder, name, token=token(row))
    except nas_errors.ObjectNotFound:
        # No temp: an earlier attempt renamed it (the RIP may have taken the file already). Never write it again.
        log.info("send %s: temp already placed by an earlier attempt", send_id)
    except nas_errors.ObjectExists:
        raise nas_errors.StorageError(f"a file named {name!r} is already in the hot folder; move it away") from None
    row = _locked(session, send_id)  # type: ignore[assignment]
    row.status, row.sent_at, row.message, row.error = "sent", base.utcnow(), "In the hot folder", None
    left = session.scalar(select(Send.id).where(Send.print_job_id == row.print_job_id,
                                                Send.status.in_(send_model.PENDING), Send.id != row.id).limit(1))
    printer = session.get(printer_model.Printer, row.printer_id)
    if left is None:
        _job_message(session, row, f"Sent to {printer.name if printer else 'the printer'}")
    session.commit()


@contextlib.contextmanager
def _rip_copy(settings: config.Settings, file: file_model.File, row: Send) -> Iterator[str]:
    """A local path of the sheet as the RIP gets it: the stored PNG itself, or converted (TIFF, mirrored)."""
    with shared.local_copy(settings, file.storage_key) as png:
        got = os.path.getsize(png)
        if file.size_bytes is not None and got != file.size_bytes:
            # A short read must never reach the RIP as a cut sheet: waiting, and retried like a NAS outage.
            raise nas_errors.StorageUnavailable(f"read {got} of the {file.size_bytes} bytes of sheet {row.sheet}")
        if not ripfile.needs_conversion(row.output_format, row.mirror):
            yield png
            return
        with tempfile.TemporaryDirectory(prefix="esa-rip-") as tmp:
            out = os.path.join(tmp, f"sheet{ripfile.EXTENSIONS[row.output_format]}")
            ripfile.write(png, out, fmt=row.output_format, mirror=row.mirror, dpi=round(file.dpi or 300))
            yield out


def _write_ticket(session: Session, storage: nas_base.Storage, row: Send) -> None:
    """The job ticket under its hidden temp name; placed with the sheet."""
    printer = session.get(printer_model.Printer, row.printer_id)
    job = session.get(job_model.PrintJob, row.print_job_id)
    if printer is None or job is None or row.ticket_name is None:
        return
    body = printer_output.ticket(row, printer, job, rip_orders.describe(session, row.order_ids))
    session.commit()
    storage.folder_write(row.hot_folder, row.ticket_name, io.BytesIO(body), token=token(row))


def _locked(session: Session, send_id: int) -> Send | None:
    return session.scalars(select(Send).where(Send.id == send_id).with_for_update()
                           .execution_options(populate_existing=True)).first()


def _record(session: Session, send_id: int, status: str, message: str, error: str) -> str | None:
    """Record why the send did not get through (committed), show it on the job; the send's status now."""
    session.rollback()
    row = _locked(session, send_id)
    now = row.status if row is not None else None
    if row is not None and row.status != "cancelled":
        # A send whose temp is complete stays `placing`: its retry only renames.
        if row.status != "placing":
            row.status = now = status
        row.message, row.error = message, error[:1000]
        _job_message(session, row, message if status == "waiting" else f"Sending to the printer failed: {error}")
    session.commit()
    return now


def _job_message(session: Session, row: Send, message: str) -> None:
    job = session.get(job_model.PrintJob, row.print_job_id)
    if job is not None:
        job.progress_message = message[:300]


def _reason(exc: BaseException, row: Send) -> str:
    text = str(exc) or type(exc).__name__
    if isinstance(exc, OSError) and exc.strerror:
        text = f"{exc.strerror} (hot folder {row.hot_folder!r})"
    return text
