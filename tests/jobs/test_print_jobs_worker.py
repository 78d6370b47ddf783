"""Print jobs through real worker processes: completion with outputs, failure and retry, cancel while running,
and a worker killed mid-job that is detected, retried, and ends with exactly one set of outputs."""
from __future__ import annotations

import asyncio
import io
import os
import signal
from pathlib import Path

from PIL import Image
from sqlalchemy import select, text

import config
from jobs import maintenance
from models import event, tenancy
from models import file as file_model
from models import print_job as job_model
from nas import shared
from services import print_jobs
from tests import imagegen
from tests.jobs import factories
from tests.jobs.conftest import wait_for


def _job(session, org_id: int, job_id: int) -> job_model.PrintJob:
    session.rollback()
    with tenancy.org_scope(org_id):
        return session.get(job_model.PrintJob, job_id, populate_existing=True)


def _outputs(session, org_id: int, job_id: int) -> list[file_model.File]:
    with tenancy.org_scope(org_id):
        return list(session.scalars(select(file_model.File).where(file_model.File.print_job_id == job_id)))


def _create(session, org_id: int, user_id: int, job_type: str, params: dict) -> int:
    with tenancy.org_scope(org_id):
        job = print_jobs.create(session, job_type=job_type, params=params, created_by=user_id)
        session.commit()
        return job.id


def test_print_files_and_designs_complete_with_outputs(committed, start_worker):
    session, created = committed
    settings = config.get_settings()
    org, user_id = factories.org_with_owner(session, created, "Worker Prints")
    tpl = factories.template(session, org, dpi=100, sizes=(("Adult", 4, 2), ("Pocket", 1, 1)))
    art = factories.design(session, settings, org, imagegen.png(300, 150, dpi=72), "art.png")
    job_id = _create(session, org.id, user_id, "print_files", {
        "template_id": tpl.id, "items": [{"file_id": art.id, "size_id": s.id} for s in tpl.sizes]})
    check_id = _create(session, org.id, user_id, "designs", {"file_ids": [art.id], "min_dpi": 100})
    start_worker("print_jobs")
    start_worker("general")
    wait_for(lambda: _job(session, org.id, job_id).status in job_model.FINISHED, timeout=60)
    job = _job(session, org.id, job_id)
    assert job.status == "completed" and job.progress == 100 and job.attempts == 1, job.error
    outputs = sorted(_outputs(session, org.id, job_id), key=lambda f: f.width_px)
    assert [(f.width_px, f.height_px) for f in outputs] == [(100, 100), (400, 200)]
    for f in outputs:
        with shared.storage_for(settings).open(f.storage_key) as fh:
            img = Image.open(io.BytesIO(fh.read()))
            assert img.mode == "RGBA" and round(img.info["dpi"][0]) == 100
        assert f.file_type == "print_files" and f"_job{job_id}" in f.filename
    wait_for(lambda: _job(session, org.id, check_id).status in job_model.FINISHED, timeout=60)
    check = _job(session, org.id, check_id)
    assert check.status == "completed", check.error
    with tenancy.org_scope(org.id):
        analysed = session.get(file_model.File, art.id, populate_existing=True).analysis
        kinds = [e.event_type for e in session.scalars(select(event.Event).where(
            event.Event.entity_type == "print_jobs", event.Event.entity_id == str(job_id)).order_by(event.Event.id))]
    assert {s["size"]: s["status"] for s in analysed["sizes"]} == {"Adult": "too_low", "Pocket": "ok"}
    # The result names every design with its verdict, artwork, natural size and effective DPI per size.
    assert check.result["designs"] == [{
        "file_id": art.id, "file_name": "art.png", "status": "too_low", "width_px": 300, "height_px": 150,
        "trimmed_width_px": 300, "trimmed_height_px": 150, "error": None,
        "natural_size_in": {"width_in": 4.1667, "height_in": 2.0833},
        "sizes": [{"template": "Tee 100", "size": "Adult", "effective_dpi": 75.0, "target_dpi": 100,
                   "status": "too_low"},
                  {"template": "Tee 100", "size": "Pocket", "effective_dpi": 300.0, "target_dpi": 100,
                   "status": "ok"}]}]
    assert kinds == ["print_job.created", "print_job.started", "print_job.completed"]


