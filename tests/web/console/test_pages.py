"""Console pages over the test client: Today's counts, orders by what they wait for, matching and producing,
uploads, the gang sheet builder's layout and queueing."""
from __future__ import annotations

import datetime as dt
import io
import json
import re

from sqlalchemy import select

from models import order as order_model
from models import print_job as job_model
from models import shop as shop_model
from models import tenancy
from tests import helpers, imagegen
from tests.web.console import pages


def _orders(session, org_id: int, design_id: int | None = None) -> dict[str, int]:
    """Three paid orders: one unmatched, one matched inside the hold window, one matched and past it."""
    now = dt.datetime.now(dt.UTC)
    with tenancy.org_scope(org_id):
        shop = shop_model.Shop(org_id=org_id, status="connected", name="S", etsy_shop_id=8_000_000 + org_id,
                               hold_hours=2)
        session.add(shop)
        session.flush()
        ids = {}
        for n, (name, paid, status) in enumerate((("unmatched", now, "unmatched"), ("held", now, "matched"),
                                                  ("ready", now - dt.timedelta(hours=5), "matched"))):
            order = order_model.Order(org_id=org_id, shop_id=shop.id, etsy_receipt_id=500 + n, buyer_name=name,
                                      is_paid=True, paid_at=paid)
            session.add(order)
            session.flush()
            session.add(order_model.OrderItem(org_id=org_id, order_id=order.id, etsy_transaction_id=900 + n,
                                              listing_id=70 + n, title=f"{name} tee", sku=f"SKU-{name}",
                                              match_status=status,
                                              design_file_id=design_id if status == "matched" else None))
            ids[name] = order.id
        session.flush()
    return ids


def _upload(client, name: str, **kw) -> dict:
    answer = client.post("/console/designs/upload", data={"file": (io.BytesIO(imagegen.png(**kw)), name),
                                                          "tags": "tees, summer"},
                         headers={"X-CSRF-Token": pages.csrf(client, "/console/designs"),
                                  "Accept": "application/json"}, content_type="multipart/form-data")
    assert answer.status_code in (200, 201), answer.get_data(as_text=True)
    return answer.get_json()


def test_today_counts_orders_by_what_they_wait_for(client, session):
    owner = helpers.register(client)
    pages.sign_in(client, owner["user"]["email"])
    design = _upload(client, "ready-tee.png")
    ids = _orders(session, owner["org_id"], design["id"])
    today = client.get("/console/").get_data(as_text=True)
    counts = re.findall(r"<strong>(\d+)</strong><span>orders", today)
    assert counts == ["1", "1", "1"], counts
    for state, buyer in (("unmatched", "unmatched"), ("held", "held"), ("ready", "ready")):
        listed = client.get(f"/console/orders?state={state}").get_data(as_text=True)
        assert re.findall(r'/console/orders/(\d+)"', listed) == [str(ids[buyer])], state
    assert "ready tee" in client.get(f"/console/orders/{ids['ready']}").get_data(as_text=True)


def test_match_saves_the_rule_and_produce_queues_a_gang_sheet(client, session):
    owner = helpers.register(client)
    pages.sign_in(client, owner["user"]["email"])
    design = _upload(client, "unmatched-tee.png")
    ids = _orders(session, owner["org_id"], design["id"])
    page = client.get("/console/orders/unmatched").get_data(as_text=True)
    assert "unmatched-tee.png" in page and "SKU-unmatched" in page  # the suggestion, by the SKU's words
    token = pages.csrf(client, "/console/orders/unmatched")
    with tenancy.org_scope(owner["org_id"]):
        item = session.scalars(select(order_model.OrderItem).where(
            order_model.OrderItem.order_id == ids["unmatched"])).one()
    done = client.post(f"/console/orders/items/{item.id}/match", data={
        "design_file_id": ["", f"{design['id']} · unmatched-tee.png"], "scope": "listing", "csrf_token": token})
    assert done.status_code == 302
    assert "Every order item is matched" in client.get("/console/orders/unmatched").get_data(as_text=True)
    with tenancy.org_scope(owner["org_id"]):
        rule = session.scalars(select(order_model.DesignMapping)).one()
    assert rule.listing_id == item.listing_id and rule.design_file_id == design["id"]
    # Produce needs a size: without a template the console says why nothing was queued.
    refused = client.post("/console/orders/produce", data={"order_id": str(ids["ready"]), "csrf_token": token},
                          follow_redirects=True)
    assert "Nothing to produce" in refused.get_data(as_text=True) and "template size" in refused.get_data(
        as_text=True)


def test_uploads_answer_each_file_and_find_duplicates(client):
    owner = helpers.register(client)
    pages.sign_in(client, owner["user"]["email"])
    first = _upload(client, "one.png", width=64, height=48)
    assert first["duplicate"] is False and first["filename"] == "one.png"
    assert _upload(client, "again.png", width=64, height=48)["duplicate"] is True
    grid = client.get("/console/designs?tag=tees").get_data(as_text=True)
    assert "one.png" in grid and "64 × 48 px" in grid
    # A script request without the token gets the JSON error shape, not a page.
    refused = client.post("/console/designs/upload", headers={"Accept": "application/json"},
                          data={"file": (io.BytesIO(imagegen.png()), "x.png")}, content_type="multipart/form-data")
    assert helpers.assert_error(refused, 400)


