"""print_files jobs fit the trimmed artwork to the ordered size (pixel-exact), print at the natural size when no
size is given, and refuse a design without DPI metadata at creation, saying what to give."""
from __future__ import annotations

import io

import numpy as np
import pytest
from PIL import Image

import config
from jobs import runner
from models import errors, tenancy
from nas import shared
from services import print_jobs
from tests import imagegen
from tests.jobs import factories

RED = (200, 30, 30)


def _render(session, org, user_id: int, params: dict) -> list[np.ndarray]:
    settings = config.get_settings()
    with tenancy.org_scope(org.id):
        job = print_jobs.create(session, job_type="print_files", created_by=user_id, params=params)
        session.commit()
        job_id = job.id
    assert runner.execute(org.id, job_id) == "completed"
    job, rows = factories.job_state(session, org.id, job_id)
    out = []
    for item in job.result["outputs"]:
        row = next(r for r in rows if r.id == item["file_id"])
        with shared.storage_for(settings).open(row.storage_key) as fh:
            img = Image.open(io.BytesIO(fh.read()))
            assert img.mode == "RGBA" and round(img.info["dpi"][0]) == params.get("dpi", 300)
            out.append(np.asarray(img))
    return out


def test_the_trimmed_artwork_fills_the_ordered_size_and_trim_false_fits_the_canvas(committed):
    session, created = committed
    org, user_id = factories.org_with_owner(session, created, "Trim Prints")
    # A 1000 x 800 canvas whose 600 x 400 artwork sits at (100, 200): a 3 x 2 in order at 100 DPI.
    art = factories.design(session, config.get_settings(), org, imagegen.padded(1000, 800, (100, 200, 700, 600)),
                           "padded.png")
    [trimmed] = _render(session, org, user_id, {"dpi": 100, "items": [
        {"file_id": art.id, "width_in": 3, "height_in": 2}]})
    assert trimmed.shape == (200, 300, 4)
    assert (trimmed == np.array([*RED, 255], np.uint8)).all()  # every pixel is artwork, edge to edge
    [whole] = _render(session, org, user_id, {"dpi": 100, "trim": False, "items": [
        {"file_id": art.id, "width_in": 3, "height_in": 2}]})
    # The whole canvas at a quarter scale (250 x 200), centred: its artwork is the 150 x 100 box at (50, 50).
    assert whole.shape == (200, 300, 4)
    # Resampling softens the artwork's edge by a pixel; at half opacity it lies exactly on the box.
    visible = np.argwhere(whole[..., 3] >= 128)
    assert visible.min(axis=0).tolist() == [50, 50] and visible.max(axis=0).tolist() == [149, 199]
    assert (whole[54:146, 54:196] == np.array([*RED, 255], np.uint8)).all()  # Lanczos rings 3 px in
    assert whole[0, 0, 3] == 0 and whole[199, 299, 3] == 0


def test_natural_size_and_a_design_without_dpi(committed):
    session, created = committed
    org, user_id = factories.org_with_owner(session, created, "Natural Prints")
    settings = config.get_settings()
    art = factories.design(session, settings, org, imagegen.padded(900, 700, (150, 150, 750, 550)), "n.png")
    [natural] = _render(session, org, user_id, {"dpi": 300, "items": [{"file_id": art.id}]})
    assert natural.shape == (400, 600, 4) and (natural[..., 3] == 255).all()  # 2 x 1.333 in at 300 DPI
    bare = factories.design(session, settings, org, imagegen.padded(300, 300, (0, 0, 300, 300), dpi=None), "b.png")
    with tenancy.org_scope(org.id), pytest.raises(errors.Invalid) as refused:
        print_jobs.create(session, job_type="print_files", created_by=user_id,
                          params={"items": [{"file_id": bare.id}]})
    session.rollback()
    assert "'b.png' has no DPI metadata" in refused.value.message and "give width_in and height_in" in \
        refused.value.message
