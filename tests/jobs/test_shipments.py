"""Orders shipped with tracking on the Etsy double: sent once, recorded, retried without sending twice."""
from __future__ import annotations

import pytest
from sqlalchemy import select, update

from jobs import retry, runner
from models import errors, tenancy
from models import order as order_model
from models import print_job as job_model
from models import shipment as shipment_model
from models import shop as shop_model
from services import order_sync, shipments, shop_tokens
from tests.jobs import etsy_setup


def _orders(session, setup, double, count: int = 2) -> list[tuple[int, int]]:
    """(order id, receipt id) of `count` paid receipts synced from the double."""
    out = []
    with tenancy.org_scope(setup.org_id):
        shop = session.get(shop_model.Shop, setup.shop_id)
        for _ in range(count):
            receipt = double.store.add_receipt(setup.seller["shop_id"])
            order_id, _ = order_sync.upsert_receipt(session, shop, receipt)
            out.append((order_id, receipt["receipt_id"]))
        session.commit()
    return out


def _ship(session, setup, order_id: int, **data) -> int:
    with tenancy.org_scope(setup.org_id):
        made = shipments.ship_order(session, order_id, {"carrier_name": "usps", "tracking_code": "9400111",
                                                        "send_bcc": False, **data}, setup.user_id)
        session.commit()
        return made["print_job_id"]


def _state(session, setup, order_id: int) -> tuple[order_model.Order, shipment_model.Shipment]:
    session.rollback()
    with tenancy.org_scope(setup.org_id):
        order = session.get(order_model.Order, order_id, populate_existing=True)
        row = session.scalars(select(shipment_model.Shipment).where(shipment_model.Shipment.order_id == order_id)
                              .order_by(shipment_model.Shipment.id.desc())).first()
        if row is not None:
            session.refresh(row)
        return order, row


def test_an_order_is_shipped_once_and_follows_etsy(committed, double):
    session, created = committed
    setup = etsy_setup.build(session, created, double, name="Ship Prints")
    [(order_id, receipt_id)] = _orders(session, setup, double, 1)
    job_id = _ship(session, setup, order_id)
    double.log.clear()
    assert runner.execute(setup.org_id, job_id, settings=setup.settings) == "completed"
    assert [e.operation for e in double.log.calls()] == ["createReceiptShipment"]
    receipt = double.store.receipts[setup.seller["shop_id"]][receipt_id]
    assert [(s["carrier_name"], s["tracking_code"]) for s in receipt["shipments"]] == [("usps", "9400111")]
    order, row = _state(session, setup, order_id)
    assert order.is_shipped and order.status == "completed"
    assert row.status == "sent" and row.etsy_receipt_shipping_id == receipt["shipments"][0]["receipt_shipping_id"]
    double.log.clear()
    assert etsy_setup.rerun(session, setup, job_id) == "completed"
    assert double.log.calls() == []
    with pytest.raises(errors.Conflict, match="already shipped"):
        _ship(session, setup, order_id)


def test_a_retry_never_sends_twice(committed, double):
    session, created = committed
    setup = etsy_setup.build(session, created, double, name="Retry Ship Prints")
    (first, first_receipt), (second, second_receipt) = _orders(session, setup, double, 2)
    # Etsy is down for the first attempt: nothing reached it, the job is retried later and sends it then.
    job_id = _ship(session, setup, first)
    double.faults.fail_next(1, status=503)
    with pytest.raises(retry.EtsyDown):
        runner.execute(setup.org_id, job_id, settings=setup.settings)
    assert _state(session, setup, first)[1].status == "sending"
    double.log.clear()
    assert etsy_setup.rerun(session, setup, job_id) == "completed"
    assert [e.operation for e in double.log.calls()] == ["getShopReceipt", "createReceiptShipment"]
    assert len(double.store.receipts[setup.seller["shop_id"]][first_receipt]["shipments"]) == 1
    # The shipment reached Etsy but its answer was lost (a crash): the retry finds it instead of sending again.
    job_id = _ship(session, setup, second, tracking_code="1Z999")
    double.store.add_shipment(setup.seller["shop_id"], second_receipt, "usps", "1Z999")
    with tenancy.org_scope(setup.org_id):
        session.execute(update(shipment_model.Shipment).where(shipment_model.Shipment.order_id == second)
                        .values(status="sending", attempted_at=shipment_model.Shipment.created_at))
        session.commit()
    double.log.clear()
    assert runner.execute(setup.org_id, job_id, settings=setup.settings) == "completed"
    assert [e.operation for e in double.log.calls()] == ["getShopReceipt"]
    order, row = _state(session, setup, second)
    assert row.status == "sent" and order.is_shipped
    assert len(double.store.receipts[setup.seller["shop_id"]][second_receipt]["shipments"]) == 1


