"""Orders API: search, get, unmatched with suggestions, manual matching that saves a rule, mappings, production."""
from __future__ import annotations

import json

import pytest
from sqlalchemy import event as sa_event

from models import order as order_model
from models import shop as shop_model
from models import tenancy
from tests import helpers, imagegen
from tests.web.test_files import upload


def _url(org: dict, suffix: str = "") -> str:
    return f"/api/organizations/{org['org_id']}/{suffix}"


@pytest.fixture
def shop_with_orders(client, session):
    owner = helpers.register(client)
    tpl = client.post(_url(owner, "templates/"), headers=owner["headers"], json={
        "name": "Tee", "canvas": {"width_in": 22, "height_in": 30, "dpi": 300},
        "sizes": [{"name": "Adult", "width_in": 10, "height_in": 10}]}).get_json()
    design = upload(client, owner, imagegen.png(3000, 3000), name="sunset-cat.png").get_json()["file"]
    with tenancy.org_scope(owner["org_id"]):
        shop = shop_model.Shop(org_id=owner["org_id"], etsy_shop_id=777, name="S", status="connected")
        session.add(shop)
        session.flush()
        orders = []
        for n, (listing, sku, size) in enumerate([(11, "CAT-TEE", "L"), (11, "CAT-TEE", "M"), (22, None, "L")]):
            order = order_model.Order(org_id=owner["org_id"], shop_id=shop.id, etsy_receipt_id=1000 + n,
                                      buyer_name=f"Buyer {n}", is_paid=True, status="paid")
            session.add(order)
            session.flush()
            session.add(order_model.OrderItem(org_id=owner["org_id"], order_id=order.id,
                                              etsy_transaction_id=5000 + n, listing_id=listing, sku=sku,
                                              variations={"Size": size}, quantity=1, title="Sunset cat tee"))
            orders.append(order.id)
        session.flush()
    return owner, tpl, design, orders


def test_search_and_get(client, shop_with_orders):
    owner, _, _, orders = shop_with_orders
    listed = client.get(_url(owner, "orders/?q=buyer 1"), headers=owner["headers"])
    assert [o["etsy_receipt_id"] for o in listed.get_json()] == [1001]
    assert json.loads(listed.headers["X-Pagination"])["total"] == 1
    detail = client.get(_url(owner, f"orders/{orders[0]}"), headers=owner["headers"]).get_json()
    assert detail["items"][0]["sku"] == "CAT-TEE" and detail["items"][0]["match_status"] == "unmatched"
    helpers.assert_error(client.get(_url(owner, "orders/999999"), headers=owner["headers"]), 404)


def test_unmatched_suggestions_and_manual_match_creates_a_rule(client, shop_with_orders):
    owner, tpl, design, _ = shop_with_orders
    unmatched = client.get(_url(owner, "orders/unmatched"), headers=owner["headers"]).get_json()
    assert len(unmatched) == 3 and unmatched[0]["suggestions"][0]["id"] == design["id"]
    body = {"design_file_id": design["id"], "template_id": tpl["id"], "size_id": tpl["sizes"][0]["id"],
            "scope": "listing"}
    result = client.post(_url(owner, f"orders/items/{unmatched[0]['id']}/match"), headers=owner["headers"],
                         json=body).get_json()
    assert result["item"]["match_status"] == "matched" and result["also_matched"] == 1 and result["mapping_id"]
    left = client.get(_url(owner, "orders/unmatched"), headers=owner["headers"]).get_json()
    assert [i["listing_id"] for i in left] == [22]
    rules = client.get(_url(owner, "design-mappings/"), headers=owner["headers"]).get_json()
    assert [(r["listing_id"], r["sku"], r["design_file_id"]) for r in rules] == [(11, "", design["id"])]


