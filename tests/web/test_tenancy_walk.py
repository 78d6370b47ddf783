"""Every org-scoped endpoint, called with another organization's ids, answers 404 and shows none of its data."""
from __future__ import annotations

import io
import re

import pytest

from models import listing_draft as listing_draft_model
from models import order as order_model
from models import shipment as shipment_model
from models import shop as shop_model
from models import tenancy
from tests import helpers, imagegen

METHODS = ("GET", "POST", "PUT", "PATCH", "DELETE")
# Bodies valid enough to pass validation, so a 404 comes from the tenant check rather than from input errors.
BODIES = {
    "members": {"email": "intruder@example.com", "password": helpers.PASSWORD, "role": "viewer"},
    "events": {"event_type": "intrusion"},
    "features": {"features": {"analytics": True}},
    # Before "templates": a size path also names its template, and the first key that matches wins.
    "sizes": {"name": "Hijacked", "width_in": 1, "height_in": 1},
    # Before "mockup-templates" (a preview path names its template), which is before "templates" (a suffix of it).
    "preview": {"file_id": 1},
    "mockup-templates": {"name": "Hijacked", "base_file_id": 1,
                         "areas": [{"points": [[0, 0], [10, 0], [10, 10], [0, 10]]}]},
    "templates": {"name": "Hijacked", "canvas": {"width_in": 30, "height_in": 30}},
    "organizations": {"name": "Hijacked"},
    "files": {"tags": ["stolen"]},
    "ship": {"carrier_name": "usps", "tracking_code": "1Z"},
    "shipments": {"carrier_name": "usps", "orders": [{"order_id": 1, "tracking_code": "1Z"}]},
}


def _org_rules(app) -> list:
    rules = []
    for rule in app.url_map.iter_rules():
        if "org_id" in rule.arguments:
            for method in sorted(rule.methods & set(METHODS)):
                rules.append((rule, method))
    return rules


def _body_for(rule) -> dict:
    for key, body in BODIES.items():
        if key in rule.rule.rsplit("<", 1)[0].split("/")[-3:] or rule.rule.rstrip("/").endswith(key):
            return body
    return BODIES["organizations"]


@pytest.fixture
def victim_and_intruder(client, session):
    victim = helpers.register(client, org_name="Victim Prints")
    client.post(f"/api/organizations/{victim['org_id']}/events/", headers=victim["headers"],
                json={"event_type": "victim.secret", "entity_type": "orders", "entity_id": "42"})
    upload = client.post(f"/api/organizations/{victim['org_id']}/files/", headers=victim["headers"],
                         data={"file": (io.BytesIO(imagegen.png()), "victim-design.png"), "file_type": "designs"},
                         content_type="multipart/form-data")
    assert upload.status_code == 201
    intruder = helpers.register(client, org_name="Intruder Co")
    events = client.get(f"/api/organizations/{victim['org_id']}/events/", headers=victim["headers"]).get_json()
    template = client.post(f"/api/organizations/{victim['org_id']}/templates/", headers=victim["headers"],
                           json={"name": "Victim template", "canvas": {"width_in": 22, "height_in": 24},
                                 "sizes": [{"name": "Adult", "width_in": 11, "height_in": 12}]})
    assert template.status_code == 201
    mockup = client.post(f"/api/organizations/{victim['org_id']}/mockup-templates/", headers=victim["headers"],
                         json={"name": "Victim mockup", "base_file_id": upload.get_json()["file"]["id"],
                               "areas": [{"points": [[5, 5], [35, 5], [35, 25], [5, 25]]}]})
    assert mockup.status_code == 201, mockup.get_json()
    job = client.post(f"/api/organizations/{victim['org_id']}/print-jobs/", headers=victim["headers"],
                      json={"job_type": "designs", "params": {"file_ids": [upload.get_json()["file"]["id"]]}})
    assert job.status_code == 201
    with tenancy.org_scope(victim["org_id"]):
        shop = shop_model.Shop(org_id=victim["org_id"], etsy_shop_id=4242, name="Victim Shop", status="connected")
        session.add(shop)
        session.flush()
        order = order_model.Order(org_id=victim["org_id"], shop_id=shop.id, etsy_receipt_id=9191, is_paid=True,
                                  buyer_name="Victim Buyer")
        session.add(order)
        session.flush()
        item = order_model.OrderItem(org_id=victim["org_id"], order_id=order.id, etsy_transaction_id=8181,
                                     listing_id=77, title="Victim design tee")
        rule = order_model.DesignMapping(org_id=victim["org_id"], listing_id=77,
                                         design_file_id=upload.get_json()["file"]["id"])
        draft = listing_draft_model.ListingDraft(org_id=victim["org_id"], shop_id=shop.id, status="queued",
                                                 spec={"title": "Victim design tee"})
        shipped = shipment_model.Shipment(org_id=victim["org_id"], order_id=order.id, carrier_name="usps",
                                          status="queued")
        session.add_all([item, rule, draft, shipped])
        session.flush()
        more = {"shop_id": shop.id, "order_id": order.id, "item_id": item.id, "mapping_id": rule.id,
                "kind": "sections", "draft_id": draft.id,
                "shipment_id": shipped.id}
    ids = {**more, "org_id": victim["org_id"], "user_id": victim["user"]["id"], "event_id": events[0]["id"],
           "entity_type": "orders", "entity_id": "42", "file_id": upload.get_json()["file"]["id"],
           "template_id": template.get_json()["id"], "size_id": template.get_json()["sizes"][0]["id"],
           "job_id": job.get_json()["id"], "mockup_template_id": mockup.get_json()["id"]}
    return victim, intruder, ids


