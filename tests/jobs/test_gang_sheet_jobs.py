"""gang_sheets jobs at real size, run in this process: a sheet over 45 in at 300 DPI with trimmed artwork and its
preview, the same limits for the layout preview and the job, and nothing left behind by a failure."""
from __future__ import annotations

import dataclasses
import io
import types
from pathlib import Path

import pytest
import pyvips
from PIL import Image
from sqlalchemy import exc as sa_exc
from sqlalchemy import func, select, update

import config
from jobs import runner
from models import file as file_model
from models import print_job as job_model
from models import tenancy
from nas import shared
from prepress import raster
from services import gang_sheets, outputs, print_jobs
from tests import imagegen, pixels
from tests.jobs import factories

RED, BLUE, GREEN, GOLD = (200, 30, 30), (20, 40, 220), (20, 160, 60), (230, 190, 20)


def _job(session, org_id: int, user_id: int, params: dict) -> int:
    with tenancy.org_scope(org_id):
        job = print_jobs.create(session, job_type="gang_sheets", created_by=user_id, params=params)
        session.commit()
        return job.id


def _read(settings, row) -> bytes:
    with shared.storage_for(settings).open(row.storage_key) as fh:
        return fh.read()


def test_a_60_inch_sheet_renders_at_300_dpi_with_trimmed_artwork_and_a_preview(committed, tmp_path):
    session, created = committed
    settings = config.get_settings()
    org, user_id = factories.org_with_owner(session, created, "Long Sheets")
    # 22 x 60 in at 300 DPI, its 20 x 56 in artwork inset on a transparent canvas: printed at its natural size.
    banner = factories.design(session, settings, org, imagegen.padded(6600, 18000, (300, 600, 6300, 17400),
                                                                      color=RED, split=BLUE), "banner.png")
    badge = factories.design(session, settings, org, imagegen.padded(900, 900, (150, 100, 750, 700),
                                                                     color=GREEN, split=GOLD), "badge.png")
    job_id = _job(session, org.id, user_id, {
        "sheet_width": 22, "dpi": 300, "spacing": 0.25, "margin": 0.25, "rotation": "none", "time_budget": 0.2,
        "items": [{"file_id": banner.id}, {"file_id": badge.id, "width_in": 2, "quantity": 8, "group": "1001"}]})
    assert runner.execute(org.id, job_id) == "completed"
    job, rows = factories.job_state(session, org.id, job_id)
    assert job.status == "completed", job.error
    # Beside the sheet and its preview, the pick list of its pieces.
    assert [r.tags for r in rows if r.file_type == "exports"] == [[f"job-{job_id}", "pick-list"]]
    rows = [r for r in rows if r.file_type == "gang_sheets"]
    [sheet] = job.result["sheets"]
    assert sheet["length_in"] > 56 and job.result["designs"]["banner.png"]["crop_px"] == [300, 600, 6300, 17400]
    by_id = {row.id: row for row in rows}
    path = tmp_path / "sheet.png"
    path.write_bytes(_read(settings, by_id[sheet["file_id"]]))
    img = pyvips.Image.new_from_file(str(path))
    assert (img.width, img.height) == (6600, round(sheet["length_in"] * 300)) == (sheet["width_px"], sheet["height_px"])
    assert img.bands == 4 and img.interpretation == "srgb" and round(img.xres * 25.4) == 300
    colours = {"banner.png": (RED, BLUE), "badge.png · order 1001": (GREEN, GOLD)}
    placements = job.result["layout"]["sheets"][0]["placements"]
    assert sorted({p["key"] for p in placements}) == sorted(colours) and len(placements) == 9
    expected = {}
    for p in placements:
        expected.update(pixels.expected_points(p, 300, *colours[p["key"]]))
    gaps = pixels.gap_points(placements, 300, 6600)
    found = pixels.sample(path, [*expected, *gaps])
    assert {pt: found[pt] for pt in expected} == expected
    assert [found[pt][3] for pt in gaps] == [0] * len(gaps) and len(gaps) >= 2
    shown = by_id[sheet["preview_file_id"]]
    with Image.open(io.BytesIO(_read(settings, shown))) as preview:
        assert max(preview.size) <= 1600 and preview.format == "PNG"
    assert {row.id for row in rows} == {sheet["file_id"], sheet["preview_file_id"]}