def test_variation_rules_are_more_specific(client, shop_with_orders):
    owner, tpl, design, _ = shop_with_orders
    other = upload(client, owner, imagegen.png(900, 900, color=(1, 1, 1, 255)), name="medium.png").get_json()["file"]
    general = client.post(_url(owner, "design-mappings/"), headers=owner["headers"], json={
        "listing_id": 11, "design_file_id": design["id"], "template_id": tpl["id"],
        "size_id": tpl["sizes"][0]["id"]})
    assert general.status_code == 201, general.get_json()
    helpers.assert_error(client.post(_url(owner, "design-mappings/"), headers=owner["headers"], json={
        "listing_id": 11, "design_file_id": design["id"]}), 409)
    # Both items of listing 11 were matched at once by the listing-wide rule.
    assert [i["listing_id"] for i in client.get(_url(owner, "orders/unmatched"),
                                                  headers=owner["headers"]).get_json()] == [22]
    specific = client.post(_url(owner, "design-mappings/"), headers=owner["headers"], json={
        "listing_id": 22, "variations": {"Size": "L"}, "design_file_id": other["id"]})
    assert specific.status_code == 201
    assert client.get(_url(owner, "orders/unmatched"), headers=owner["headers"]).get_json() == []


def test_match_validation(client, shop_with_orders):
    owner, tpl, design, _ = shop_with_orders
    item_id = client.get(_url(owner, "orders/unmatched"), headers=owner["headers"]).get_json()[0]["id"]
    url = _url(owner, f"orders/items/{item_id}/match")
    for body, field in [({"design_file_id": 99999}, "design_file_id"),
                        ({"design_file_id": design["id"], "size_id": tpl["sizes"][0]["id"]}, "template_id"),
                        ({"design_file_id": design["id"], "template_id": tpl["id"], "size_id": 424242}, "size_id"),
                        ({"design_file_id": design["id"], "scope": "everything"}, "scope")]:
        assert field in helpers.assert_error(client.post(url, headers=owner["headers"], json=body), 422)["errors"]
    helpers.assert_error(client.post(_url(owner, "orders/items/999999/match"), headers=owner["headers"],
                                     json={"design_file_id": design["id"]}), 404)


def test_produce_by_hand_then_reprint(client, shop_with_orders):
    owner, tpl, design, orders = shop_with_orders
    client.post(_url(owner, "design-mappings/"), headers=owner["headers"], json={
        "listing_id": 11, "design_file_id": design["id"], "template_id": tpl["id"],
        "size_id": tpl["sizes"][0]["id"]})
    made = client.post(_url(owner, "orders/produce"), headers=owner["headers"], json={"order_ids": orders[:2]})
    assert made.status_code == 201, made.get_json()
    result = made.get_json()
    assert len(result["jobs"]) == 1 and result["items"] == 2
    job = client.get(_url(owner, f"print-jobs/{result['jobs'][0]}"), headers=owner["headers"]).get_json()
    assert job["job_type"] == "gang_sheets" and job["params"]["group_mode"] is True
    again = client.post(_url(owner, "orders/produce"), headers=owner["headers"], json={"order_ids": orders[:2]})
    assert again.get_json()["jobs"] == []  # each item is produced once
    reprint = client.post(_url(owner, f"orders/{orders[0]}/reprint"), headers=owner["headers"]).get_json()
    assert len(reprint["jobs"]) == 1 and reprint["items"] == 1
    detail = client.get(_url(owner, f"orders/{orders[0]}"), headers=owner["headers"]).get_json()
    assert detail["items"][0]["reprints"] == 1 and detail["items"][0]["print_job_id"] == reprint["jobs"][0]
    unmatched_order = client.post(_url(owner, "orders/produce"), headers=owner["headers"],
                                  json={"order_ids": [orders[2]]}).get_json()
    assert unmatched_order == {"jobs": [], "items": 0, "skipped": []}