def test_walk_covers_the_org_scoped_api(app):
    paths = {rule.rule for rule, _ in _org_rules(app)}
    assert len(paths) >= 12, paths


def test_every_org_scoped_endpoint_is_404_for_another_org(app, client, victim_and_intruder):
    victim, intruder, ids = victim_and_intruder
    for rule, method in _org_rules(app):
        path = rule.rule
        for name in rule.arguments:
            # Every id a route takes must be one of the victim's real ids, so a new route extends the fixture.
            assert name in ids, f"add a victim {name} to the walk's fixture for {rule.rule}"
            path = re.sub(rf"<[^<>]*\b{name}>", str(ids[name]), path)
        kwargs = {"headers": intruder["headers"]}
        if method in ("POST", "PUT", "PATCH"):
            kwargs["json"] = _body_for(rule)
        response = client.open(path, method=method, **kwargs)
        assert response.status_code == 404, (method, path, response.status_code, response.get_data(as_text=True))
        text = response.get_data(as_text=True)
        for secret in ("victim.secret", victim["user"]["email"], "Victim Prints", "victim-design", "Victim Shop",
                       "Victim Buyer"):
            assert secret not in text, (method, path)
    # Nothing was changed in the victim's organization.
    org = client.get(f"/api/organizations/{victim['org_id']}", headers=victim["headers"]).get_json()
    assert org["name"] == "Victim Prints"
    events = client.get(f"/api/organizations/{victim['org_id']}/events/?page_size=100",
                        headers=victim["headers"]).get_json()
    assert "intrusion" not in {e["event_type"] for e in events}
    files = client.get(f"/api/organizations/{victim['org_id']}/files/", headers=victim["headers"]).get_json()
    assert [f["filename"] for f in files] == ["victim-design.png"] and files[0]["tags"] == []


def test_victim_ids_under_the_intruders_own_org_are_404(app, client, victim_and_intruder):
    """The intruder's own org in the path passes the org check: every inner id must still be refused."""
    victim, intruder, ids = victim_and_intruder
    own = {**ids, "org_id": intruder["org_id"]}
    for rule, method in _org_rules(app):
        inner = rule.arguments - {"org_id", "kind"}
        # Audit trails take a free-form entity reference, not an id of a row: an unknown one is simply empty.
        if not inner or inner == {"entity_type", "entity_id"}:
            continue
        path = rule.rule
        for name in rule.arguments:
            path = re.sub(rf"<[^<>]*\b{name}>", str(own[name]), path)
        kwargs = {"headers": intruder["headers"]}
        if method in ("POST", "PUT", "PATCH"):
            kwargs["json"] = _body_for(rule)
        response = client.open(path, method=method, **kwargs)
        # A body the route refuses (422) is answered before the id is looked at; it shows and changes nothing.
        allowed = (404,) if method in ("GET", "DELETE") else (404, 422)
        assert response.status_code in allowed, (method, path, response.status_code,
                                                  response.get_data(as_text=True))
        text = response.get_data(as_text=True)
        for secret in ("victim.secret", victim["user"]["email"], "Victim Prints", "victim-design", "Victim Shop",
                       "Victim Buyer"):
            assert secret not in text, (method, path)
    files = client.get(f"/api/organizations/{victim['org_id']}/files/", headers=victim["headers"]).get_json()
    # Storage outlives each test's rolled-back database, so an earlier test's upload may have taken the plain name.
    assert len(files) == 1 and files[0]["filename"].startswith("victim-design") and files[0]["tags"] == []


def test_unauthenticated_requests_are_401_everywhere(app, client, victim_and_intruder):
    _, _, ids = victim_and_intruder
    for rule, method in _org_rules(app):
        path = rule.rule
        for name in rule.arguments:
            path = re.sub(rf"<[^<>]*\b{name}>", str(ids[name]), path)
        assert client.open(path, method=method).status_code == 401, (method, path)
