"""The API of the Etsy loop: listing drafts, shipments, template text areas and the owner's numbers."""
from __future__ import annotations

import io

import pytest

from models import order as order_model
from models import shop as shop_model
from models import tenancy
from services import shop_tokens
from tests import etsy_flow, helpers, imagegen

AREA = {"x": 0.1, "y": 0.75, "width": 0.8, "height": 0.2, "max_length": 10, "size_pt": 30}


@pytest.fixture
def shop_setup(app, client, session, settings, double, monkeypatch):
    etsy_settings = etsy_flow.settings_for(settings, double)
    monkeypatch.setitem(app.extensions, "esa_settings", etsy_settings)
    owner = helpers.register(client)
    base = f"/api/organizations/{owner['org_id']}"
    seller = double.add_seller(shop_name="ApiLoopShop")
    profile = double.store.add_shipping_profile(seller["shop_id"])
    with tenancy.org_scope(owner["org_id"]):
        shop = shop_model.Shop(org_id=owner["org_id"], etsy_shop_id=seller["shop_id"], status="connected",
                               name="ApiLoopShop")
        shop_tokens.store(shop, double.issue_token(seller["user_id"]), etsy_settings)
        session.add(shop)
        session.flush()
        order = order_model.Order(org_id=owner["org_id"], shop_id=shop.id, etsy_receipt_id=555, is_paid=True)
        session.add(order)
        session.flush()
        ids = {"shop_id": shop.id, "order_id": order.id}
    template = client.post(f"{base}/templates/", headers=owner["headers"], json={
        "name": "Named tee", "canvas": {"width_in": 22, "height_in": 24}, "personalization": AREA,
        "sizes": [{"name": "Adult", "width_in": 10, "height_in": 10}]})
    assert template.status_code == 201, template.get_json()
    design = client.post(f"{base}/files/", headers=owner["headers"], content_type="multipart/form-data",
                         data={"file": (io.BytesIO(imagegen.png(200, 200)), "cat.png"), "file_type": "designs"})
    return owner, base, {**ids, "template": template.get_json(), "design_id": design.get_json()["file"]["id"],
                         "profile_id": profile["shipping_profile_id"]}


def test_listing_drafts_shipments_and_text_areas(client, shop_setup):
    owner, base, ids = shop_setup
    assert ids["template"]["personalization"]["font"] == "dejavu-sans-bold"
    size_id = ids["template"]["sizes"][0]["id"]
    body = {"shop_id": ids["shop_id"], "template_id": ids["template"]["id"], "design_file_ids": [ids["design_id"]],
            "prices": {str(size_id): 19.5}, "description": "A {design} transfer", "taxonomy_id": 2078,
            "shipping_profile_id": ids["profile_id"]}
    made = client.post(f"{base}/listing-drafts/", headers=owner["headers"], json=body)
    assert made.status_code == 201, made.get_json()
    [draft] = made.get_json()
    assert draft["status"] == "queued" and draft["print_job_id"] and draft["spec"]["prices"] == {str(size_id): "19.50"}
    assert draft["spec"]["title"] == "cat"
    assert client.get(f"{base}/listing-drafts/{draft['id']}", headers=owner["headers"]).status_code == 200
    helpers.assert_error(client.post(f"{base}/listing-drafts/", headers=owner["headers"],
                                     json={**body, "shipping_profile_id": 999}), 422)
    helpers.assert_error(client.post(f"{base}/listing-drafts/", headers=owner["headers"],
                                     json={**body, "tags": ["x" * 21]}), 422)

    ship = client.post(f"{base}/orders/{ids['order_id']}/ship", headers=owner["headers"],
                       json={"carrier_name": "usps", "tracking_code": "9400"})
    assert ship.status_code == 201, ship.get_json()
    assert ship.get_json()["shipments"][0]["status"] == "queued"
    helpers.assert_error(client.post(f"{base}/orders/{ids['order_id']}/ship", headers=owner["headers"],
                                     json={"carrier_name": "usps"}), 409)
    listed = client.get(f"{base}/shipments/?order_id={ids['order_id']}", headers=owner["headers"]).get_json()
    assert [s["tracking_code"] for s in listed] == ["9400"]

    bad = client.patch(f"{base}/templates/{ids['template']['id']}", headers=owner["headers"],
                       json={"personalization": {**AREA, "x": 0.5, "width": 0.6}})
    helpers.assert_error(bad, 422)
    cleared = client.patch(f"{base}/templates/{ids['template']['id']}", headers=owner["headers"],
                           json={"personalization": None})
    assert cleared.status_code == 200 and cleared.get_json()["personalization"] is None


def test_owner_numbers_answer_for_an_empty_shop(client):
    owner = helpers.register(client)
    base = f"/api/organizations/{owner['org_id']}/insights"
    for path in ("sales-by-month", "top-designs", "top-listings"):
        response = client.get(f"{base}/{path}?limit=3", headers=owner["headers"])
        assert response.status_code == 200 and response.get_json() == [], path
    assert client.get(f"{base}/film-by-day", headers=owner["headers"]).get_json()["days"] == []
    cost = client.get(f"{base}/cost-per-order", headers=owner["headers"]).get_json()
    assert cost["orders"] == 0 and cost["average_cost"] is None
    helpers.assert_error(client.get(f"{base}/top-designs?limit=0", headers=owner["headers"]), 422)
