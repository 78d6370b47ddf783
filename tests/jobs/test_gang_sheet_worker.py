"""A gang_sheets job through a real worker: every sheet rendered to storage, re-runs replace the outputs."""
from __future__ import annotations

import io

from PIL import Image
from sqlalchemy import update

import config
from jobs import runner
from models import print_job as job_model
from models import tenancy
from nas import shared
from services import print_jobs
from tests import imagegen
from tests.jobs import factories
from tests.jobs.conftest import wait_for


def test_gang_sheet_job_renders_each_sheet_and_reruns_replace(committed, start_worker):
    session, created = committed
    settings = config.get_settings()
    org, user_id = factories.org_with_owner(session, created, "Gang Prints")
    red = factories.design(session, settings, org, imagegen.png(400, 300, dpi=100), "red.png")
    blue = factories.design(session, settings, org, imagegen.png(200, 200, color=(0, 0, 255, 255)), "blue.png")
    with tenancy.org_scope(org.id):
        job = print_jobs.create(session, job_type="gang_sheets", created_by=user_id, params={
            "sheet_width": 10, "spacing": 0.25, "max_length": 8, "dpi": 72, "min_dpi": 30, "items": [
                {"file_id": red.id, "width_in": 4, "height_in": 3, "quantity": 6},
                {"file_id": blue.id, "width_in": 2, "height_in": 2, "quantity": 5}]})
        session.commit()
        job_id = job.id
    start_worker("print_jobs")
    wait_for(lambda: factories.job_state(session, org.id, job_id)[0].status in job_model.FINISHED, timeout=90)
    job, outputs = factories.job_state(session, org.id, job_id)
    assert job.status == "completed", job.error
    sheets = job.result["sheets"]
    pick_list = [row for row in outputs if row.file_type == "exports"]
    assert [(r.mime_type, r.tags) for r in pick_list] == [("application/pdf", [f"job-{job_id}", "pick-list"])]
    outputs = [row for row in outputs if row.file_type == "gang_sheets"]
    # Each sheet and its preview.
    assert 2 * len(sheets) == len(outputs) >= 4 and job.result["sheet_count"] == len(sheets)
    assert float(job.output_length_in) == job.result["total_length_in"]
    by_id = {row.id: row for row in outputs}
    for sheet in sheets:
        row, shown = by_id[sheet["file_id"]], by_id[sheet["preview_file_id"]]
        assert row.file_type == "gang_sheets" and f"part{sheet['sheet']}-of{len(sheets)}" in row.filename
        assert shown.filename.endswith(f"_preview_job{job_id}.png") and "gang-sheet-preview" in shown.tags
        with shared.storage_for(settings).open(row.storage_key) as fh:
            img = Image.open(io.BytesIO(fh.read()))
        assert img.size == (720, round(sheet["length_in"] * 72)) and img.mode == "RGBA"
        assert round(img.info["dpi"][0]) == 72 and img.getpixel((0, img.size[1] - 1))[3] in (0, 255)
        with shared.storage_for(settings).open(shown.storage_key) as fh:
            assert max(Image.open(io.BytesIO(fh.read())).size) <= 1600
    keys = [(row.id, row.storage_key, row.sha256) for row in outputs + pick_list]
    # A re-run (as after a crash) replaces the same outputs instead of adding new ones.
    with tenancy.org_scope(org.id):
        session.execute(update(job_model.PrintJob).where(job_model.PrintJob.id == job_id).values(status="queued"))
        session.commit()
    assert runner.execute(org.id, job_id) == "completed"
    _, again = factories.job_state(session, org.id, job_id)
    assert sorted((row.id, row.storage_key, row.sha256) for row in again) == sorted(keys)
