"""Sending sheets to a RIP hot folder over local storage and a real sshd: formats, order, tickets, no duplicate
after a retry, failures that leave nothing visible, and printed detection moving orders to printed."""
from __future__ import annotations

import json

import numpy as np
import pytest
from PIL import Image
from sqlalchemy import select, text

from jobs import rip as rip_jobs
from models import errors
from models import event as event_model
from models import print_job as job_model
from nas import errors as nas_errors
from services import rip, rip_delivery, rip_printed
from tests.jobs import rip_helpers as h
from tests.jobs.rip_helpers import everything, hot_env, sends, visible  # noqa: F401 - hot_env is `env`


class Spy:
    """The storage, recording the names placed in the hot folder in order."""

    def __init__(self, storage) -> None:
        self.storage, self.placed = storage, []

    def __getattr__(self, name):
        return getattr(self.storage, name)

    def folder_place(self, folder, name, *, token):
        self.storage.folder_place(folder, name, token=token)
        self.placed.append(name)


def test_png_sheets_arrive_whole_in_order_with_tickets(session, env, monkeypatch) -> None:
    folder, path = env.hot()
    org = h.org(session)
    with h.scoped(org.id):
        printer = h.printer(session, org.id, folder, job_ticket=True)
        job, made = h.completed_job(session, env, org, printer)
        queued = rip.send(session, printer.id, job.id)
        assert [s.status for s in queued] == ["queued", "queued"]
        assert session.execute(text("SELECT count(*) FROM procrastinate_jobs WHERE task_name = 'deliver_to_printer'"
                                    " AND status = 'todo'")).scalar() == 1
        spy = Spy(env.storage())
        monkeypatch.setattr(rip_delivery.shared, "storage_for", lambda settings: spy)
        assert rip_delivery.deliver(session, env.settings, printer.id) == {"sent": 2, "skipped": 0}
        rows = sends(session, job.id)
        assert [r.status for r in rows] == ["sent", "sent"]
        names = [r.filename for r in rows]
        assert names[0].endswith(f"_job{job.id}_sheet1-of-2_{printer.name.replace(' ', '-')}_3in.png")
        assert names[1].endswith("_sheet2-of-2_" + printer.name.replace(" ", "-") + "_1in.png")
        tickets = [r.ticket_name for r in rows]
        # Each sheet's ticket lands just before it; sheet 1 before sheet 2.
        assert spy.placed == [tickets[0], names[0], tickets[1], names[1]]
        assert everything(path) == sorted(names + tickets)
        for row, (data, _) in zip(rows, made, strict=True):
            assert (path / row.filename).read_bytes() == data  # the rendered PNG itself, with its DPI
        ticket = json.loads((path / tickets[1]).read_text())
        assert ticket["file"] == names[1] and ticket["copies"] == 1 and ticket["sheet"] == 2
        assert [o["receipt_id"] for o in ticket["orders"]] == [1001, 1002] and ticket["length_in"] == 1.0
        assert {r: o.production_status for r, o in h.orders(session, job).items()} == {1001: "sent", 1002: "sent"}
        assert session.get(job_model.PrintJob, job.id).progress_message == f"Sent to {printer.name}"
        # Sending the same sheets again is a reprint, not a silent duplicate.
        with pytest.raises(errors.Conflict):
            rip.send(session, printer.id, job.id, sheets=[2])


def test_tiff_mirrored_exact_size_dpi_alpha(session, env) -> None:
    folder, path = env.hot()
    org = h.org(session)
    with h.scoped(org.id):
        printer = h.printer(session, org.id, folder, output_format="tiff", mirror=True)
        job, made = h.completed_job(session, env, org, printer, sheets=((660, 301),), groups=(("R1001",),))
        [row] = rip.send(session, printer.id, job.id)
        rip_delivery.deliver(session, env.settings, printer.id)
        assert row.filename.endswith(".tif") and visible(path) == [row.filename]
        with Image.open(path / row.filename) as out:
            assert (out.format, out.mode, out.size) == ("TIFF", "RGBA", (660, 301))
            assert tuple(round(v) for v in out.info["dpi"]) == (300, 300) and out.tag_v2[259] == 5  # LZW
            assert np.array_equal(np.asarray(out), made[0][1][:, ::-1])


