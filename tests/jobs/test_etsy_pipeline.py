"""Orders from the Etsy double to gang sheets: sync, matching, hold window, production exactly once, cancellations."""
from __future__ import annotations

import pytest
from sqlalchemy import func, select, update

import config
from jobs import context, retry, runner
from models import order as order_model
from models import print_job as job_model
from models import shop as shop_model
from models import tenancy
from services import print_jobs, shop_tokens
from tests import etsy_flow, imagegen
from tests.jobs import factories


def _connected_shop(session, org, double, seller, settings, **fields) -> shop_model.Shop:
    with tenancy.org_scope(org.id):
        shop = shop_model.Shop(org_id=org.id, etsy_shop_id=seller["shop_id"], etsy_user_id=seller["user_id"],
                               name=seller["shop_name"], status="connected", **fields)
        shop_tokens.store(shop, double.issue_token(seller["user_id"]), settings)
        session.add(shop)
        session.commit()
    return shop


def _sync(session, org_id: int, shop_id: int, settings, **params) -> job_model.PrintJob:
    with tenancy.org_scope(org_id):
        job = print_jobs.create(session, job_type="orders", created_by=None, params={"shop_id": shop_id, **params})
        session.commit()
        job_id = job.id
    assert runner.execute(org_id, job_id, settings=settings) == "completed"
    session.rollback()
    with tenancy.org_scope(org_id):
        return session.get(job_model.PrintJob, job_id, populate_existing=True)


def _count(session, org_id: int, model, *where) -> int:
    with tenancy.org_scope(org_id):
        return session.scalar(select(func.count()).select_from(model).where(*where))


def test_orders_flow_into_one_gang_sheet_and_nothing_twice(committed, double):
    session, created = committed
    settings = etsy_flow.settings_for(config.get_settings(), double)
    org, _ = factories.org_with_owner(session, created, "Pipeline Prints")
    seller = double.add_seller(shop_name="PipelineShop")
    tee = double.store.add_listing(seller["shop_id"], title="Cat tee", sku="TEE-CAT")
    mug = double.store.add_listing(seller["shop_id"], title="Dog mug", sku="MUG-DOG")
    tpl = factories.template(session, org, dpi=100, sizes=(("Adult", 4, 4),))
    cat = factories.design(session, settings, org, imagegen.png(400, 400), "TEE-CAT.png")
    shop = _connected_shop(session, org, double, seller, settings, hold_hours=0, default_template_id=tpl.id)
    first = double.store.add_receipt(seller["shop_id"], items=[{"listing_id": tee["listing_id"], "quantity": 2}])
    double.store.add_receipt(seller["shop_id"], items=[{"listing_id": mug["listing_id"]}])

    job = _sync(session, org.id, shop.id, settings, full=True)
    assert job.result["receipts"] == 2 and job.result["listings"] == 2 and job.result["matched"] == 1
    assert _count(session, org.id, order_model.Order) == 2
    with tenancy.org_scope(org.id):
        items = session.scalars(select(order_model.OrderItem).order_by(order_model.OrderItem.id)).all()
    assert [(i.match_status, i.matched_by, i.design_file_id) for i in items] == [
        ("matched", "sku", cat.id), ("unmatched", None, None)]
    gang_id = items[0].print_job_id
    assert gang_id is not None and job.result["production"]["jobs"] == [gang_id]

    # The gang sheet renders the right design at the template size, two copies, grouped by receipt.
    assert runner.execute(org.id, gang_id, settings=settings) == "completed"
    with tenancy.org_scope(org.id):
        gang = session.get(job_model.PrintJob, gang_id, populate_existing=True)
    assert gang.params["items"] == [{"file_id": cat.id, "size_id": tpl.sizes[0].id, "quantity": 2,
                                     "group": f"R{first['receipt_id']}"}]
    assert gang.status == "completed" and gang.result["sheet_count"] == 1

    # A second sync changes nothing; producing again creates nothing.
    calls_before = len(double.log.entries)
    again = _sync(session, org.id, shop.id, settings)
    assert again.result["production"]["jobs"] == [] and _count(session, org.id, order_model.OrderItem) == 2
    assert _count(session, org.id, job_model.PrintJob, job_model.PrintJob.job_type == "gang_sheets") == 1
    receipts_calls = [e for e in double.log.entries[calls_before:] if e.path.endswith("/receipts")]
    assert len(receipts_calls) == 1 and receipts_calls[0].params.get("min_last_modified")