def test_review_edge_cases_are_4xx(client, shop_with_orders):
    owner, tpl, design, orders = shop_with_orders
    # A design that a rule points at cannot be deleted (409), and stays with its object.
    client.post(_url(owner, "design-mappings/"), headers=owner["headers"],
                json={"listing_id": 11, "design_file_id": design["id"]})
    helpers.assert_error(client.delete(_url(owner, f"files/{design['id']}"), headers=owner["headers"]), 409)
    assert client.get(_url(owner, f"files/{design['id']}/download"), headers=owner["headers"]).status_code == 200
    # Values a column cannot hold are 422, not 500.
    many = {f"k{n}": "v" * 200 for n in range(4)}
    helpers.assert_error(client.post(_url(owner, "design-mappings/"), headers=owner["headers"],
                                     json={"listing_id": 12, "design_file_id": design["id"], "variations": many}), 422)
    helpers.assert_error(client.get(_url(owner, f"files/{2 ** 70}"), headers=owner["headers"]), 422)
    helpers.assert_error(client.get(_url(owner, f"orders/?receipt_id={2 ** 70}"), headers=owner["headers"]), 422)
    helpers.assert_error(client.post(_url(owner, "orders/produce"), headers=owner["headers"],
                                     json={"order_ids": [orders[0], 999999]}), 404)
    other = helpers.register(client)
    helpers.assert_error(client.get(_url(other, f"events/users/{owner['user']['id']}/activity"),
                                    headers=other["headers"]), 404)


def _more_unmatched(session, owner: dict, count: int, first: int = 0, **order_fields) -> None:
    with tenancy.org_scope(owner["org_id"]):
        shop = session.query(shop_model.Shop).first() or shop_model.Shop(
            org_id=owner["org_id"], etsy_shop_id=888, name="T", status="connected")
        session.add(shop)
        session.flush()
        for n in range(first, first + count):
            order = order_model.Order(org_id=owner["org_id"], shop_id=shop.id, etsy_receipt_id=90_000 + n,
                                      buyer_name=f"More {n}", is_paid=True, status="paid", **order_fields)
            session.add(order)
            session.flush()
            session.add(order_model.OrderItem(org_id=owner["org_id"], order_id=order.id,
                                              etsy_transaction_id=95_000 + n, listing_id=33, sku="CAT-TEE",
                                              variations={}, quantity=1, title="Sunset cat tee"))
        session.flush()


def test_unmatched_totals_count_open_orders_of_this_organization_only(client, session, connection, shop_with_orders):
    owner, _, design, _ = shop_with_orders
    _more_unmatched(session, owner, 4)  # 7 open in all
    _more_unmatched(session, owner, 2, first=10, is_shipped=True)
    with tenancy.org_scope(owner["org_id"]):
        session.query(order_model.Order).filter(order_model.Order.etsy_receipt_id == 90_001).update(
            {"is_canceled": True, "etsy_receipt_id": 91_001})
    other = helpers.register(client)
    _more_unmatched(session, other, 5)
    seen, statements = [], []
    listener = lambda conn, cursor, sql, *rest: statements.append(sql)  # noqa: E731
    sa_event.listen(connection, "before_cursor_execute", listener)
    for number, size, rows in ((1, 2, 2), (2, 2, 2), (3, 2, 2), (1, 3, 3), (4, 2, 0), (9, 2, 0)):
        statements.clear()
        page = client.get(_url(owner, f"orders/unmatched?page={number}&page_size={size}"), headers=owner["headers"])
        assert page.status_code == 200 and len(page.get_json()) == rows, (number, size)
        assert json.loads(page.headers["X-Pagination"])["total"] == 6, (number, size)  # 3 + 4 - 1 canceled
        counts = [sql for sql in statements if sql.lstrip().startswith("SELECT count(")]
        # A page with rows reads the total with them; only a page past the end counts on its own.
        assert (counts != []) == (rows == 0), (number, size, counts)
        seen += [i["id"] for i in page.get_json()] if size == 2 else []
    sa_event.remove(connection, "before_cursor_execute", listener)
    assert len(seen) == len(set(seen)) == 6
    assert json.loads(client.get(_url(other, "orders/unmatched?page_size=2"), headers=other["headers"])
                      .headers["X-Pagination"])["total"] == 5
    every = client.get(_url(owner, "orders/unmatched?page_size=10"), headers=owner["headers"]).get_json()
    # One design suggested for every item: the same file, in full, on each of them.
    assert {i["suggestions"][0]["id"] for i in every} == {design["id"]}
    assert all(i["suggestions"][0] == every[0]["suggestions"][0] for i in every)
    assert every[0]["suggestions"][0]["filename"] == design["filename"]