def test_layout_and_job_refuse_the_same_design_over_the_pixel_limit(committed):
    session, created = committed
    settings = config.get_settings()
    small = dataclasses.replace(settings, max_image_pixels=1_000_000)
    org, user_id = factories.org_with_owner(session, created, "Limits Agree")
    org_id = org.id
    big = factories.design(session, settings, org, imagegen.padded(2000, 1500, (0, 0, 2000, 1500)), "poster.png")
    params = {"sheet_width": 22, "dpi": 300, "time_budget": 0.1, "items": [{"file_id": big.id, "width_in": 6}]}
    job_id = _job(session, org.id, user_id, params)
    with tenancy.org_scope(org.id):
        layout = gang_sheets.preview(session, small, org.id, gang_sheets.ParamsSchema().load(params))
    session.rollback()
    refusal = "Image is 2,000 x 1,500 px (3 MP), over the 1 MP limit"
    [finding] = layout["preflight"]
    assert (finding["code"], finding["key"], finding["file_id"]) == ("design_too_large", "poster.png", big.id)
    assert refusal in finding["message"]
    with pytest.raises(Exception, match="Preflight failed"):
        runner.execute(org.id, job_id, settings=small)
    job, rows = factories.job_state(session, org_id, job_id)
    assert job.status == "failed" and refusal in job.error and "poster.png" in job.error and rows == []


def _two_sheet_job(session, settings, org, user_id) -> int:
    art = factories.design(session, settings, org, imagegen.padded(600, 600, (0, 0, 600, 600)), "tile.png")
    return _job(session, org.id, user_id, {"sheet_width": 10, "dpi": 100, "max_length": 8, "time_budget": 0.1,
                                           "items": [{"file_id": art.id, "width_in": 3, "quantity": 12}]})


def _stored(settings, org) -> list[str]:
    folder = Path(settings.local_root_path, org.shop_name, "gang_sheets")
    return sorted(p.name for p in folder.iterdir()) if folder.exists() else []


def test_a_job_failing_on_its_second_sheet_leaves_no_outputs(committed, monkeypatch):
    session, created = committed
    settings = config.get_settings()
    org, user_id = factories.org_with_owner(session, created, "Half Written")
    job_id = _two_sheet_job(session, settings, org, user_id)
    real, calls = raster.render_sheet, []

    def second_fails(*args, **kwargs):
        calls.append(1)
        if len(calls) == 2:
            raise raster.RenderError("the disk filled up")
        return real(*args, **kwargs)

    monkeypatch.setattr(raster, "render_sheet", second_fails)
    with pytest.raises(raster.RenderError):
        runner.execute(org.id, job_id)
    job, rows = factories.job_state(session, org.id, job_id)
    assert job.status == "failed" and "the disk filled up" in job.error
    assert len(calls) == 2 and rows == [] and _stored(settings, org) == []


def test_an_output_whose_row_cannot_be_written_leaves_no_object(committed, tmp_path):
    session, created = committed
    settings = config.get_settings()
    org, user_id = factories.org_with_owner(session, created, "No Strays")
    job_id = _two_sheet_job(session, settings, org, user_id)
    out = tmp_path / "out.png"
    out.write_bytes(imagegen.png(300, 200, dpi=100))

    class LostConnection:
        """The job's session, whose connection drops when the output's row is written."""

        def __getattr__(self, name):
            return getattr(session, name)

        def flush(self):
            raise sa_exc.OperationalError("INSERT", {}, Exception("connection lost"))

    with tenancy.org_scope(org.id):
        job = session.get(job_model.PrintJob, job_id)
        run = types.SimpleNamespace(org_id=org.id, settings=settings, session=LostConnection())
        with pytest.raises(sa_exc.OperationalError):
            outputs.store(run, job, str(out), file_type="gang_sheets", filename="sheet_job1.png")
        assert session.scalar(select(func.count()).select_from(file_model.File)
                              .where(file_model.File.file_type == "gang_sheets")) == 0
    assert _stored(settings, org) == []


def test_a_rerun_that_fails_early_removes_what_an_interrupted_attempt_stored(committed):
    session, created = committed
    settings = config.get_settings()
    org, user_id = factories.org_with_owner(session, created, "Interrupted")
    org_id = org.id
    job_id = _two_sheet_job(session, settings, org, user_id)
    assert runner.execute(org_id, job_id) == "completed"
    assert len(factories.job_state(session, org_id, job_id)[1]) == 5 and len(_stored(settings, org)) == 4
    # As if the worker had died after storing them: the job runs again, and its design is gone by then.
    with tenancy.org_scope(org_id):
        session.execute(update(job_model.PrintJob).where(job_model.PrintJob.id == job_id).values(status="queued"))
        session.execute(update(file_model.File).where(file_model.File.file_type == "designs")
                        .values(status="archived"))
        session.commit()
    with pytest.raises(Exception, match="Unknown files"):
        runner.execute(org_id, job_id)
    job, rows = factories.job_state(session, org_id, job_id)
    assert job.status == "failed" and rows == [] and _stored(settings, org) == []
