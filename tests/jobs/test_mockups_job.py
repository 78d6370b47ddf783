"""mockups jobs: designs x templates rendered through a real print worker, re-runs replacing the outputs, and
parameters checked when the job is created."""
from __future__ import annotations

import io

import pytest
from PIL import Image
from sqlalchemy import select, update

import config
from jobs import context, mockups, runner
from models import errors, tenancy
from models import file as file_model
from models import mockup_template as mockup_model
from models import print_job as job_model
from nas import shared
from services import organizations, print_jobs
from tests import helpers, imagegen
from tests.jobs import factories
from tests.jobs.conftest import wait_for
from tests.web import test_files

RECT = [[200, 150], [600, 150], [600, 450], [200, 450]]


def photo_png(width: int = 800, height: int = 600) -> bytes:
    buf = io.BytesIO()
    Image.new("RGB", (width, height), (200, 200, 200)).save(buf, "PNG")
    return buf.getvalue()


def mockup_template(session, org_id: int, base_id: int, name: str, **output) -> mockup_model.MockupTemplate:
    """A committed mockup template (areas already in the stored, validated vocabulary)."""
    with tenancy.org_scope(org_id):
        row = mockup_model.MockupTemplate(org_id=org_id, name=name, base_file_id=base_id, watermark=None,
                                          areas=[{"shape": "quad", "points": RECT, "fit": "contain",
                                                  "align": "center", "blend": "multiply", "opacity": 1.0,
                                                  "displacement": 0.0}],
                                          output={"format": "JPEG", "long_side": 400, "quality": 85, **output})
        session.add(row)
        session.commit()
    return row


def _pixels(settings, key: str) -> bytes:
    # Pixels, not file bytes: the embedded sRGB profile carries its process's creation time.
    with shared.storage_for(settings).open(key) as fh:
        return Image.open(io.BytesIO(fh.read())).convert("RGB").tobytes()


