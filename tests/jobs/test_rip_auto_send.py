"""A printer that sends automatically: the gang sheet job's completion queues its sheets (same transaction), and the
delivery task puts them in the hot folder, mirrored TIFF as the printer asks."""
from __future__ import annotations

import uuid
from pathlib import Path

from PIL import Image
from sqlalchemy import text

import config
from jobs import rip as rip_jobs
from jobs import runner
from models import printer as printer_model
from models import tenancy
from services import print_jobs, rip_printed
from tests import imagegen
from tests.jobs import factories
from tests.jobs.rip_helpers import sends, visible


def test_completed_job_is_sent_automatically_and_detected_printed(committed):
    session, created = committed
    settings = config.get_settings()
    org, user_id = factories.org_with_owner(session, created, "Auto Send")
    folder = f"RIP/{uuid.uuid4().hex[:8]}/hot"
    hot = Path(settings.local_root_path) / folder
    hot.mkdir(parents=True)
    badge = factories.design(session, settings, org, imagegen.padded(600, 600, (100, 100, 500, 500)), "badge.png")
    with tenancy.org_scope(org.id):
        printer = printer_model.Printer(org_id=org.id, name="Sub", printer_type="sublimation", max_width_in=8,
                                        max_height_in=3, dpi=300, hot_folder=folder, output_format="tiff",
                                        mirror=True, auto_send=True)
        session.add(printer)
        session.commit()
        job = print_jobs.create(session, job_type="gang_sheets", created_by=user_id, params={
            "printer_id": printer.id, "dpi": 300, "spacing": 0.25, "margin": 0.1, "rotation": "none",
            "time_budget": 0.1, "items": [{"file_id": badge.id, "width_in": 2, "quantity": 6}]})
        session.commit()
        job_id, printer_id = job.id, printer.id
    assert runner.execute(org.id, job_id) == "completed"
    session.rollback()
    with tenancy.org_scope(org.id):
        rows = sends(session, job_id)
        assert len(rows) >= 2 and [r.sheet for r in rows] == list(range(1, len(rows) + 1))
        assert {r.status for r in rows} == {"queued"}
        queued = session.execute(text("SELECT count(*) FROM procrastinate_jobs WHERE task_name = :t AND "
                                      "status = 'todo' AND lock = :lock"),
                                 {"t": "deliver_to_printer", "lock": f"printer:{printer_id}"}).scalar()
        assert queued == 1
    assert rip_jobs.deliver_to_printer(org_id=org.id, printer_id=printer_id) == {"sent": len(rows), "skipped": 0}
    session.rollback()
    with tenancy.org_scope(org.id):
        rows = sends(session, job_id)
        assert [r.status for r in rows] == ["sent"] * len(rows) and visible(hot) == sorted(r.filename for r in rows)
        with Image.open(hot / rows[0].filename) as out:
            assert out.format == "TIFF" and out.mode == "RGBA" and out.size[0] == 8 * 300
        for row in rows:
            (hot / row.filename).unlink()
    assert rip_jobs.check_printed(org_id=org.id)["printed"] == len(rows)
    session.rollback()
    with tenancy.org_scope(org.id):
        assert {r.status for r in sends(session, job_id)} == {"printed"}
        assert rip_printed.check(session, settings)["printed"] == 0
