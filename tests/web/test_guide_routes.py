"""The deployment guide's 49 routes: each answers at its method and path, is documented, and PUT updates like PATCH."""
from __future__ import annotations

import dataclasses
import io
import re

import pytest

from models import shop as shop_model
from models import tenancy
from models import user as user_model
from tests import helpers, imagegen

ORG = "/api/organizations/{org_id}"
# The guide's list, as it prints it (`...` is /api/organizations/{org_id}).
GUIDE = """
POST /api/organizations/              GET /api/organizations/           GET /api/organizations/{id}
PUT /api/organizations/{id}           DELETE /api/organizations/{id}    GET /api/organizations/{id}/features
PUT /api/organizations/{id}/features  GET /api/organizations/{id}/stats
POST /api/organizations/{org_id}/shops/   GET .../shops/   GET .../shops/{id}   PUT .../shops/{id}
DELETE .../shops/{id}   POST .../shops/{id}/sync
POST .../files/upload   GET .../files/search   GET .../files/{id}   PUT .../files/{id}   DELETE .../files/{id}
GET .../files/{id}/download   GET .../files/stats/storage
POST .../print-jobs/   GET .../print-jobs/search   GET .../print-jobs/{id}   POST .../print-jobs/{id}/retry
POST .../print-jobs/{id}/cancel   GET .../print-jobs/stats/summary   GET .../print-jobs/queue/info
POST .../events/   GET .../events/search   GET .../events/{id}   GET .../events/audit/{type}/{id}
GET .../events/activity/user/{id}   GET .../events/activity/errors   GET .../events/stats/summary
GET .../events/export/audit-trail
POST /api/printers/   GET /api/printers/   GET /api/printers/{id}   PUT /api/printers/{id}
DELETE /api/printers/{id}   POST /api/printers/{id}/check-capability   GET /api/printers/compatible/find
GET /api/printers/default/get   POST /api/printers/{id}/set-default   GET /api/printers/stats/summary
GET /api/printers/suggestions/config   GET /health   GET /ping
"""
GUIDE_ROUTES = [(method, path.replace("...", "/api/organizations/{org_id}"))
                for method, path in re.findall(r"(GET|POST|PUT|DELETE) (\S+)", GUIDE)]


def _flask_rule(path: str) -> str:
    """The guide's path with every `{name}` replaced by a number or a word the route's converter accepts."""
    path = re.sub(r"/audit/\{type\}/\{id\}", "/audit/files/1", path)
    return re.sub(r"\{[^}]+\}", "1", path)


def _spec_path(spec_paths: dict, path: str) -> str | None:
    """The OpenAPI path that matches the guide's path (parameter names may differ)."""
    pattern = re.sub(r"\\\{[^}]+\\\}", r"\\{[^}]+\\}", re.escape(path))
    return next((p for p in spec_paths if re.fullmatch(pattern, p)), None)


def test_the_list_is_the_guides_49_routes():
    assert len(GUIDE_ROUTES) == 49 and len(set(GUIDE_ROUTES)) == 49


@pytest.mark.parametrize(("method", "path"), GUIDE_ROUTES, ids=[f"{m} {p}" for m, p in GUIDE_ROUTES])
def test_route_is_served_and_documented(app, method, path):
    adapter = app.url_map.bind("localhost")
    endpoint, _ = adapter.match(_flask_rule(path), method=method)  # raises NotFound / MethodNotAllowed
    assert endpoint != "static"
    spec = app.test_client().get("/api/openapi.json").get_json()
    documented = _spec_path(spec["paths"], path)
    assert documented is not None and method.lower() in spec["paths"][documented], (method, path)


def test_aliases_share_the_handlers_and_schemas(app):
    spec = app.test_client().get("/api/openapi.json").get_json()["paths"]
    org = "/api/organizations/{org_id}"
    pairs = [("post", f"{org}/files/upload", f"{org}/files/"), ("get", f"{org}/files/search", f"{org}/files/"),
             ("get", f"{org}/print-jobs/search", f"{org}/print-jobs/"),
             ("get", f"{org}/events/search", f"{org}/events/"),
             ("get", f"{org}/events/audit/{{entity_type}}/{{entity_id}}",
              f"{org}/events/audit-trail/{{entity_type}}/{{entity_id}}"),
             ("get", f"{org}/events/activity/user/{{user_id}}", f"{org}/events/users/{{user_id}}/activity"),
             ("get", f"{org}/events/activity/errors", f"{org}/events/system-errors"),
             ("get", f"{org}/events/export/audit-trail", f"{org}/events/export")]
    for method, alias, original in pairs:
        assert spec[alias][method] == spec[original][method], alias
        assert set(spec[alias]) - {"parameters"} == {method}, alias  # only the guide's method
    for path in (f"{org}", f"{org}/shops/{{shop_id}}", f"{org}/files/{{file_id}}", "/api/printers/{printer_id}"):
        assert spec[path]["put"] == spec[path]["patch"], path
    views = {rule.rule: app.view_functions[rule.endpoint].view_class for rule in app.url_map.iter_rules()
             if hasattr(app.view_functions[rule.endpoint], "view_class")}
    base = "/api/organizations/<int:org_id>"
    assert views[f"{base}/files/upload"] is views[f"{base}/files/"]
    assert views[f"{base}/events/activity/errors"] is views[f"{base}/events/system-errors"]