def test_a_retry_never_delivers_a_sheet_twice(session, env, monkeypatch) -> None:
    """Killed after the rename, before recording it; the RIP took the file meanwhile: the retry sends nothing."""
    folder, path = env.hot()
    org = h.org(session)
    with h.scoped(org.id):
        printer = h.printer(session, org.id, folder)
        job, _ = h.completed_job(session, env, org, printer)
        first, second = rip.send(session, printer.id, job.id)
        storage = env.storage()

        class Killed(Exception):
            pass

        def place_then_die(folder_, name, *, token):
            storage.folder_place(folder_, name, token=token)
            raise Killed("worker killed")

        spy = Spy(storage)
        spy.folder_place = place_then_die
        monkeypatch.setattr(rip_delivery.shared, "storage_for", lambda settings: spy)
        with pytest.raises(Killed):
            rip_delivery.deliver(session, env.settings, printer.id)
        session.rollback()
        assert [r.status for r in sends(session, job.id)] == ["placing", "queued"]
        (path / first.filename).rename(path.parent / first.filename)  # the RIP takes it to its own folder
        monkeypatch.setattr(rip_delivery.shared, "storage_for", lambda settings: storage)
        rip_delivery.deliver(session, env.settings, printer.id)
        assert [r.status for r in sends(session, job.id)] == ["sent", "sent"]
        assert everything(path) == [second.filename]


def test_a_retry_after_a_half_written_temp_replaces_it(session, env, monkeypatch) -> None:
    folder, path = env.hot()
    org = h.org(session)
    with h.scoped(org.id):
        printer = h.printer(session, org.id, folder)
        job, made = h.completed_job(session, env, org, printer, sheets=((600, 900),), groups=(("R1001",),))
        [row] = rip.send(session, printer.id, job.id)
        (path / f".{row.filename}.send{row.id}.part").write_bytes(b"half" * 1000)  # a killed attempt's leftover
        rip_delivery.deliver(session, env.settings, printer.id)
        assert everything(path) == [row.filename] and (path / row.filename).read_bytes() == made[0][0]


def test_cancel_a_pending_send_and_resend_it(session, env) -> None:
    folder, path = env.hot()
    org = h.org(session)
    with h.scoped(org.id):
        printer = h.printer(session, org.id, folder)
        job, _ = h.completed_job(session, env, org, printer)
        first, second = rip.send(session, printer.id, job.id)
        rip.cancel(session, printer.id, first.id)
        rip_delivery.deliver(session, env.settings, printer.id)
        assert [r.status for r in sends(session, job.id)] == ["cancelled", "sent"]
        assert everything(path) == [second.filename]
        with pytest.raises(errors.Conflict):
            rip.cancel(session, printer.id, second.id)
        rip.resend(session, printer.id, first.id)
        rip_delivery.deliver(session, env.settings, printer.id)
        assert everything(path) == sorted([first.filename, second.filename])


def test_printed_detection_moves_orders_to_printed(session, env) -> None:
    folder, path = env.hot()
    processed = path.parent / "processed"
    processed.mkdir()
    org = h.org(session)
    with h.scoped(org.id):
        printer = h.printer(session, org.id, folder, processed_folder=folder.rsplit("/", 1)[0] + "/processed")
        job, _ = h.completed_job(session, env, org, printer)
        first, second = rip.send(session, printer.id, job.id)
        rip_delivery.deliver(session, env.settings, printer.id)
        assert rip_printed.check(session, env.settings)["printed"] == 0
        (path / first.filename).rename(processed / first.filename)
        assert rip_printed.check(session, env.settings)["printed"] == 1
        rows = sends(session, job.id)
        assert [(r.status, r.printed_by) for r in rows] == [("printed", "rip"), ("sent", None)]
        assert rows[0].printed_at is not None
        # R1001 is also on sheet 2: not printed until that sheet is.
        assert {r: o.production_status for r, o in h.orders(session, job).items()} == {1001: "sent", 1002: "sent"}
        (path / second.filename).unlink()
        rip_printed.check(session, env.settings)
        found = h.orders(session, job)
        assert {r: o.production_status for r, o in found.items()} == {1001: "printed", 1002: "printed"}
        assert all(o.printed_at is not None for o in found.values())
        events = session.scalars(select(event_model.Event).where(event_model.Event.event_type == "printer_send.printed")
                                 .order_by(event_model.Event.id)).all()
        assert [e.payload["found_in"] for e in events] == [printer.processed_folder, None]  # the second was deleted