def test_failure_then_retry_completes(committed, start_worker):
    session, created = committed
    settings = config.get_settings()
    org, user_id = factories.org_with_owner(session, created, "Retry Prints")
    art = factories.design(session, settings, org, imagegen.png(100, 100), "broken.png")
    Path(settings.local_root_path, art.storage_key).write_bytes(b"\x89PNG\r\n\x1a\nnot really")
    job_id = _create(session, org.id, user_id, "print_files", {"dpi": 100, "items": [
        {"file_id": art.id, "width_in": 1, "height_in": 1}]})
    start_worker("print_jobs")
    wait_for(lambda: _job(session, org.id, job_id).status in job_model.FINISHED, timeout=60)
    failed = _job(session, org.id, job_id)
    assert failed.status == "failed" and "Cannot render" in failed.error and failed.attempts == 1
    Path(settings.local_root_path, art.storage_key).write_bytes(imagegen.png(100, 100))
    with tenancy.org_scope(org.id):
        print_jobs.retry(session, session.get(job_model.PrintJob, job_id))
        session.commit()
    wait_for(lambda: _job(session, org.id, job_id).status in job_model.FINISHED, timeout=60)
    done = _job(session, org.id, job_id)
    assert done.status == "completed" and done.error is None
    assert len(_outputs(session, org.id, job_id)) == 1


def _slow_job(session, settings, org, user_id: int, items: int) -> int:
    art = factories.design(session, settings, org, imagegen.png(1500, 1500), "big.png")
    return _create(session, org.id, user_id, "print_files", {"dpi": 300, "items": [
        {"file_id": art.id, "width_in": 6 + n / 4, "height_in": 6} for n in range(items)]})


def test_cancel_while_running_stops_at_a_checkpoint(committed, start_worker):
    session, created = committed
    settings = config.get_settings()
    org, user_id = factories.org_with_owner(session, created, "Cancel Prints")
    job_id = _slow_job(session, settings, org, user_id, items=200)
    start_worker("print_jobs")
    wait_for(lambda: _job(session, org.id, job_id).progress > 0, timeout=60, interval=0.05)
    with tenancy.org_scope(org.id):
        job = print_jobs.cancel(session, session.get(job_model.PrintJob, job_id, with_for_update={"key_share": True}))
        assert job.status == "processing" and job.cancel_requested
        session.commit()
    wait_for(lambda: _job(session, org.id, job_id).status in job_model.FINISHED, timeout=60)
    job = _job(session, org.id, job_id)
    assert job.status == "cancelled" and job.progress < 100
    # The worker commits the row first; procrastinate marks its queue job once the task has returned, a moment later.
    queue_id = job.queue_job_id
    assert wait_for(lambda: session.execute(text("SELECT status::text FROM procrastinate_jobs WHERE id = :i"),
                                            {"i": queue_id}).scalar() == "aborted", timeout=30, interval=0.05)


def test_worker_killed_mid_job_is_retried_to_one_set_of_outputs(committed, start_worker):
    session, created = committed
    settings = config.get_settings()
    org, user_id = factories.org_with_owner(session, created, "Killed Prints")
    items = 16
    job_id = _slow_job(session, settings, org, user_id, items=items)
    doomed = start_worker("print_jobs")
    wait_for(lambda: _job(session, org.id, job_id).progress >= 10, timeout=60, interval=0.05)
    os.kill(doomed.pid, signal.SIGKILL)
    doomed.wait()
    assert _job(session, org.id, job_id).status == "processing"
    start_worker("print_jobs")

    async def requeue() -> int:
        async with maintenance.app.open_async():
            return await maintenance.requeue_stalled_jobs.func()

    # The dead worker's heartbeat goes stale after STALLED_WORKER_SECONDS (8 s in these tests).
    wait_for(lambda: asyncio.run(requeue()) == 1, timeout=60, interval=1)
    wait_for(lambda: _job(session, org.id, job_id).status in job_model.FINISHED, timeout=120)
    job = _job(session, org.id, job_id)
    assert job.status == "completed" and job.attempts == 2, (job.status, job.error)
    outputs = _outputs(session, org.id, job_id)
    assert len(outputs) == len({f.storage_key for f in outputs}) == len(job.result["outputs"])
    folder = Path(settings.local_root_path, org.shop_name, "print_files")
    on_disk = sorted(p.name for p in folder.iterdir())
    assert on_disk == sorted(f.filename for f in outputs)