def test_refusals_carry_etsys_reason_and_change_nothing(committed, double):
    session, created = committed
    setup = etsy_setup.build(session, created, double, name="Refused Ship Prints")
    (canceled, canceled_receipt), (unscoped, _) = _orders(session, setup, double, 2)
    double.store.cancel_receipt(setup.seller["shop_id"], canceled_receipt)  # not yet synced here
    job_id = _ship(session, setup, canceled)
    with pytest.raises(retry.Permanent, match="canceled receipt cannot be shipped"):
        runner.execute(setup.org_id, job_id, settings=setup.settings)
    order, row = _state(session, setup, canceled)
    assert not order.is_shipped and row.status == "failed" and "canceled" in row.error and row.attempted_at is None
    with tenancy.org_scope(setup.org_id):
        shop = session.get(shop_model.Shop, setup.shop_id)
        shop_tokens.store(shop, double.issue_token(setup.seller["user_id"], scopes=("transactions_r", "shops_r")),
                          setup.settings)
        session.commit()
    job_id = _ship(session, setup, unscoped)
    with pytest.raises(retry.Permanent, match="insufficient_scope"):
        runner.execute(setup.org_id, job_id, settings=setup.settings)
    with tenancy.org_scope(setup.org_id):
        job = session.get(job_model.PrintJob, job_id, populate_existing=True)
    assert job.status == "failed" and "insufficient_scope" in job.error
    assert not _state(session, setup, unscoped)[0].is_shipped


def test_a_gang_sheet_jobs_orders_ship_together(committed, double):
    session, created = committed
    setup = etsy_setup.build(session, created, double, name="Batch Ship Prints")
    placed = _orders(session, setup, double, 3)
    with tenancy.org_scope(setup.org_id):
        gang = job_model.PrintJob(org_id=setup.org_id, job_type="gang_sheets", status="completed", params={})
        session.add(gang)
        session.flush()
        session.execute(update(order_model.OrderItem).where(order_model.OrderItem.order_id.in_(
            [o for o, _ in placed[:2]])).values(print_job_id=gang.id))
        made = shipments.create(session, {"carrier_name": "ups", "print_job_id": gang.id, "send_bcc": False,
                                          "orders": [{"order_id": placed[0][0], "tracking_code": "1ZA"}]},
                                setup.user_id)
        session.commit()
        job_id = made["print_job_id"]
    assert runner.execute(setup.org_id, job_id, settings=setup.settings) == "completed"
    receipts = double.store.receipts[setup.seller["shop_id"]]
    assert [(s["carrier_name"], s["tracking_code"]) for s in receipts[placed[0][1]]["shipments"]] == [("ups", "1ZA")]
    assert [s["tracking_code"] for s in receipts[placed[1][1]]["shipments"]] == [""]
    assert not receipts[placed[2][1]].get("shipments")
    assert [_state(session, setup, o)[0].is_shipped for o, _ in placed] == [True, True, False]


def test_a_revoked_token_is_refused_with_etsys_reason(committed, double):
    session, created = committed
    setup = etsy_setup.build(session, created, double, name="Revoked Ship Prints")
    [(order_id, receipt_id)] = _orders(session, setup, double, 1)
    job_id = _ship(session, setup, order_id)
    double.oauth.expire_access_tokens()  # the seller removed the app: Etsy no longer honours the token
    with pytest.raises(retry.Permanent, match="invalid_token"):
        runner.execute(setup.org_id, job_id, settings=setup.settings)
    order, row = _state(session, setup, order_id)
    assert not order.is_shipped and row.status == "failed" and "invalid_token" in row.error
    assert not double.store.receipts[setup.seller["shop_id"]][receipt_id].get("shipments")
