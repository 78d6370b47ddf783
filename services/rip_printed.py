"""Printed detection: a sent sheet the RIP has moved out of the hot folder was taken and printed."""
from __future__ import annotations

import logging
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

import config
from models import printer as printer_model
from models import printer_send as send_model
from nas import base as nas_base
from nas import errors as nas_errors
from nas import shared
from services import rip

Send = send_model.PrinterSend
log = logging.getLogger(__name__)


def check(session: Session, settings: config.Settings) -> dict[str, Any]:
    """For each printer with sheets in its hot folder: one listing, and every sent file no longer there is printed.

    A folder that cannot be listed (NAS down, folder gone) marks nothing: only a listing that succeeded and lacks
    the file counts. Printers with pending sends and no queued delivery get one (a delivery that gave up)."""
    storage = shared.storage_for(settings)
    counts = {"printed": 0, "unreachable": 0, "kicked": 0}
    printer_ids = list(session.scalars(select(Send.printer_id).where(Send.status == "sent").distinct()))
    for printer_id in printer_ids:
        sent = list(session.scalars(select(Send).where(Send.printer_id == printer_id, Send.status == "sent")
                                    .order_by(Send.id)))
        folders = {s.hot_folder for s in sent}
        present: set[tuple[str, str]] = set()
        try:
            for folder in folders:
                present |= {(folder, i.key) for i in storage.folder_list(folder)}
        except (nas_errors.StorageError, OSError) as exc:
            log.warning("printer %s: cannot list its hot folder (%s); nothing marked printed", printer_id, exc)
            counts["unreachable"] += 1
            continue
        processed = _processed(storage, session.get(printer_model.Printer, printer_id))
        for row in sent:
            if (row.hot_folder, row.filename) not in present:
                found_in = processed[0] if processed and row.filename in processed[1] else None
                rip.printed(session, row, by="rip", found_in=found_in)
                counts["printed"] += 1
        session.commit()
    pending = session.scalars(select(Send.printer_id).where(Send.status.in_(send_model.PENDING)).distinct())
    for printer_id in list(pending):
        if session.get(printer_model.Printer, printer_id) is not None:
            rip.kick(session, printer_id)
            counts["kicked"] += 1
    session.commit()
    return counts


def _processed(storage: nas_base.Storage, printer: printer_model.Printer | None) -> tuple[str, set[str]] | None:
    """The printer's processed folder and the names in it, when it has one that can be listed."""
    if printer is None or not printer.processed_folder:
        return None
    try:
        return printer.processed_folder, {i.key for i in storage.folder_list(printer.processed_folder)}
    except (nas_errors.StorageError, OSError):
        return None
