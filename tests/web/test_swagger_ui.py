"""Swagger UI's "Try it out", in a real headless Chromium: an upload sends the file and every form field."""
from __future__ import annotations

import io

import requests
from sqlalchemy import select

from models import file as file_model
from models import tenancy
from tests import browser, helpers, imagegen

UPLOAD = "/api/organizations/{org_id}/files/upload"


def test_upload_through_swagger_ui(app, committed, tmp_path):
    session, created = committed
    design = tmp_path / "swagger-design.png"
    design.write_bytes(imagegen.png(64, 48))
    with browser.serve(app) as base, browser.chromium() as chromium:
        owner = requests.post(f"{base}/api/auth/register", timeout=10, json={
            "email": "swagger@example.com", "password": helpers.PASSWORD, "organization_name": "Swagger Prints"})
        assert owner.status_code == 201, owner.text
        org_id, token = owner.json()["organization"]["id"], owner.json()["access_token"]
        created.append(org_id)
        page = chromium.new_page(viewport={"width": 1280, "height": 900})
        page.goto(f"{base}/api/docs")
        # Sign in as a user would: the Authorize dialog, with the access token.
        page.click("button.authorize")
        page.fill(".auth-container input", token)
        page.click(".auth-btn-wrapper button.authorize")
        page.click(".auth-btn-wrapper button.btn-done")
        operation = page.locator(".opblock", has=page.locator(f'.opblock-summary-path[data-path="{UPLOAD}"]'))
        operation.locator(".opblock-summary").first.click()
        operation.locator("button.try-out__btn").click()
        operation.locator('tr[data-param-name="org_id"] input').fill(str(org_id))
        operation.locator('tr[data-property-name="file"] input[type=file]').set_input_files(str(design))
        operation.locator('tr[data-property-name="file_type"] select').select_option("designs")
        operation.locator('tr[data-property-name="tags"] input[type=text]').fill("swagger,browser")
        operation.locator("button.execute").click()
        status = operation.locator(".live-responses-table .response .response-col_status").first
        status.wait_for(timeout=30_000)
        answer = operation.locator(".live-responses-table .response-col_description pre").first.inner_text()
        operation.locator(".live-responses-table").scroll_into_view_if_needed()
        page.screenshot(path=str(tmp_path / "swagger-upload.png"))
        assert status.inner_text().strip() == "201", answer
    with tenancy.org_scope(org_id):
        row = session.scalars(select(file_model.File)).one()
    assert (row.filename, row.file_type, sorted(row.tags), row.width_px) == (
        "swagger-design.png", "designs", ["browser", "swagger"], 64)


def test_blank_optional_form_fields_count_as_not_given(client):
    """Swagger UI and browsers send a form's blank fields as "": an empty shop_id is no shop, not a bad integer."""
    owner = helpers.register(client)
    response = client.post(f"/api/organizations/{owner['org_id']}/files/upload", headers=owner["headers"],
                           content_type="multipart/form-data",
                           data={"file": (io.BytesIO(imagegen.png()), "blank.png"), "file_type": "designs",
                                 "shop_id": "", "tags": "", "allow_duplicate": "false"})
    assert response.status_code == 201, response.get_json()
    assert response.get_json()["file"]["shop_id"] is None and response.get_json()["file"]["tags"] == []
    missing = client.post(f"/api/organizations/{owner['org_id']}/files/upload", headers=owner["headers"],
                          content_type="multipart/form-data",
                          data={"file": (io.BytesIO(imagegen.png()), "blank.png"), "file_type": ""})
    assert helpers.assert_error(missing, 422)["errors"] == {"file_type": ["Missing data for required field."]}
