"""Runner and production edge cases: shutdown requeues, cancel beats retry, lost workers are capped,
one bad production group does not block the rest."""
from __future__ import annotations

import asyncio
import types

import pytest
from procrastinate import exceptions as pq_exceptions
from procrastinate import job_context
from sqlalchemy import select, text

import config
from jobs import maintenance, retry, runner
from models import base, tenancy
from models import order as order_model
from models import print_job as job_model
from models import shop as shop_model
from models import template as template_model
from services import organizations, print_jobs, production
from tests import imagegen
from tests.jobs import factories


def _fake_jctx(reason, attempts: int = 0):
    return types.SimpleNamespace(job=types.SimpleNamespace(attempts=attempts), should_abort=lambda: reason is not None,
                                 abort_reason=lambda: reason)


def _designs_job(committed) -> tuple[int, int]:
    session, created = committed
    settings = config.get_settings()
    org, user_id = factories.org_with_owner(session, created, "Edge Prints")
    art = factories.design(session, settings, org, imagegen.png(50, 50), "edge.png")
    with tenancy.org_scope(org.id):
        job = print_jobs.create(session, job_type="designs", created_by=user_id, params={"file_ids": [art.id]})
        session.commit()
        return org.id, job.id


def test_worker_shutdown_requeues_instead_of_cancelling(committed):
    session, _ = committed
    org_id, job_id = _designs_job(committed)
    with pytest.raises(retry.WorkerShutdown):
        runner.execute(org_id, job_id, _fake_jctx(job_context.AbortReason.SHUTDOWN))
    job, _ = factories.job_state(session, org_id, job_id)
    assert job.status == "queued" and "worker stopped" in job.progress_message
    assert retry.TRANSIENT.get_retry_decision(exception=retry.WorkerShutdown("x"), job=_fake_jctx(None).job)


def test_user_cancel_is_recorded_as_cancelled(committed):
    session, _ = committed
    org_id, job_id = _designs_job(committed)
    with pytest.raises(pq_exceptions.JobAborted):
        runner.execute(org_id, job_id, _fake_jctx(job_context.AbortReason.USER_REQUEST))
    job, _ = factories.job_state(session, org_id, job_id)
    assert job.status == "cancelled"


def test_a_job_that_keeps_losing_its_worker_is_failed(committed):
    session, _ = committed
    org_id, job_id = _designs_job(committed)
    worker = session.execute(text("INSERT INTO procrastinate_workers (last_heartbeat) VALUES"
                                  " (now() - interval '1 hour') RETURNING id")).scalar()
    with tenancy.org_scope(org_id):
        queue_id = session.get(job_model.PrintJob, job_id).queue_job_id
    session.execute(text("UPDATE procrastinate_jobs SET status = 'doing', worker_id = :w, attempts = :a WHERE id = :i"),
                    {"w": worker, "a": retry.TRANSIENT.max_attempts, "i": queue_id})
    session.commit()

    async def requeue() -> int:
        async with maintenance.app.open_async():
            return await maintenance.requeue_stalled_jobs.func()

    assert asyncio.run(requeue()) == 0
    assert session.execute(text("SELECT status::text FROM procrastinate_jobs WHERE id = :i"),
                           {"i": queue_id}).scalar() == "failed"
    job, _ = factories.job_state(session, org_id, job_id)
    assert job.status == "failed" and "died" in job.error


def test_one_group_that_cannot_be_imposed_does_not_block_the_others(session):
    org = organizations.create(session, name="Groups")
    with tenancy.org_scope(org.id):
        good = template_model.Template(org_id=org.id, name="Good", canvas_width_in=22, canvas_height_in=30, dpi=100)
        good.sizes = [template_model.TemplateSize(org_id=org.id, name="A", width_in=4, height_in=4)]
        huge = template_model.Template(org_id=org.id, name="Huge", canvas_width_in=22, canvas_height_in=40, dpi=100,
                                       allow_stretch=True)
        huge.sizes = [template_model.TemplateSize(org_id=org.id, name="XL", width_in=30, height_in=30)]
        shop = shop_model.Shop(org_id=org.id, etsy_shop_id=5, status="connected", hold_hours=0)
        session.add_all([good, huge, shop])
        session.flush()
        design = factories.design_row(session, org.id, 400, 400)
        for n, tpl in enumerate((good, huge)):
            order = order_model.Order(org_id=org.id, shop_id=shop.id, etsy_receipt_id=n, is_paid=True,
                                      paid_at=base.utcnow())
            session.add(order)
            session.flush()
            session.add(order_model.OrderItem(org_id=org.id, order_id=order.id, etsy_transaction_id=100 + n,
                                              match_status="matched", design_file_id=design.id,
                                              template_id=tpl.id, size_id=tpl.sizes[0].id))
        session.flush()
        result = production.produce(session)
        assert len(result["jobs"]) == 1 and result["items"] == 1
        assert [s["reason"] for s in result["skipped"]] == [result["skipped"][0]["reason"]]
        assert f"item '{design.filename} · order R1'" in result["skipped"][0]["reason"]
        items = session.scalars(select(order_model.OrderItem).order_by(order_model.OrderItem.id)).all()
        assert items[0].print_job_id == result["jobs"][0] and items[1].print_job_id is None
