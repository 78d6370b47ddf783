"""File sweeps: interrupted uploads fail visibly; missing hybrid backups are queued once."""
from __future__ import annotations

import dataclasses
import datetime as dt

from sqlalchemy import text, update

import config
from jobs import backup, maintenance
from models import base, tenancy
from models import file as file_model
from services import backups, organizations


def _file(session, org_id: int, status: str, name: str) -> file_model.File:
    row = file_model.File(org_id=org_id, file_type="designs", status=status, storage_key=f"s/designs/{name}",
                          filename=name, mime_type="image/png", size_bytes=1)
    session.add(row)
    session.flush()
    return row


def test_sweep_fails_stale_uploads_and_requeues_backups_once(session):
    org = organizations.create(session, name="Sweep Shop")
    hybrid = dataclasses.replace(config.get_settings(), storage_backend="hybrid")
    with tenancy.org_scope(org.id):
        stuck = _file(session, org.id, "uploading", "stuck.png")
        fresh = _file(session, org.id, "uploading", "fresh.png")
        waiting = _file(session, org.id, "ready", "waiting.png")
        old = base.utcnow() - dt.timedelta(hours=2)
        session.execute(update(file_model.File).where(file_model.File.id.in_([stuck.id, waiting.id]))
                        .values(updated_at=old))
        assert backups.sweep(session, hybrid, org.id) == {"failed_uploads": 1, "requeued_backups": 1}
        assert backups.sweep(session, hybrid, org.id) == {"failed_uploads": 0, "requeued_backups": 0}
        session.refresh(stuck)
        session.refresh(fresh)
        assert stuck.status == "failed" and stuck.error and fresh.status == "uploading"
    queued = session.execute(text("SELECT args FROM procrastinate_jobs WHERE task_name = 'backup_file'")).all()
    assert [q.args for q in queued] == [{"org_id": org.id, "file_id": waiting.id}]


def test_fan_out_defers_one_job_per_active_org_once(session):
    orgs = [organizations.create(session, name=f"Fan {i}") for i in range(3)]
    orgs[2].is_active = False
    session.commit()
    assert maintenance.fan_out(backup.sweep_org_files, "sweep_files") >= 2
    assert maintenance.fan_out(backup.sweep_org_files, "sweep_files") == 0
    args = [r.args["org_id"] for r in session.execute(
        text("SELECT args FROM procrastinate_jobs WHERE task_name = 'sweep_org_files'"))]
    assert orgs[0].id in args and orgs[1].id in args and orgs[2].id not in args


def test_reconcile_repairs_rows_whose_queue_job_ended_or_vanished(session):
    from models import print_job as job_model
    from services import job_runs

    org = organizations.create(session, name="Reconcile Shop")
    with tenancy.org_scope(org.id):
        rows = {}
        for name, queue_status in (("lost", None), ("failed", "failed"), ("aborted", "aborted"), ("live", "doing")):
            queue_id = None
            if queue_status:
                queue_id = session.execute(text(
                    "INSERT INTO procrastinate_jobs (queue_name, task_name, args, status) VALUES"
                    " ('print_files', 'run_print_job', '{}', CAST(:s AS procrastinate_job_status)) RETURNING id"),
                    {"s": queue_status}).scalar()
            job = job_model.PrintJob(org_id=org.id, job_type="print_files", status="processing", params={},
                                     queue_job_id=queue_id)
            session.add(job)
            session.flush()
            rows[name] = job
        session.execute(update(job_model.PrintJob).values(updated_at=base.utcnow() - dt.timedelta(hours=1)))
        assert job_runs.reconcile(session) == {"requeued": 1, "failed": 1, "cancelled": 1}
        # What the caller's commit does: refresh() alone would reload a row the session changed but had not written
        # yet (the last one reconciled, in whatever order the rows came back).
        session.flush()
        for job in rows.values():
            session.refresh(job)
        assert rows["lost"].status == "queued" and rows["lost"].queue_job_id is not None
        assert rows["failed"].status == "failed" and rows["failed"].error
        assert rows["aborted"].status == "cancelled" and rows["live"].status == "processing"


def test_due_shops_are_synced_once_and_abandoned_connects_removed(session):
    from sqlalchemy import func, select

    from jobs import shop_sync
    from models import print_job as job_model
    from models import shop as shop_model

    org = organizations.create(session, name="Due Shops")
    session.commit()
    with tenancy.org_scope(org.id):
        due = shop_model.Shop(org_id=org.id, etsy_shop_id=1, status="connected")
        fresh = shop_model.Shop(org_id=org.id, etsy_shop_id=2, status="connected", last_synced_at=base.utcnow())
        abandoned = shop_model.Shop(org_id=org.id, status="pending")
        session.add_all([due, fresh, abandoned])
        session.flush()
        session.execute(update(shop_model.Shop).where(shop_model.Shop.id == abandoned.id)
                        .values(created_at=base.utcnow() - dt.timedelta(days=2)))
        session.commit()
    assert shop_sync.sync_due_shops.func(org.id) == 1
    assert shop_sync.sync_due_shops.func(org.id) == 0  # its sync is already queued
    with tenancy.org_scope(org.id):
        jobs = session.scalars(select(job_model.PrintJob).where(job_model.PrintJob.job_type == "orders")).all()
        assert [(j.params["shop_id"], j.params["full"]) for j in jobs] == [(due.id, True)]
        assert session.scalar(select(func.count()).select_from(shop_model.Shop)) == 2
