"""The console's cookie session: sign-in, cookie flags, CSRF on every form, roles, and another org's ids as 404."""
from __future__ import annotations

import dataclasses
import io

import pytest

from tests import helpers, imagegen
from tests.web.console import pages
from web import create_app


def test_root_goes_to_the_console_which_asks_to_sign_in(client):
    assert client.get("/").headers["Location"].endswith("/console/")
    answer = client.get("/console/jobs?status=failed")
    assert answer.status_code == 302 and "/console/sign-in?next=/console/jobs?status%3Dfailed" in answer.headers[
        "Location"] or "next=" in answer.headers["Location"]
    assert client.get("/console/sign-in").status_code == 200


def test_sign_in_sets_a_safe_cookie_and_every_page_answers(client):
    owner = helpers.register(client)
    answer = pages.sign_in(client, owner["user"]["email"])
    assert answer.status_code == 302 and answer.headers["Location"].endswith("/console/")
    cookie = next(h for h in answer.headers.getlist("Set-Cookie") if h.startswith("esa_console="))
    assert "HttpOnly" in cookie and "SameSite=Lax" in cookie and "Secure" not in cookie
    for path in ("/console/", "/console/jobs", "/console/designs", "/console/gang-sheets", "/console/orders",
                 "/console/orders/unmatched", "/console/shops", "/console/mockups", "/console/settings",
                 "/console/settings/audit", "/console/organization"):
        page = client.get(path)
        assert page.status_code == 200, (path, page.get_data(as_text=True)[:800])
    assert "No jobs match" in client.get("/console/jobs").get_data(as_text=True)
    export = client.get("/console/settings/audit.csv")
    assert export.status_code == 200 and "user.login" in export.get_data(as_text=True)


def test_wrong_password_shows_the_form_again(client):
    owner = helpers.register(client)
    answer = pages.sign_in(client, owner["user"]["email"], "not-the-password")
    assert answer.status_code == 401 and "Invalid email or password" in answer.get_data(as_text=True)
    assert client.get("/console/").status_code == 302


def test_secure_cookie_in_production(app, settings):
    prod = create_app(dataclasses.replace(settings, env="production"))
    assert prod.config["SESSION_COOKIE_SECURE"] is True and app.config["SESSION_COOKIE_SECURE"] is False


def test_forms_without_the_csrf_token_are_refused(client):
    owner = helpers.register(client)
    assert pages.sign_in(client, owner["user"]["email"]).status_code == 302
    for path, data in (("/console/sign-out", {}), ("/console/settings/features", {"flag": "print"}),
                       ("/console/settings/printers", {"name": "P", "printer_type": "dtf", "max_width_in": "22"})):
        refused = client.post(path, data=data)
        assert refused.status_code == 400, path
        assert "expired" in refused.get_data(as_text=True)
        wrong = client.post(path, data={**data, "csrf_token": "forged"})
        assert wrong.status_code == 400, path
    # Still signed in, nothing changed: the printer form without the token stored nothing.
    assert "No printers yet" in client.get("/console/settings").get_data(as_text=True)
    ok = client.post("/console/settings/printers", data={"name": "Epson", "printer_type": "dtf",
                                                          "max_width_in": "22", "csrf_token": pages.csrf(
                                                              client, "/console/settings")})
    assert ok.status_code == 302 and "Epson" in client.get("/console/settings").get_data(as_text=True)
    # Sign-in itself needs the token too (login CSRF).
    client.post("/console/sign-out", data={"csrf_token": pages.csrf(client, "/console/")})
    assert client.post("/console/sign-in", data={"email": owner["user"]["email"],
                                                 "password": helpers.PASSWORD}).status_code == 400


def test_another_orgs_ids_are_a_404_page(client, session):
    other = helpers.register(client)
    upload = client.post(f"/api/organizations/{other['org_id']}/files/upload", headers=other["headers"],
                         content_type="multipart/form-data",
                         data={"file": (io.BytesIO(imagegen.png()), "theirs.png"), "file_type": "designs"})
    file_id = upload.get_json()["file"]["id"]
    job = client.post(f"/api/organizations/{other['org_id']}/print-jobs/", headers=other["headers"],
                      json={"job_type": "designs", "params": {"file_ids": [file_id]}})
    assert job.status_code in (201, 202), job.get_json()
    job_id = job.get_json()["id"]
    mine = helpers.register(client)
    pages.sign_in(client, mine["user"]["email"])
    for path in (f"/console/jobs/{job_id}", f"/console/files/{file_id}/download",
                 f"/console/files/{file_id}/thumbnail", "/console/orders/999999", "/console/mockups/999999"):
        page = client.get(path)
        assert page.status_code == 404, path
        assert "Not found" in page.get_data(as_text=True)
    token = pages.csrf(client, "/console/jobs")
    assert client.post(f"/console/jobs/{job_id}/cancel", data={"csrf_token": token}).status_code == 404
    assert client.get(f"/console/jobs/progress?ids={job_id}").get_json() == []


@pytest.mark.parametrize("role", ["viewer"])
def test_viewers_read_but_do_not_act(client, role):
    owner = helpers.register(client)
    viewer = helpers.add_member(client, owner, role)
    pages.sign_in(client, viewer["user"]["email"])
    assert client.get("/console/settings").status_code == 200
    token = pages.csrf(client, "/console/settings")
    refused = client.post("/console/settings/features", data={"flag": "print", "csrf_token": token})
    assert refused.status_code == 403
    assert client.get("/console/settings/audit").status_code == 403


def test_pages_of_a_feature_turned_off_are_refused_naming_it(client):
    owner = helpers.register(client)
    helpers.set_features(client, owner, etsy_sync=False, orders=False)
    pages.sign_in(client, owner["user"]["email"])
    for path in ("/console/shops", "/console/orders", "/console/orders/unmatched"):
        page = client.get(path)
        assert page.status_code == 403 and ("etsy_sync" in page.get_data(as_text=True)
                                            or "orders" in page.get_data(as_text=True)), path
    refused = client.post("/console/shops/connect", data={"csrf_token": pages.csrf(client, "/console/")})
    assert refused.status_code == 403
    assert client.get("/console/gang-sheets").status_code == 200


def test_superusers_switch_organization_members_cannot(client, session):
    from models import tenancy
    from models import user as user_model

    admin = helpers.register(client, org_name="Platform")
    other = helpers.register(client, org_name="Customer Prints")
    with tenancy.org_scope(admin["org_id"]):
        session.get(user_model.User, admin["user"]["id"]).is_superuser = True
        session.commit()
    pages.sign_in(client, admin["user"]["email"])
    listing = client.get("/console/organization").get_data(as_text=True)
    assert "Customer Prints" in listing
    token = pages.csrf(client, "/console/organization")
    assert client.post("/console/organization", data={"org_id": str(other["org_id"]),
                                                      "csrf_token": token}).status_code == 302
    assert "Customer Prints" in client.get("/console/").get_data(as_text=True)
    assert client.post("/console/organization", data={"org_id": "999999", "csrf_token": token}).status_code == 404
    client.post("/console/sign-out", data={"csrf_token": token})
    pages.sign_in(client, other["user"]["email"])
    token = pages.csrf(client, "/console/organization")
    refused = client.post("/console/organization", data={"org_id": str(admin["org_id"]), "csrf_token": token})
    assert refused.status_code == 403
    assert "Customer Prints" in client.get("/console/").get_data(as_text=True)
