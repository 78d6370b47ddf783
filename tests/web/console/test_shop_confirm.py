"""The Etsy callback lands on the console: the starting member signs in (if needed) and confirms; others are
refused and nothing is stored."""
from __future__ import annotations

from urllib.parse import urlsplit

from sqlalchemy import select

from models import shop as shop_model
from models import tenancy
from tests import helpers
from tests.web.console import pages
from tests.web.test_shops import _approve


def _started_in_console(client, email: str) -> str:
    """Connect from the Shops page; answers the confirmation page Etsy's callback sends the browser to."""
    assert pages.sign_in(client, email).status_code == 302
    to_etsy = client.post("/console/shops/connect", data={"csrf_token": pages.csrf(client, "/console/shops")})
    assert to_etsy.status_code == 302, to_etsy.get_data(as_text=True)[:300]
    back = _approve(to_etsy.headers["Location"])
    landed = client.get("/api/etsy/oauth/callback", query_string=back, headers={"Accept": "text/html"})
    assert landed.status_code == 302
    return urlsplit(landed.headers["Location"]).path


def _shops(session, org_id):
    with tenancy.org_scope(org_id):
        return [(s.status, s.name) for s in session.scalars(select(shop_model.Shop))]


def test_the_starting_member_signs_in_then_confirms(client, etsy_app, double, session):
    double.add_seller(shop_name="SunnyDTF")
    owner = helpers.register(client)
    confirm = _started_in_console(client, owner["user"]["email"])
    client.post("/console/sign-out", data={"csrf_token": pages.csrf(client, "/console/")})
    # Without the member's session the callback's page asks to sign in, then shows the confirmation.
    asked = client.get(confirm)
    assert asked.status_code == 302 and "/console/sign-in?next=" in asked.headers["Location"]
    signed = client.post("/console/sign-in", data={"email": owner["user"]["email"], "password": helpers.PASSWORD,
                                                   "next": confirm, "csrf_token": pages.csrf(client)})
    assert signed.headers["Location"] == confirm
    page = client.get(confirm)
    assert page.status_code == 200 and "Connect this Etsy shop?" in page.get_data(as_text=True)
    assert _shops(session, owner["org_id"]) == [("pending", None)]
    done = client.post(confirm, data={"csrf_token": pages.csrf(client, confirm)})
    assert done.status_code == 302 and done.headers["Location"].endswith("/console/shops")
    assert _shops(session, owner["org_id"]) == [("connected", "SunnyDTF")]
    assert "SunnyDTF" in client.get("/console/shops").get_data(as_text=True)


def test_another_member_is_refused(client, etsy_app, double, session):
    double.add_seller()
    owner = helpers.register(client)
    admin = helpers.add_member(client, owner, "admin")
    confirm = _started_in_console(client, owner["user"]["email"])
    client.post("/console/sign-out", data={"csrf_token": pages.csrf(client, "/console/")})
    pages.sign_in(client, admin["user"]["email"])
    page = client.get(confirm)
    assert page.status_code == 403 and "member who started" in page.get_data(as_text=True)
    refused = client.post(confirm, data={"csrf_token": pages.csrf(client, "/console/shops")})
    assert refused.status_code in (302, 403)
    assert _shops(session, owner["org_id"]) == [("pending", None)]
