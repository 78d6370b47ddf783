"""The console's Numbers page: sales per month, top designs and listings, film per day and per order, from the
same services as the API's insights/; the analytics flag gates it."""
from __future__ import annotations

import datetime as dt
from decimal import Decimal

from models import file as file_model
from models import order as order_model
from models import print_job as job_model
from models import shop as shop_model
from models import tenancy
from tests import helpers
from tests.web.console import pages


def test_numbers_show_sales_designs_listings_and_film(client, session):
    owner = helpers.register(client)
    org_id = owner["org_id"]
    now = dt.datetime.now(dt.UTC)
    with tenancy.org_scope(org_id):
        shop = shop_model.Shop(org_id=org_id, status="connected", name="S", etsy_shop_id=9_100_000 + org_id)
        design = file_model.File(org_id=org_id, file_type="designs", filename="sunset-tee.png",
                                 storage_key=f"x/{org_id}/sunset-tee.png", size_bytes=1, status="ready",
                                 mime_type="image/png")
        session.add_all([shop, design])
        session.flush()
        order = order_model.Order(org_id=org_id, shop_id=shop.id, etsy_receipt_id=4242, buyer_name="Ann",
                                  is_paid=True, paid_at=now, grandtotal=Decimal("31.50"), currency="USD")
        session.add(order)
        session.flush()
        session.add(order_model.OrderItem(org_id=org_id, order_id=order.id, etsy_transaction_id=77, listing_id=555,
                                          title="Sunset Tee", quantity=3, match_status="matched",
                                          design_file_id=design.id))
        session.add(job_model.PrintJob(org_id=org_id, job_type="gang_sheets", status="completed", params={},
                                       finished_at=now, output_length_in=Decimal("48.5"),
                                       result={"orders": [{"order_id": order.id, "film_in": 48.5}]}))
        session.commit()
    pages.sign_in(client, owner["user"]["email"])
    text = client.get("/console/numbers").get_data(as_text=True)
    assert now.strftime("%Y-%m") in text and "31.50 USD" in text
    assert "sunset-tee.png" in text and "Sunset Tee" in text
    assert "48.5 in" in text and now.date().isoformat() in text
    assert "Save price" in text and "48.5 USD" not in text  # no price yet: no costs
    saved = client.post("/console/numbers/price", data={"film_price_per_inch": "0.5", "currency": "usd",
                                                         "csrf_token": pages.csrf(client, "/console/numbers")})
    assert saved.status_code == 302
    priced = client.get("/console/numbers").get_data(as_text=True)
    assert "24.25 USD" in priced  # 48.5 in at 0.50 a inch, per day and per order
    bad = client.post("/console/numbers/price", data={"film_price_per_inch": "-1",
                                                      "csrf_token": pages.csrf(client, "/console/numbers")})
    assert bad.status_code == 302 and "film_price_per_inch" in client.get("/console/numbers").get_data(as_text=True)
    helpers.set_features(client, owner, analytics=False)
    off = client.get("/console/numbers")
    assert off.status_code == 403 and "analytics" in off.get_data(as_text=True)
