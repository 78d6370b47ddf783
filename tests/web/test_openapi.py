"""The OpenAPI document and the offline Swagger UI."""
from __future__ import annotations

import decimal

from models import order as order_model
from models import shop as shop_model
from models import tenancy
from tests import helpers


def test_spec_documents_security_and_errors(client):
    spec = client.get("/api/openapi.json").get_json()
    assert spec["components"]["securitySchemes"]["bearerAuth"]["scheme"] == "bearer"
    assert spec["security"] == [{"bearerAuth": []}]
    org_get = spec["paths"]["/api/organizations/{org_id}"]["get"]
    for code in ("401", "403", "404", "500"):
        assert code in org_get["responses"], code
    assert "422" in spec["paths"]["/api/auth/register"]["post"]["responses"]
    assert spec["paths"]["/ping"]["get"]["security"] == []
    for path, operations in spec["paths"].items():
        for method, operation in operations.items():
            if method == "parameters":
                continue
            assert "500" in operation["responses"], (path, method)


def test_swagger_ui_is_served_from_local_assets(client):
    page = client.get("/api/docs")
    assert page.status_code == 200
    html = page.get_data(as_text=True)
    assert "/api/docs/assets/swagger-ui-bundle.js" in html and "cdn" not in html.lower()
    asset = client.get("/api/docs/assets/swagger-ui-bundle.js")
    assert asset.status_code == 200 and len(asset.data) > 100_000


def test_each_job_type_documents_its_parameters(client):
    spec = client.get("/api/openapi.json").get_json()
    params = spec["components"]["schemas"]["PrintJobCreate"]["properties"]["params"]
    refs = {ref["$ref"].rsplit("/", 1)[1] for ref in params["oneOf"]}
    assert refs == {"PrintFilesJobParams", "DesignsJobParams", "GangSheetsJobParams", "MockupsJobParams",
                    "OrdersJobParams", "ListingsJobParams", "ShipmentsJobParams", "ImportsJobParams"}
    assert "items" in spec["components"]["schemas"]["GangSheetsJobParams"]["properties"]


def _walk(node, path=""):
    """Every (path, key, value) of a JSON document."""
    if isinstance(node, dict):
        for key, value in node.items():
            yield path, key, value
            yield from _walk(value, f"{path}/{key}")
    elif isinstance(node, list):
        for index, value in enumerate(node):
            yield from _walk(value, f"{path}/{index}")


def test_document_is_valid_openapi_3(client):
    from openapi_spec_validator import validate

    validate(client.get("/api/openapi.json").get_json())


def test_uploads_are_one_multipart_request_body(client):
    spec = client.get("/api/openapi.json").get_json()
    assert not [p for p, key, value in _walk(spec) if key == "in" and value == "formData"]
    upload = spec["paths"]["/api/organizations/{org_id}/files/upload"]["post"]
    assert "parameters" not in upload or all(p["in"] == "path" for p in upload["parameters"])
    ref = upload["requestBody"]["content"]["multipart/form-data"]["schema"]["$ref"]
    body = spec["components"]["schemas"][ref.rsplit("/", 1)[1]]
    assert body["properties"]["file"] == {"type": "string", "format": "binary"}
    assert {"file_type", "tags", "shop_id", "allow_duplicate"} <= set(body["properties"])
    assert set(body["required"]) == {"file", "file_type"}


def test_numeric_limits_and_defaults_are_numbers(client):
    spec = client.get("/api/openapi.json").get_json()
    keys = ("minimum", "maximum", "exclusiveMinimum", "exclusiveMaximum", "multipleOf")
    strings = [(path, key, value) for path, key, value in _walk(spec) if key in keys and isinstance(value, str)]
    assert strings == []
    settings = spec["components"]["schemas"]["OrganizationSettings"]["properties"]["film_price_per_inch"]
    assert settings["type"] == "number" and settings["maximum"] == 1000


def test_money_is_a_number(client, session):
    owner = helpers.register(client)
    url = f"/api/organizations/{owner['org_id']}"
    body = client.patch(url, headers=owner["headers"],
                        json={"settings": {"film_price_per_inch": 0.35, "currency": "USD"}}).get_json()
    assert body["settings"]["film_price_per_inch"] == 0.35
    # A price sent as a string, as earlier clients did, is read exactly and answered as a number.
    body = client.patch(url, headers=owner["headers"], json={"settings": {"film_price_per_inch": "0.125"}}).get_json()
    assert body["settings"] == {"film_price_per_inch": 0.125, "currency": "USD"}
    with tenancy.org_scope(owner["org_id"]):
        shop = shop_model.Shop(org_id=owner["org_id"], etsy_shop_id=31, name="S", status="connected")
        session.add(shop)
        session.flush()
        order = order_model.Order(org_id=owner["org_id"], shop_id=shop.id, etsy_receipt_id=32, is_paid=True,
                                  grandtotal=decimal.Decimal("24.50"), currency="USD")
        session.add(order)
        session.flush()
    answer = client.get(f"{url}/orders/{order.id}", headers=owner["headers"]).get_json()
    assert answer["grandtotal"] == 24.5