def test_builder_lays_out_pictures_and_queues(client, session):
    owner = helpers.register(client)
    pages.sign_in(client, owner["user"]["email"])
    design = _upload(client, "sheet.png", width=300, height=300)
    body = {"items": [{"file_id": design["id"], "quantity": 4, "width_in": 2}], "sheet_width": 10}
    headers = {"X-CSRF-Token": pages.csrf(client, "/console/gang-sheets"), "Accept": "application/json"}
    layout = client.post("/console/gang-sheets/preview", json=body, headers=headers)
    assert layout.status_code == 200, layout.get_json()
    assert layout.get_json()["sheet_count"] == 1 and layout.get_json()["sheet_width"] == 10
    picture = client.post("/console/gang-sheets/picture", json=body, headers=headers)
    assert picture.mimetype == "image/svg+xml" and picture.headers["X-Sheet-Count"] == "1"
    bad = client.post("/console/gang-sheets/preview", json={"items": []}, headers=headers)
    assert helpers.assert_error(bad, 422)
    queued = client.post("/console/gang-sheets/queue", data={"params": json.dumps(body),
                                                             "csrf_token": headers["X-CSRF-Token"]})
    assert queued.status_code == 302 and "/console/jobs/" in queued.headers["Location"]
    job_id = int(queued.headers["Location"].rsplit("/", 1)[1])
    with tenancy.org_scope(owner["org_id"]):
        assert session.get(job_model.PrintJob, job_id).job_type == "gang_sheets"
    progress = client.get(f"/console/jobs/progress?ids={job_id}").get_json()
    assert progress == [{"id": job_id, "status": "queued", "progress": 0, "message": None, "error": None}]
    assert f"Job #{job_id}" in client.get(f"/console/jobs/{job_id}").get_data(as_text=True)


def test_settings_add_a_template_and_its_sizes_then_match_with_a_size(client, session):
    owner = helpers.register(client)
    pages.sign_in(client, owner["user"]["email"])
    token = pages.csrf(client, "/console/settings")
    assert client.post("/console/settings/templates", data={"name": "Tee front", "product_type": "dtf",
                                                            "width_in": "22", "height_in": "24", "dpi": "300",
                                                            "csrf_token": token}).status_code == 302
    page = client.get("/console/settings").get_data(as_text=True)
    template_id = re.search(r'<option value="(\d+)">Tee front</option>', page).group(1)
    added = client.post("/console/settings/templates/sizes", data={"template_id": template_id, "name": "Adult",
                                                                   "width_in": "10", "height_in": "12",
                                                                   "csrf_token": token})
    assert added.status_code == 302
    too_big = client.post("/console/settings/templates/sizes", data={
        "template_id": template_id, "name": "Huge", "width_in": "40", "height_in": "40", "csrf_token": token},
        follow_redirects=True)
    assert "flash error" in too_big.get_data(as_text=True)
    assert "Adult 10.0 × 12.0 in" in client.get("/console/settings").get_data(as_text=True)
    # The size picker of an unmatched item offers it, and the match keeps template and size.
    design = _upload(client, "sized.png")
    ids = _orders(session, owner["org_id"])
    size = re.search(r'<option value="(\d+):(\d+)">Adult', client.get("/console/orders/unmatched").get_data(
        as_text=True))
    assert size and size.group(1) == template_id
    with tenancy.org_scope(owner["org_id"]):
        item = session.scalars(select(order_model.OrderItem).where(
            order_model.OrderItem.order_id == ids["unmatched"])).one()
    client.post(f"/console/orders/items/{item.id}/match", data={
        "design_file_id": str(design["id"]), "size": f"{size.group(1)}:{size.group(2)}", "scope": "item",
        "csrf_token": token})
    with tenancy.org_scope(owner["org_id"]):
        session.refresh(item)
        assert (item.match_status, item.template_id, item.size_id) == ("matched", int(size.group(1)),
                                                                       int(size.group(2)))


def test_orders_list_offers_picked_orders_to_produce(client, session):
    owner = helpers.register(client)
    pages.sign_in(client, owner["user"]["email"])
    ids = _orders(session, owner["org_id"])
    listed = client.get("/console/orders").get_data(as_text=True)
    assert all(f'name="order_id" value="{i}"' in listed for i in ids.values())
    answer = client.post("/console/orders/produce", data={"order_id": [str(ids["held"]), str(ids["ready"])],
                                                          "csrf_token": pages.csrf(client, "/console/orders")},
                         follow_redirects=True)
    assert "Nothing to produce" in answer.get_data(as_text=True)  # matched, but no template size yet