def test_hold_window_and_cancellation_pull(committed, double):
    session, created = committed
    settings = etsy_flow.settings_for(config.get_settings(), double)
    org, _ = factories.org_with_owner(session, created, "Hold Prints")
    seller = double.add_seller(shop_name="HoldShop")
    tee = double.store.add_listing(seller["shop_id"], title="Sun tee", sku="SUN")
    tpl = factories.template(session, org, dpi=100, sizes=(("Adult", 4, 4),))
    factories.design(session, settings, org, imagegen.png(400, 400), "SUN.png")
    shop = _connected_shop(session, org, double, seller, settings, hold_hours=48, default_template_id=tpl.id)
    keep = double.store.add_receipt(seller["shop_id"], items=[{"listing_id": tee["listing_id"]}])
    drop = double.store.add_receipt(seller["shop_id"], items=[{"listing_id": tee["listing_id"]}])

    job = _sync(session, org.id, shop.id, settings, full=True)
    assert job.result["production"]["jobs"] == []  # still inside the 48 h hold window
    with tenancy.org_scope(org.id):
        session.execute(update(shop_model.Shop).values(hold_hours=0))
        session.commit()
    job = _sync(session, org.id, shop.id, settings)
    [gang_id] = job.result["production"]["jobs"]
    assert _count(session, org.id, order_model.OrderItem, order_model.OrderItem.print_job_id == gang_id) == 2

    # The buyer cancels before the sheet is rendered: the job is cancelled and the other order re-produced.
    double.store.cancel_receipt(seller["shop_id"], drop["receipt_id"])
    job = _sync(session, org.id, shop.id, settings)
    assert job.result["canceled"] == 1 and job.result["pulled_jobs"] == 1
    with tenancy.org_scope(org.id):
        old = session.get(job_model.PrintJob, gang_id, populate_existing=True)
        items = {i.order_id: i for i in session.scalars(select(order_model.OrderItem))}
        orders = {o.etsy_receipt_id: o for o in session.scalars(select(order_model.Order))}
    assert old.status == "cancelled"
    [new_gang] = job.result["production"]["jobs"]
    assert items[orders[keep["receipt_id"]].id].print_job_id == new_gang
    assert items[orders[drop["receipt_id"]].id].print_job_id is None and orders[drop["receipt_id"]].is_canceled


def test_revoked_refresh_token_stops_only_that_shop(committed, double):
    session, created = committed
    settings = etsy_flow.settings_for(config.get_settings(), double)
    org, _ = factories.org_with_owner(session, created, "Revoked Prints")
    seller = double.add_seller(shop_name="RevokedShop")
    shop = _connected_shop(session, org, double, seller, settings)
    with tenancy.org_scope(org.id):
        session.execute(update(shop_model.Shop).values(token_expires_at=shop.created_at))
        session.commit()
    double.oauth.revoke_refresh()
    with tenancy.org_scope(org.id):
        job = print_jobs.create(session, job_type="orders", created_by=None, params={"shop_id": shop.id})
        session.commit()
        job_id = job.id
    with pytest.raises(retry.Permanent):
        runner.execute(org.id, job_id, settings=settings)
    session.rollback()
    with tenancy.org_scope(org.id):
        failed = session.get(job_model.PrintJob, job_id, populate_existing=True)
        row = session.get(shop_model.Shop, shop.id, populate_existing=True)
    assert failed.status == "failed" and "refused" in failed.error
    assert row.status == "needs_reauth" and row.sync_error


def test_malformed_receipts_are_skipped_and_logged(session):
    from models import event
    from services import organizations, shop_sync

    org = organizations.create(session, name="Malformed Prints")
    with tenancy.org_scope(org.id):
        shop = shop_model.Shop(org_id=org.id, etsy_shop_id=1, status="connected")
        session.add(shop)
        session.flush()

        class Client:
            def iter_receipts(self, shop_id, min_last_modified=None):
                yield {"receipt_id": 1, "status": "paid", "is_paid": True, "transactions": [
                    {"transaction_id": 11, "listing_id": 5, "quantity": 1}]}
                yield {"status": "paid", "transactions": []}  # no receipt_id
                yield {"receipt_id": 3, "transactions": [{"listing_id": 5}]}  # transaction without an id
                yield {"receipt_id": 4, "status": "paid", "transactions": []}

        ctx = context.JobContext(org_id=org.id, settings=config.get_settings(), session=session)
        stats = {"listings": 0, "receipts": 0, "malformed": 0, "matched": 0, "canceled": 0, "pulled_jobs": 0}
        shop_sync._receipts(ctx, shop, Client(), stats, full=True)
        assert stats["receipts"] == 2 and stats["malformed"] == 2
        skipped = session.scalars(select(event.Event).where(event.Event.event_type == "shop.malformed_payload"))
        assert len(skipped.all()) == 2
        assert sorted(session.scalars(select(order_model.Order.etsy_receipt_id))) == [1, 4]