def test_mockups_job_renders_designs_x_templates_and_reruns_replace(committed, start_worker):
    session, created = committed
    settings = config.get_settings()
    org, user_id = factories.org_with_owner(session, created, "Mockup Prints")
    base = factories.design(session, settings, org, photo_png(), "tee-photo.png")
    red = factories.design(session, settings, org, imagegen.png(120, 120, color=(220, 30, 30, 255)), "Red Cat.png")
    blue = factories.design(session, settings, org, imagegen.png(90, 60, color=(20, 40, 220, 255)), "blue.png")
    front = mockup_template(session, org.id, base.id, "Tee Front")
    mug = mockup_template(session, org.id, base.id, "Mug", format="PNG", long_side=300)
    with tenancy.org_scope(org.id):
        job = print_jobs.create(session, job_type="mockups", created_by=user_id, params={
            "design_file_ids": [red.id, blue.id], "mockup_template_ids": [front.id, mug.id]})
        session.commit()
        job_id = job.id
        assert job.queue_job_id is not None
    start_worker("print_jobs")
    wait_for(lambda: factories.job_state(session, org.id, job_id)[0].status in job_model.FINISHED, timeout=90)
    job, outputs = factories.job_state(session, org.id, job_id)
    assert job.status == "completed", job.error
    assert job.progress == 100 and job.result["count"] == 4
    combos = [(m["design_id"], m["mockup_template_id"]) for m in job.result["mockups"]]
    assert combos == [(red.id, front.id), (red.id, mug.id), (blue.id, front.id), (blue.id, mug.id)]
    by_id = {row.id: row for row in outputs}
    assert sorted(by_id) == sorted(m["file_id"] for m in job.result["mockups"])
    expected = {(red.id, front.id): (f"red-cat__tee-front_400px_job{job_id}.jpg", "JPEG", (400, 300)),
                (red.id, mug.id): (f"red-cat__mug_300px_job{job_id}.png", "PNG", (300, 225)),
                (blue.id, front.id): (f"blue__tee-front_400px_job{job_id}.jpg", "JPEG", (400, 300)),
                (blue.id, mug.id): (f"blue__mug_300px_job{job_id}.png", "PNG", (300, 225))}
    for made in job.result["mockups"]:
        name, fmt, size = expected[made["design_id"], made["mockup_template_id"]]
        row = by_id[made["file_id"]]
        assert row.file_type == "mockups" and row.filename == name and row.status == "ready"
        assert row.storage_key == f"{org.shop_name}/mockups/{name}" and f"job-{job_id}" in row.tags
        with shared.storage_for(settings).open(row.storage_key) as fh:
            img = Image.open(io.BytesIO(fh.read()))
            img.load()
        assert img.format == fmt and img.size == size == (row.width_px, row.height_px)
        centre = img.convert("RGB").getpixel((size[0] // 2, size[1] // 2))
        assert (centre[0] > 150 > centre[2]) if made["design_id"] == red.id else (centre[2] > 150 > centre[0])
    keys = [(row.id, row.storage_key, _pixels(settings, row.storage_key)) for row in outputs]
    # A re-run (as after a crash) replaces the same outputs instead of adding new ones.
    with tenancy.org_scope(org.id):
        session.execute(update(job_model.PrintJob).where(job_model.PrintJob.id == job_id).values(status="queued"))
        session.commit()
    assert runner.execute(org.id, job_id) == "completed"
    _, again = factories.job_state(session, org.id, job_id)
    assert [(row.id, row.storage_key, _pixels(settings, row.storage_key)) for row in again] == keys


def test_run_reports_progress_and_names_colliding_slugs_apart(session, settings):
    org = organizations.create(session, name="Slug Shop")
    progress: list[tuple[int, str]] = []
    with tenancy.org_scope(org.id):
        base = factories.design(session, settings, org, photo_png(), "photo.png")
        one = factories.design(session, settings, org, imagegen.png(50, 50), "cat.png")
        two = factories.design(session, settings, org, imagegen.png(60, 40), "Cat.PNG")
        tpl = mockup_template(session, org.id, base.id, "Tee")
        job = print_jobs.create(session, job_type="mockups", created_by=None, params={
            "design_file_ids": [one.id, two.id, one.id], "mockup_template_ids": [tpl.id], "format": "WEBP",
            "long_side": 200})
        assert job.params == {"design_file_ids": [one.id, two.id], "mockup_template_ids": [tpl.id],
                              "long_side": 200, "format": "WEBP"}
        ctx = context.JobContext(org_id=org.id, settings=settings, session=session, job_id=job.id,
                                 on_progress=lambda _ctx, pct, msg: progress.append((pct, msg)))
        result = mockups.run(ctx, job)
        rows = session.scalars(select(file_model.File).where(file_model.File.print_job_id == job.id)
                               .order_by(file_model.File.id)).all()
    assert [r.filename for r in rows] == [f"cat__tee_200px_job{job.id}.webp", f"cat__tee_200px-2_job{job.id}.webp"]
    assert [r.mime_type for r in rows] == ["image/webp"] * 2 and result["count"] == 2
    assert [p for p, _ in progress] == [0, 50, 100] and "cat.png on Tee" in progress[0][1]


def test_cancel_stops_at_the_next_combination(session, settings):
    org = organizations.create(session, name="Cancel Shop")
    with tenancy.org_scope(org.id):
        base = factories.design(session, settings, org, photo_png(), "photo.png")
        designs = [factories.design(session, settings, org, imagegen.png(20 + i, 20), f"d{i}.png") for i in range(3)]
        tpl = mockup_template(session, org.id, base.id, "Tee")
        job = print_jobs.create(session, job_type="mockups", created_by=None, params={
            "design_file_ids": [d.id for d in designs], "mockup_template_ids": [tpl.id]})
        calls = []
        ctx = context.JobContext(org_id=org.id, settings=settings, session=session, job_id=job.id,
                                 should_abort=lambda: calls.append(1) or len(calls) > 1)
        with pytest.raises(context.JobAborted):
            mockups.run(ctx, job)
        made = session.scalars(select(file_model.File).where(file_model.File.print_job_id == job.id)).all()
    assert len(made) == 1


def test_params_are_checked_at_creation(client):
    owner, other = helpers.register(client), helpers.register(client)
    design = test_files.upload(client, owner, imagegen.png(), name="d.png").get_json()["file"]
    svg = test_files.upload(client, owner, b'<svg xmlns="http://www.w3.org/2000/svg" width="4" height="4"/>',
                            name="v.svg").get_json()["file"]
    foreign = test_files.upload(client, other, imagegen.png(30, 30), name="f.png").get_json()["file"]
    photo = test_files.upload(client, owner, photo_png(), name="p.png", file_type="templates").get_json()["file"]
    tpl = client.post(f"/api/organizations/{owner['org_id']}/mockup-templates/", headers=owner["headers"],
                      json={"name": "Tee", "base_file_id": photo["id"], "areas": [{"points": RECT}]}).get_json()
    theirs_photo = test_files.upload(client, other, photo_png(), name="p.png").get_json()["file"]
    theirs = client.post(f"/api/organizations/{other['org_id']}/mockup-templates/", headers=other["headers"],
                         json={"name": "Tee", "base_file_id": theirs_photo["id"],
                               "areas": [{"points": RECT}]}).get_json()

    def create(params):
        return client.post(f"/api/organizations/{owner['org_id']}/print-jobs/", headers=owner["headers"],
                           json={"job_type": "mockups", "params": params})

    err = helpers.assert_error(create({"design_file_ids": [design["id"], foreign["id"]],
                                       "mockup_template_ids": [tpl["id"]]}), 422)
    assert err["errors"] == {"params.design_file_ids": [f"Unknown file {foreign['id']}"]}
    err = helpers.assert_error(create({"design_file_ids": [design["id"]],
                                       "mockup_template_ids": [tpl["id"], theirs["id"], 999_999_999]}), 422)
    assert err["errors"] == {"params.mockup_template_ids": [f"Unknown mockup template {theirs['id']}",
                                                            "Unknown mockup template 999999999"]}
    err = helpers.assert_error(create({"design_file_ids": [svg["id"]], "mockup_template_ids": [tpl["id"]]}), 422)
    assert str(svg["id"]) in err["message"] and "params.design_file_ids" in err["errors"]
    err = helpers.assert_error(create({"design_file_ids": list(range(1, 101)),
                                       "mockup_template_ids": list(range(1, 7))}), 422)
    assert "at most 500" in str(err["errors"])
    for bad in ({"design_file_ids": [design["id"]]}, {"design_file_ids": [design["id"]],
                                                     "mockup_template_ids": [tpl["id"]], "long_side": 100},
                {"design_file_ids": [design["id"]], "mockup_template_ids": [tpl["id"]], "format": "GIF"},
                {"design_file_ids": [design["id"]], "mockup_template_ids": [tpl["id"]], "etsy_listing_id": 1}):
        helpers.assert_error(create(bad), 422)
    ok = create({"design_file_ids": [design["id"]], "mockup_template_ids": [tpl["id"]]})
    assert ok.status_code == 201 and ok.get_json()["job_type"] == "mockups"


def test_unknown_template_at_run_time_is_a_clear_failure(session, settings):
    org = organizations.create(session, name="Gone Shop")
    with tenancy.org_scope(org.id):
        base = factories.design(session, settings, org, photo_png(), "photo.png")
        design = factories.design(session, settings, org, imagegen.png(), "d.png")
        tpl = mockup_template(session, org.id, base.id, "Tee")
        job = print_jobs.create(session, job_type="mockups", created_by=None, params={
            "design_file_ids": [design.id], "mockup_template_ids": [tpl.id]})
        session.delete(tpl)
        session.flush()
        ctx = context.JobContext(org_id=org.id, settings=settings, session=session, job_id=job.id)
        with pytest.raises(errors.Invalid, match=f"Unknown mockup templates: {tpl.id}"):
            mockups.run(ctx, job)
