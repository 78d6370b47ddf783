"""A hot folder that goes away or refuses: the NAS stopped mid-send (the send waits, then delivers once), a full disk
and a folder we may not write to (failed with the reason, retried), and never a half-written file in sight."""
from __future__ import annotations

import contextlib
import os
import subprocess
import threading

import pytest
from sqlalchemy import select

from models import print_job as job_model
from models import printer_send as send_model
from nas import errors as nas_errors
from services import rip, rip_delivery
from tests.jobs import rip_helpers as h
from tests.jobs.rip_helpers import everything, hot_env, sends, visible  # noqa: F401 - hot_env is `env`


def test_nas_stopped_mid_send_waits_then_delivers_each_sheet_once(session, own_sshd, tmp_path, monkeypatch) -> None:
    env_ = h.sftp_env(own_sshd, tmp_path, nas_timeout=3)
    folder, path = env_.hot()
    org = h.org(session)
    with h.scoped(org.id):
        printer = h.printer(session, org.id, folder)
        job, made = h.completed_job(session, env_, org, printer, sheets=((600, 300), (1500, 1500), (600, 300)),
                                    groups=(("R1001",), ("R1001",), ("R1002",)), noise=True)
        first, second, third = rip.send(session, printer.id, job.id)
        storage = env_.storage()
        real_write = storage.folder_write

        def write_then_lose_the_nas(folder_, name, stream, *, token):
            if name == second.filename:
                stream = _Dying(stream, after=2 * 2**20, action=own_sshd.stop)
            return real_write(folder_, name, stream, token=token)

        monkeypatch.setattr(storage, "folder_write", write_then_lose_the_nas)
        with pytest.raises(nas_errors.StorageUnavailable):
            rip_delivery.deliver(session, env_.settings, printer.id)
        rows = sends(session, job.id)
        assert [r.status for r in rows] == ["sent", "waiting", "queued"]
        assert rows[1].message == rip.WAITING_MESSAGE == "Waiting for the printer folder"
        assert session.get(job_model.PrintJob, job.id).progress_message == rip.WAITING_MESSAGE
        assert visible(path) == [first.filename]  # sheet 3 never overtakes sheet 2; no half of sheet 2 in sight
        own_sshd.restart()
        monkeypatch.undo()
        rip_delivery.deliver(session, env_.settings, printer.id)
        assert [r.status for r in sends(session, job.id)] == ["sent", "sent", "sent"]
        assert everything(path) == sorted([first.filename, second.filename, third.filename])
        assert (path / second.filename).read_bytes() == made[1][0]


class _Dying:
    """A reader that runs `action` once `after` bytes were read (the NAS goes away mid-upload), then fails."""

    def __init__(self, stream, after: int, action) -> None:
        self.stream, self.after, self.action, self.read_bytes = stream, after, action, 0

    def read(self, size: int = -1) -> bytes:
        if self.read_bytes >= self.after and self.action:
            self.action, action = None, self.action
            action()
        data = self.stream.read(min(size, 256 * 1024) if size and size > 0 else 256 * 1024)
        self.read_bytes += len(data)
        return data

    def seekable(self) -> bool:
        return False


def _cannot(reason: str) -> None:
    """Skip a fault test this machine cannot stage (not root, say); CI sets REQUIRE_FAULT_TESTS, so it fails there."""
    if os.environ.get("REQUIRE_FAULT_TESTS"):
        pytest.fail(f"{reason}, but REQUIRE_FAULT_TESTS is set")
    pytest.skip(reason)


@contextlib.contextmanager
def _tmpfs(path, size: str):
    done = subprocess.run(["mount", "-t", "tmpfs", "-o", f"size={size}", "tmpfs", str(path)], capture_output=True)
    if done.returncode != 0:
        _cannot(f"cannot mount a small tmpfs here: {done.stderr.decode().strip()}")
    try:
        yield
    finally:
        subprocess.run(["umount", "-l", str(path)], check=False)


@contextlib.contextmanager
def _immutable(path):
    done = subprocess.run(["chattr", "+i", str(path)], capture_output=True)
    if done.returncode != 0:
        _cannot(f"cannot make a folder immutable here: {done.stderr.decode().strip()}")
    try:
        yield
    finally:
        subprocess.run(["chattr", "-i", str(path)], check=False)