def test_an_unreadable_hot_folder_marks_nothing_printed(session, env) -> None:
    folder, path = env.hot()
    org = h.org(session)
    with h.scoped(org.id):
        printer = h.printer(session, org.id, folder)
        job, _ = h.completed_job(session, env, org, printer, sheets=((600, 300),), groups=(("R1001",),))
        rip.send(session, printer.id, job.id)
        rip_delivery.deliver(session, env.settings, printer.id)
        for f in path.iterdir():
            f.unlink()
        path.rmdir()  # the folder itself is gone (a share unmounted): that is not "the RIP took everything"
        assert rip_printed.check(session, env.settings) == {"printed": 0, "unreachable": 1, "kicked": 0}
        assert [r.status for r in sends(session, job.id)] == ["sent"]


def test_operator_marks_printed_and_reprints_audited(session, env) -> None:
    folder, path = env.hot()
    org = h.org(session)
    with h.scoped(org.id):
        printer = h.printer(session, org.id, folder)
        job, _ = h.completed_job(session, env, org, printer, sheets=((600, 300),), groups=(("R1001",),))
        [row] = rip.send(session, printer.id, job.id)
        rip_delivery.deliver(session, env.settings, printer.id)
        rip.mark_printed(session, printer.id, row.id)
        assert (row.status, row.printed_by) == ("printed", "operator")
        assert h.orders(session, job)[1001].production_status == "printed"
        again = rip.reprint(session, printer.id, row.id)
        assert again.reprint_of == row.id and again.filename.endswith("_reprint1.png")
        rip_delivery.deliver(session, env.settings, printer.id)
        assert visible(path) == sorted([row.filename, again.filename])
        kinds = set(session.scalars(select(event_model.Event.event_type)))
        assert {"printer_send.printed", "printer_send.reprinted"} <= kinds


def test_the_delivery_task_retries_unreachable_and_refusing_folders() -> None:
    job = type("J", (), {"attempts": 3})()
    policy = rip_jobs.UNTIL_THE_FOLDER_TAKES_IT
    for exc in (nas_errors.StorageUnavailable("down"), rip_delivery.SendFailed("disk full")):
        decision = policy.get_retry_decision(exception=exc, job=job)
        assert decision is not None and decision.retry_at is not None
    assert policy.get_retry_decision(exception=ValueError("bug"), job=job) is None
    assert policy.get_retry_decision(exception=rip_delivery.SendFailed("x"), job=type("J", (), {"attempts": 99})()) \
        is None



def test_automatic_send_that_cannot_queue_leaves_the_job_completed(session, env) -> None:
    folder, _ = env.hot()
    org = h.org(session)
    with h.scoped(org.id):
        printer = h.printer(session, org.id, folder, auto_send=True)
        job, _ = h.completed_job(session, env, org, printer)
        job.result["sheets"][1]["file_id"] = 2**40  # sheet 2's file is gone
        assert rip.on_job_completed(session, job) == []
        assert sends(session, job.id) == []
        kinds = list(session.scalars(select(event_model.Event.event_type)))
        assert "printer.auto_send_failed" in kinds


def test_a_foreign_file_of_the_same_name_holds_the_rename_until_it_is_gone(session, env) -> None:
    folder, path = env.hot()
    org = h.org(session)
    with h.scoped(org.id):
        printer = h.printer(session, org.id, folder)
        job, made = h.completed_job(session, env, org, printer, sheets=((600, 300),), groups=(("R1001",),))
        [row] = rip.send(session, printer.id, job.id)
        (path / row.filename).write_bytes(b"someone else's file")
        with pytest.raises(rip_delivery.SendFailed) as failed:
            rip_delivery.deliver(session, env.settings, printer.id)
        assert "already in the hot folder" in str(failed.value)
        [row] = sends(session, job.id)
        assert row.status == "placing" and "already in the hot folder" in row.error
        assert everything(path) == sorted([row.filename, f".{row.filename}.send{row.id}.part"])  # the whole temp
        (path / row.filename).unlink()
        rip_delivery.deliver(session, env.settings, printer.id)
        assert sends(session, job.id)[0].status == "sent" and everything(path) == [row.filename]
        assert (path / row.filename).read_bytes() == made[0][0]


def test_a_pending_send_follows_the_printer_to_its_new_hot_folder(session, env) -> None:
    old, old_path = env.hot()
    new, new_path = env.hot()
    org = h.org(session)
    with h.scoped(org.id):
        printer = h.printer(session, org.id, old)
        job, _ = h.completed_job(session, env, org, printer, sheets=((600, 300),), groups=(("R1001",),))
        [row] = rip.send(session, printer.id, job.id)
        printer.hot_folder = new
        session.flush()
        rip_delivery.deliver(session, env.settings, printer.id)
        assert sends(session, job.id)[0].hot_folder == new
        assert everything(old_path) == [] and everything(new_path) == [row.filename]
