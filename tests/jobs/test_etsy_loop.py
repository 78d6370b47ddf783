"""The whole loop on the Etsy double: design -> listing -> order -> sync -> personalized gang sheet at 300 DPI on a
22 in roll -> pick list and packing slips -> shipped with tracking -> the owner's numbers."""
from __future__ import annotations

import io

import numpy as np
import pypdf
import pytest
from PIL import Image, ImageFont
from sqlalchemy import select, update

from jobs import runner
from models import file as file_model
from models import order as order_model
from models import print_job as job_model
from models import shop as shop_model
from models import tenancy
from nas import shared
from prepress import personalize
from services import insights, organizations, print_jobs, shipments
from tests.jobs import etsy_setup

AREA = {"x": 0.05, "y": 0.72, "width": 0.9, "height": 0.24, "max_length": 12, "size_pt": 48, "min_size_pt": 14,
        "color": "#0a1464", "font": "dejavu-sans-bold"}


def _variations(size: str, text: str) -> list[dict]:
    return [{"property_id": 513, "value_id": 1, "formatted_name": "Size", "formatted_value": size},
            {"property_id": 54, "value_id": None, "formatted_name": "Personalization", "formatted_value": text}]


def test_design_to_listing_to_order_to_sheet_to_pick_list_to_shipped(committed, double):
    session, created = committed
    setup = etsy_setup.build(session, created, double, name="Loop Prints", dpi=300,
                             sizes=(("Adult", 4, 4), ("Youth", 3, 3)), personalization=AREA)
    org_id, etsy_shop = setup.org_id, setup.seller["shop_id"]
    with tenancy.org_scope(org_id):
        session.execute(update(shop_model.Shop).values(hold_hours=0))
        organizations.update(session, org_id, {"settings": {"film_price_per_inch": "0.25", "currency": "USD"}},
                             superuser=False)
        session.commit()

    # Design -> listing: one job, four Etsy calls (create, inventory, two mockups).
    [(draft_id, listing_job)] = etsy_setup.create_drafts(session, setup, etsy_setup.draft_body(setup))
    double.log.clear()
    assert runner.execute(org_id, listing_job, settings=setup.settings) == "completed"
    listing_calls = [e.operation for e in double.log.calls()]
    assert listing_calls == ["createDraftListing", "updateListingInventory", "uploadListingImage",
                             "uploadListingImage"]
    listing = next(item for item in double.store.listings.values() if item["state"] == "draft")
    assert listing["is_personalizable"] and listing["personalization_char_count_max"] == 12
    listing["state"] = "active"  # the seller publishes it on Etsy

    # Orders on Etsy -> sync: matched by the listing's per-size rules, into one gang sheet job.
    anna = double.store.add_receipt(etsy_shop, buyer_name="Anna Buyer", items=[
        {"listing_id": listing["listing_id"], "variations": _variations("Adult", "ANNA")}])
    max_ = double.store.add_receipt(etsy_shop, buyer_name="Zoë Max", items=[
        {"listing_id": listing["listing_id"], "quantity": 2, "variations": _variations("Youth", "Maximilian")}])
    with tenancy.org_scope(org_id):
        sync = print_jobs.create(session, job_type="orders", created_by=None,
                                 params={"shop_id": setup.shop_id, "full": True})
        session.commit()
        sync_id = sync.id
    assert runner.execute(org_id, sync_id, settings=setup.settings) == "completed"
    session.rollback()
    with tenancy.org_scope(org_id):
        result = session.get(job_model.PrintJob, sync_id, populate_existing=True).result
        items = session.scalars(select(order_model.OrderItem).order_by(order_model.OrderItem.id)).all()
    assert result["matched"] == 2 and result["production"]["skipped"] == []
    [gang_id] = result["production"]["jobs"]
    assert [(i.personalization, i.size_id, i.matched_by) for i in items] == [
        ("ANNA", setup.sizes["Adult"], "rule"), ("Maximilian", setup.sizes["Youth"], "rule")]

    # The gang sheet: personalized pieces at their exact size, 300 DPI, on the 22 in roll.
    assert runner.execute(org_id, gang_id, settings=setup.settings) == "completed"
    session.rollback()
    with tenancy.org_scope(org_id):
        gang = session.get(job_model.PrintJob, gang_id, populate_existing=True)
        outputs = session.scalars(select(file_model.File).where(file_model.File.print_job_id == gang_id)
                                  .order_by(file_model.File.id)).all()
        order_ids = {o.etsy_receipt_id: o.id for o in session.scalars(select(order_model.Order))}
    sheets = [f for f in outputs if "gang-sheet" in f.tags]
    personalized = [f for f in outputs if "personalized" in f.tags]
    assert len(sheets) == 1 and (sheets[0].width_px, round(sheets[0].dpi)) == (6600, 300)
    assert sorted((f.width_px, f.height_px) for f in personalized) == [(900, 900), (1200, 1200)]
    _check_text_size(setup.settings, next(f for f in personalized if f.width_px == 1200), "ANNA")

    # The pick list names every piece by the label printed beside it; one packing slip per order.
    pick = _pdf_text(setup.settings, next(f for f in outputs if "pick-list" in f.tags))
    labels = [f"1-{n} R{r}" for n, r in ((1, anna["receipt_id"]), (2, max_["receipt_id"]),
                                         (3, max_["receipt_id"]))]
    for needle in (*labels, "Anna Buyer", "Zoë Max", "ANNA", "Maximilian", "Adult", "Youth"):
        assert needle in pick, needle
    slips = {next(t for t in f.tags if t.startswith("order-")): _pdf_text(setup.settings, f)
             for f in outputs if "packing-slip" in f.tags}
    assert set(slips) == {f"order-{order_ids[anna['receipt_id']]}", f"order-{order_ids[max_['receipt_id']]}"}
    assert "Zoë Max" in slips[f"order-{order_ids[max_['receipt_id']]}"]
    assert [o["order_id"] for o in gang.result["orders"]] == sorted(order_ids.values())

    # Shipped with tracking: the whole job's orders, one Etsy call each, and the orders follow Etsy.
    with tenancy.org_scope(org_id):
        made = shipments.create(session, {"carrier_name": "usps", "print_job_id": gang_id, "send_bcc": False,
                                          "orders": [{"order_id": order_ids[anna["receipt_id"]],
                                                      "tracking_code": "9400100000000000000001"},
                                                     {"order_id": order_ids[max_["receipt_id"]],
                                                      "tracking_code": "9400100000000000000002"}]}, None)
        session.commit()
        ship_job = made["print_job_id"]
    double.log.clear()
    assert runner.execute(org_id, ship_job, settings=setup.settings) == "completed"
    assert [e.operation for e in double.log.calls()] == ["createReceiptShipment", "createReceiptShipment"]
    receipts = double.store.receipts[etsy_shop]
    assert receipts[anna["receipt_id"]]["shipments"][0]["tracking_code"] == "9400100000000000000001"
    session.rollback()
    with tenancy.org_scope(org_id):
        assert all(o.is_shipped and o.status == "completed" for o in session.scalars(select(order_model.Order)))
        numbers = {"sales": insights.sales_by_month(session, {}), "cost": insights.cost_per_order(session, {}),
                   "designs": insights.top_designs(session, {"limit": 5}), "film": insights.film_by_day(session, {})}
    assert numbers["sales"][0]["orders"] == 2 and numbers["sales"][0]["items"] == 3
    assert numbers["designs"] == [{"design_file_id": setup.design_ids[0], "filename": "Happy_Cat_0.png",
                                   "pieces": 3, "orders": 2}]
    assert numbers["cost"]["orders"] == 2
    assert numbers["cost"]["film_in"] == pytest.approx(float(gang.output_length_in), abs=0.01)
    assert numbers["film"]["days"][0]["film_cost"] == pytest.approx(float(gang.output_length_in) * 0.25, abs=0.01)


def _check_text_size(settings, row: file_model.File, text: str) -> None:
    """The name is printed at its fitted size in points: ink as tall as the font's at that many 1/72 in."""
    with shared.storage_for(settings).open(row.storage_key) as fh:
        pixels = np.asarray(Image.open(io.BytesIO(fh.read())).convert("RGBA"))
    ink = np.all(pixels[..., :3] == (10, 20, 100), axis=-1) & (pixels[..., 3] == 255)
    rows = np.nonzero(ink.any(axis=1))[0]
    area = personalize.TextArea.from_dict(AREA)
    fitted, _ = personalize.fit(area, text, 4, 4, 300)
    font = ImageFont.truetype(str(personalize.FONT_DIR / "DejaVuSans-Bold.ttf"), round(fitted.size_pt / 72 * 300))
    x0, y0, x1, y1 = font.getmask(text).getbbox()
    assert fitted.size_pt == 48 and abs((rows.max() - rows.min() + 1) - (y1 - y0)) <= 2


def _pdf_text(settings, row: file_model.File) -> str:
    with shared.storage_for(settings).open(row.storage_key) as fh:
        reader = pypdf.PdfReader(io.BytesIO(fh.read()))
    return "\n".join(page.extract_text() for page in reader.pages)