def test_a_short_read_of_the_sheet_waits_and_never_reaches_the_rip(session, env, monkeypatch) -> None:
    folder, path = env.hot()
    org = h.org(session)
    with h.scoped(org.id):
        printer = h.printer(session, org.id, folder)
        job, made = h.completed_job(session, env, org, printer, sheets=((600, 300),), groups=(("R1001",),))
        [row] = rip.send(session, printer.id, job.id)
        real_copy = rip_delivery.shared.local_copy

        @contextlib.contextmanager
        def cut_copy(settings, key):
            with real_copy(settings, key) as local:
                with open(local, "r+b") as handle:
                    handle.truncate(os.path.getsize(local) - 6)  # what a NAS read that ended early leaves
                yield local

        monkeypatch.setattr(rip_delivery.shared, "local_copy", cut_copy)
        with pytest.raises(nas_errors.StorageUnavailable):
            rip_delivery.deliver(session, env.settings, printer.id)
        assert sends(session, job.id)[0].status == "waiting" and everything(path) == []
        monkeypatch.undo()
        rip_delivery.deliver(session, env.settings, printer.id)
        assert visible(path) == [row.filename] and (path / row.filename).read_bytes() == made[0][0]


def test_a_full_disk_fails_with_the_reason_and_leaves_nothing(session, env) -> None:
    folder, path = env.hot()
    org = h.org(session)
    with h.scoped(org.id), _tmpfs(path, "1m"):
        printer = h.printer(session, org.id, folder)
        job, _ = h.completed_job(session, env, org, printer, sheets=((800, 800),), groups=(("R1001",),), noise=True)
        [row] = rip.send(session, printer.id, job.id)
        with pytest.raises(rip_delivery.SendFailed) as failed:
            rip_delivery.deliver(session, env.settings, printer.id)
        assert "space" in str(failed.value).lower()
        [row] = sends(session, job.id)
        assert row.status == "failed" and "space" in row.error.lower() and row.message == "Failed, will retry"
        assert everything(path) == []  # not even the hidden temp


def test_a_folder_we_may_not_write_fails_with_the_reason(session, env) -> None:
    folder, path = env.hot()
    org = h.org(session)
    with h.scoped(org.id):
        printer = h.printer(session, org.id, folder)
        job, made = h.completed_job(session, env, org, printer, sheets=((600, 300),), groups=(("R1001",),))
        [row] = rip.send(session, printer.id, job.id)
        with _immutable(path):
            with pytest.raises(rip_delivery.SendFailed) as failed:
                rip_delivery.deliver(session, env.settings, printer.id)
            assert "not permitted" in str(failed.value).lower() or "permission" in str(failed.value).lower()
            assert sends(session, job.id)[0].status == "failed"
            assert everything(path) == []
        rip_delivery.deliver(session, env.settings, printer.id)  # the retry, once the folder takes files again
        assert [r.status for r in sends(session, job.id)] == ["sent"] and visible(path) == [row.filename]


def test_a_watcher_polling_the_hot_folder_only_ever_sees_whole_sheets(session, env) -> None:
    folder, path = env.hot()
    org = h.org(session)
    with h.scoped(org.id):
        printer = h.printer(session, org.id, folder)
        job, made = h.completed_job(session, env, org, printer, sheets=((1400, 1400), (1400, 1400)),
                                    groups=(("R1001",), ("R1002",)), noise=True)
        rows = rip.send(session, printer.id, job.id)
        sizes = {r.filename: len(data) for r, (data, _) in zip(rows, made, strict=True)}
        seen: dict[str, int] = {}
        stop = threading.Event()

        def watch() -> None:
            while True:
                # One whole scan after delivery returned, so the last sheet placed is always seen.
                last = stop.is_set()
                for p in path.iterdir():
                    if not p.name.startswith("."):
                        seen[p.name] = min(seen.get(p.name, 1 << 62), p.stat().st_size)
                if last:
                    return

        watcher = threading.Thread(target=watch)
        watcher.start()
        try:
            rip_delivery.deliver(session, env.settings, printer.id)
        finally:
            stop.set()
            watcher.join()
        assert seen == sizes
        assert session.scalars(select(send_model.PrinterSend.status)
                               .where(send_model.PrinterSend.print_job_id == job.id)).all() == ["sent", "sent"]