def _superuser(client, session) -> dict:
    owner = helpers.register(client, org_name="Guide Platform")
    with tenancy.org_scope(owner["org_id"]):
        session.get(user_model.User, owner["user"]["id"]).is_superuser = True
        session.commit()
    login = client.post("/api/auth/login", json={"email": owner["user"]["email"], "password": helpers.PASSWORD})
    return {**owner, "headers": helpers.bearer(login.get_json()["access_token"])}


def test_a_guide_client_walks_every_route(app, client, session, settings, monkeypatch):
    """Each of the 49 routes, called the way the guide documents it, answers its success status."""
    monkeypatch.setitem(app.extensions, "esa_settings", dataclasses.replace(
        settings, etsy_api_key="guide-key", etsy_client_secret="guide-secret",
        etsy_redirect_uri="http://127.0.0.1:9/api/etsy/oauth/callback"))
    su, owner = _superuser(client, session), helpers.register(client, org_name="Guide Client Prints")
    walked: list[tuple[str, str]] = []

    def call(method: str, guide_path: str, path: str, status: int, who: dict | None = None,
             **kwargs) -> dict | list | None:
        response = client.open(path, method=method, headers=(who or owner)["headers"], **kwargs)
        assert response.status_code == status, (method, path, response.get_data(as_text=True)[:500])
        walked.append((method, guide_path))
        return response.get_json(silent=True)

    created = call("POST", "/api/organizations/", "/api/organizations/", 201, su, json={"name": "Another Shop"})
    call("GET", "/api/organizations/", "/api/organizations/", 200)
    o = f"/api/organizations/{owner['org_id']}"
    call("GET", "/api/organizations/{id}", o, 200)
    assert call("PUT", "/api/organizations/{id}", o, 200, json={"name": "Renamed"})["name"] == "Renamed"
    call("GET", "/api/organizations/{id}/features", f"{o}/features", 200)
    call("PUT", "/api/organizations/{id}/features", f"{o}/features", 200, json={"features": {"analytics": True}})
    call("GET", "/api/organizations/{id}/stats", f"{o}/stats", 200)

    g = "/api/organizations/{org_id}"
    call("POST", f"{g}/shops/", f"{o}/shops/", 201, json={})
    with tenancy.org_scope(owner["org_id"]):
        shop = shop_model.Shop(org_id=owner["org_id"], etsy_shop_id=5151, name="Guide Shop", status="connected")
        session.add(shop)
        session.commit()
    call("GET", f"{g}/shops/", f"{o}/shops/", 200)
    call("GET", f"{g}/shops/{{id}}", f"{o}/shops/{shop.id}", 200)
    assert call("PUT", f"{g}/shops/{{id}}", f"{o}/shops/{shop.id}", 200, json={"hold_hours": 3})["hold_hours"] == 3
    call("POST", f"{g}/shops/{{id}}/sync", f"{o}/shops/{shop.id}/sync", 202, json={})
    call("DELETE", f"{g}/shops/{{id}}", f"{o}/shops/{shop.id}", 204)

    upload = call("POST", f"{g}/files/upload", f"{o}/files/upload", 201, content_type="multipart/form-data",
                  data={"file": (io.BytesIO(imagegen.png()), "guide.png"), "file_type": "designs", "tags": "a,b"})
    file_id = upload["file"]["id"]
    assert upload["file"]["tags"] == ["a", "b"]
    assert [f["id"] for f in call("GET", f"{g}/files/search", f"{o}/files/search?q=guide", 200)] == [file_id]
    call("GET", f"{g}/files/{{id}}", f"{o}/files/{file_id}", 200)
    renamed = call("PUT", f"{g}/files/{{id}}", f"{o}/files/{file_id}", 200, json={"tags": ["c"]})
    assert renamed["tags"] == ["c"] and renamed["filename"] == "guide.png"
    call("GET", f"{g}/files/{{id}}/download", f"{o}/files/{file_id}/download", 200)
    call("GET", f"{g}/files/stats/storage", f"{o}/files/stats/storage", 200)

    job = call("POST", f"{g}/print-jobs/", f"{o}/print-jobs/", 201,
               json={"job_type": "designs", "params": {"file_ids": [file_id]}})
    call("GET", f"{g}/print-jobs/search", f"{o}/print-jobs/search?job_type=designs", 200)
    call("GET", f"{g}/print-jobs/{{id}}", f"{o}/print-jobs/{job['id']}", 200)
    call("POST", f"{g}/print-jobs/{{id}}/cancel", f"{o}/print-jobs/{job['id']}/cancel", 200)
    call("POST", f"{g}/print-jobs/{{id}}/retry", f"{o}/print-jobs/{job['id']}/retry", 200)
    call("GET", f"{g}/print-jobs/stats/summary", f"{o}/print-jobs/stats/summary", 200)
    call("GET", f"{g}/print-jobs/queue/info", f"{o}/print-jobs/queue/info", 200)
    call("DELETE", f"{g}/files/{{id}}", f"{o}/files/{file_id}", 204)

    event = call("POST", f"{g}/events/", f"{o}/events/", 201,
                 json={"event_type": "guide.checked", "entity_type": "files", "entity_id": "7"})
    assert [e["id"] for e in call("GET", f"{g}/events/search", f"{o}/events/search?event_type=guide.checked",
                                  200)] == [event["id"]]
    call("GET", f"{g}/events/{{id}}", f"{o}/events/{event['id']}", 200)
    trail = call("GET", f"{g}/events/audit/{{type}}/{{id}}", f"{o}/events/audit/files/7", 200)
    assert [e["id"] for e in trail] == [event["id"]]
    call("GET", f"{g}/events/activity/user/{{id}}", f"{o}/events/activity/user/{owner['user']['id']}", 200)
    call("GET", f"{g}/events/activity/errors", f"{o}/events/activity/errors", 200)
    call("GET", f"{g}/events/stats/summary", f"{o}/events/stats/summary", 200)
    call("GET", f"{g}/events/export/audit-trail", f"{o}/events/export/audit-trail?format=csv", 200)

    p = "/api/printers"
    printer = call("POST", f"{p}/", f"{p}/", 201, json={"name": "Guide DTF", "printer_type": "dtf",
                                                        "max_width_in": 22, "dpi": 300})
    second = client.post(f"{p}/", headers=owner["headers"], json={"name": "Spare", "printer_type": "dtf",
                                                               "max_width_in": 13}).get_json()
    call("GET", f"{p}/", f"{p}/", 200)
    call("GET", f"{p}/{{id}}", f"{p}/{printer['id']}", 200)
    assert call("PUT", f"{p}/{{id}}", f"{p}/{printer['id']}", 200, json={"model": "XL"})["name"] == "Guide DTF"
    call("POST", f"{p}/{{id}}/check-capability", f"{p}/{printer['id']}/check-capability", 200,
         json={"width_in": 20, "length_in": 100, "dpi": 300})
    call("GET", f"{p}/compatible/find", f"{p}/compatible/find?width_in=20", 200)
    call("POST", f"{p}/{{id}}/set-default", f"{p}/{second['id']}/set-default", 200)
    assert call("GET", f"{p}/default/get", f"{p}/default/get", 200)["id"] == second["id"]
    call("GET", f"{p}/stats/summary", f"{p}/stats/summary", 200)
    call("GET", f"{p}/suggestions/config", f"{p}/suggestions/config", 200)
    call("DELETE", f"{p}/{{id}}", f"{p}/{printer['id']}", 204)

    call("GET", "/health", "/health", 200)
    call("GET", "/ping", "/ping", 200)
    call("DELETE", "/api/organizations/{id}", f"/api/organizations/{created['id']}", 204, su)
    assert sorted(walked) == sorted(GUIDE_ROUTES)


def test_put_is_a_partial_update_like_patch(client):
    owner = helpers.register(client, org_name="Put Prints")
    o = f"/api/organizations/{owner['org_id']}"
    client.patch(o, headers=owner["headers"], json={"settings": {"currency": "EUR"}})
    body = client.put(o, headers=owner["headers"], json={"name": "Put Renamed"}).get_json()
    assert body["name"] == "Put Renamed" and body["settings"]["currency"] == "EUR"
    printer = client.post("/api/printers/", headers=owner["headers"],
                          json={"name": "P", "printer_type": "dtf", "max_width_in": 22, "dpi": 600}).get_json()
    body = client.put(f"/api/printers/{printer['id']}", headers=owner["headers"], json={"name": "Q"}).get_json()
    assert body["name"] == "Q" and body["dpi"] == 600
    helpers.assert_error(client.put(f"/api/printers/{printer['id']}", headers=owner["headers"],
                                    json={"dpi": "many"}), 422)
