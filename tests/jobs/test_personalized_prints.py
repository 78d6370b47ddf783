"""Personalized print files and gang sheets: the text on each item's print; what cannot print stops the job."""
from __future__ import annotations

import io

import numpy as np
import pytest
from PIL import Image

import config
from jobs import retry, runner
from models import tenancy
from nas import shared
from services import print_jobs
from tests import imagegen
from tests.jobs import factories

AREA = {"x": 0.05, "y": 0.7, "width": 0.9, "height": 0.25, "max_length": 8, "size_pt": 36, "min_size_pt": 18,
        "color": "#ff0000", "font": "dejavu-sans", "align": "center", "fit": "shrink", "required": True}


def _setup(session, created, name: str, **area):
    settings = config.get_settings()
    org, user_id = factories.org_with_owner(session, created, name)
    tpl = factories.template(session, org, dpi=150, sizes=(("Adult", 4, 3),))
    with tenancy.org_scope(org.id):
        tpl.personalization = {**AREA, **area}
        session.commit()
    design = factories.design(session, settings, org, imagegen.png(400, 300, color=(255, 255, 255, 255)), "tee.png")
    return settings, org.id, user_id, tpl.id, tpl.sizes[0].id, design.id


def _job(session, org_id, user_id, job_type, params) -> int:
    with tenancy.org_scope(org_id):
        job = print_jobs.create(session, job_type=job_type, created_by=user_id, params=params)
        session.commit()
        return job.id


def test_print_files_carry_each_items_text_and_refuse_what_does_not_fit(committed):
    session, created = committed
    settings, org_id, user_id, tpl_id, size_id, design_id = _setup(session, created, "Named Prints")
    job_id = _job(session, org_id, user_id, "print_files", {"template_id": tpl_id, "items": [
        {"file_id": design_id, "size_id": size_id, "personalization": "Ava"},
        {"file_id": design_id, "size_id": size_id, "personalization": "Noah", "quantity": 2}]})
    assert runner.execute(org_id, job_id, settings=settings) == "completed"
    _, outputs = factories.job_state(session, org_id, job_id)
    assert sorted(o.filename.split("_")[3] for o in outputs) == ["Ava", "Noah"]
    for row in outputs:
        with shared.storage_for(settings).open(row.storage_key) as fh:
            pixels = np.asarray(Image.open(io.BytesIO(fh.read())).convert("RGBA"))
        assert pixels.shape == (450, 600, 4)
        red = np.nonzero(np.all(pixels == (255, 0, 0, 255), axis=-1))[0]
        assert red.size and 0.7 * 450 <= red.min() and red.max() < 0.95 * 450
    too_long = _job(session, org_id, user_id, "print_files", {"template_id": tpl_id, "items": [
        {"file_id": design_id, "size_id": size_id, "personalization": "Alexandria"}]})
    with pytest.raises(retry.Permanent, match="Preflight failed.*at most 8"):
        runner.execute(org_id, too_long, settings=settings)
    assert factories.job_state(session, org_id, too_long)[1] == []


def test_a_gang_sheet_stops_before_rendering_when_a_text_does_not_fit(committed):
    session, created = committed
    settings, org_id, user_id, tpl_id, size_id, design_id = _setup(session, created, "Named Sheets", fit="exact")
    job_id = _job(session, org_id, user_id, "gang_sheets", {"template_id": tpl_id, "labels": True, "items": [
        {"file_id": design_id, "size_id": size_id, "personalization": "Ava", "group": "R1"},
        {"file_id": design_id, "size_id": size_id, "personalization": "WWWWWWWW", "group": "R2"}]})
    with pytest.raises(retry.Permanent, match="does not fit"):
        runner.execute(org_id, job_id, settings=settings)
    job, outputs = factories.job_state(session, org_id, job_id)
    assert job.status == "failed" and "WWWWWWWW" in job.error and outputs == []
