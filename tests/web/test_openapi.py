"""The OpenAPI document and the offline Swagger UI."""
from __future__ import annotations


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
                    "OrdersJobParams"}
    assert "items" in spec["components"]["schemas"]["GangSheetsJobParams"]["properties"]
