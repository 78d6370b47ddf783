"""Feature flags: each gates its part of the API and its job types with a 403 naming it; documented in OpenAPI."""
from __future__ import annotations

import io
import re

import pytest

from models import base, errors, tenancy
from models import order as order_model
from models import organization as org_model
from models import print_job as job_model
from models import shop as shop_model
from models import template as template_model
from services import features, organizations, production, shops
from tests import helpers, imagegen
from tests.jobs import factories
from tests.web.test_organizations import _superuser

FLAGS = sorted(org_model.FEATURE_DEFAULTS)


def _all_on_but(client, owner: dict, flag: str) -> None:
    helpers.set_features(client, owner, **{name: name != flag for name in FLAGS if name != "api_access"})
    if flag == "api_access":  # the last switch: once off, the owner's own token is refused too
        helpers.set_features(client, owner, api_access=False)


def _gated_operations(client) -> list[tuple[str, str, list[str]]]:
    spec = client.get("/api/openapi.json").get_json()
    return [(method, path, operation["x-feature-flags"]) for path, operations in spec["paths"].items()
            for method, operation in operations.items()
            if isinstance(operation, dict) and "x-feature-flags" in operation]


def test_every_flag_is_described_and_every_job_type_has_one():
    assert set(features.MEANINGS) == set(org_model.FEATURE_DEFAULTS)
    assert set(features.JOB_TYPES) == set(job_model.JOB_TYPES)
    assert set(features.JOB_TYPES.values()) <= set(FLAGS)


def test_flags_and_their_meaning_are_in_the_openapi_document(client):
    spec = client.get("/api/openapi.json").get_json()
    flags = spec["components"]["schemas"]["FeatureFlags"]["properties"]
    assert set(flags) == set(FLAGS)
    assert flags["analytics"]["default"] is True and "statistics" in flags["analytics"]["description"]
    assert spec["components"]["schemas"]["Features"]["properties"]["features"]["$ref"].endswith("/FeatureFlags")
    for name in FLAGS:
        assert f"`{name}`" in spec["info"]["description"], name
    gated = {flag for _, _, flags in _gated_operations(client) for flag in flags}
    # api_access gates every authenticated operation (info says so); the others name their operations.
    assert gated == set(FLAGS) - {"api_access"}
    layout = spec["paths"]["/api/organizations/{org_id}/gang-sheets/layout"]["post"]
    assert "`gang_sheets`" in layout["description"] and "gang_sheets" in layout["responses"]["403"]["description"]
    job_type = spec["components"]["schemas"]["PrintJobCreate"]["properties"]["job_type"]["description"]
    assert "print_files -> `print`" in job_type


@pytest.mark.parametrize("flag", sorted(set(FLAGS) - {"api_access"}))
def test_a_flag_that_is_off_refuses_each_operation_it_gates(client, flag):
    owner = helpers.register(client)
    _all_on_but(client, owner, flag)
    walked = 0
    for method, path, flags in _gated_operations(client):
        if flag not in flags:
            continue
        path = path.replace("{kind}", "sections").replace("{org_id}", str(owner["org_id"]))
        url = re.sub(r"\{[^}]+\}", "1", path)
        response = client.open(url, method=method.upper(), headers=owner["headers"], json={})
        body = helpers.assert_error(response, 403)
        assert body["errors"] == {"feature": flag} and f"'{flag}'" in body["message"], (method, path)
        walked += 1
    assert walked >= 1
    helpers.set_features(client, owner, **{flag: True})
    for method, path, flags in _gated_operations(client):
        if flag in flags and method == "get" and "{" not in path.replace("{org_id}", ""):
            url = path.replace("{org_id}", str(owner["org_id"]))
            assert client.get(url, headers=owner["headers"]).status_code != 403, url


@pytest.mark.parametrize("job_type", sorted(features.JOB_TYPES))
def test_job_types_need_their_flag(client, job_type):
    owner = helpers.register(client)
    flag = features.JOB_TYPES[job_type]
    helpers.set_features(client, owner, **{flag: False})
    response = client.post(f"/api/organizations/{owner['org_id']}/print-jobs/", headers=owner["headers"],
                           json={"job_type": job_type, "params": {}})
    assert helpers.assert_error(response, 403)["errors"] == {"feature": flag}
    helpers.set_features(client, owner, **{flag: True})
    response = client.post(f"/api/organizations/{owner['org_id']}/print-jobs/", headers=owner["headers"],
                           json={"job_type": job_type, "params": {}})
    # Past the gate: now the empty params are refused (an import of the whole NAS folder needs none).
    assert response.status_code == (201 if job_type == "imports" else 422)


def test_a_job_of_a_flag_turned_off_is_not_retried(client):
    owner = helpers.register(client)
    design = client.post(f"/api/organizations/{owner['org_id']}/files/upload", headers=owner["headers"],
                         content_type="multipart/form-data",
                         data={"file": (io.BytesIO(imagegen.png()), "d.png"), "file_type": "designs"})
    jobs = f"/api/organizations/{owner['org_id']}/print-jobs/"
    job = client.post(jobs, headers=owner["headers"],
                      json={"job_type": "designs", "params": {"file_ids": [design.get_json()["file"]["id"]]}})
    client.post(f"{jobs}{job.get_json()['id']}/cancel", headers=owner["headers"])
    helpers.set_features(client, owner, designs=False)
    retried = client.post(f"{jobs}{job.get_json()['id']}/retry", headers=owner["headers"])
    assert helpers.assert_error(retried, 403)["errors"] == {"feature": "designs"}


def test_api_access_off_refuses_members_but_not_superusers(client, session):
    owner = helpers.register(client)
    viewer = helpers.add_member(client, owner, "viewer")
    helpers.set_features(client, owner, api_access=False)
    for who, url in ((owner, f"/api/organizations/{owner['org_id']}"), (viewer, "/api/auth/me"),
                     (owner, f"/api/organizations/{owner['org_id']}/features"), (viewer, "/api/printers/")):
        body = helpers.assert_error(client.get(url, headers=who["headers"]), 403)
        assert body["errors"] == {"feature": "api_access"}, url
    su = _superuser(client, session)
    response = client.put(f"/api/organizations/{owner['org_id']}/features", headers=su["headers"],
                          json={"features": {"api_access": True}})
    assert response.status_code == 200
    assert client.get("/api/auth/me", headers=viewer["headers"]).status_code == 200


def test_scheduled_work_skips_organizations_with_the_flag_off(session):
    org = organizations.create(session, name="Scheduled")
    with tenancy.org_scope(org.id):
        tpl = template_model.Template(org_id=org.id, name="T", canvas_width_in=22, canvas_height_in=30, dpi=100)
        tpl.sizes = [template_model.TemplateSize(org_id=org.id, name="A", width_in=4, height_in=4)]
        shop = shop_model.Shop(org_id=org.id, etsy_shop_id=6, status="connected", hold_hours=0)
        session.add_all([tpl, shop])
        session.flush()
        design = factories.design_row(session, org.id, 400, 400)
        order = order_model.Order(org_id=org.id, shop_id=shop.id, etsy_receipt_id=1, is_paid=True,
                                  paid_at=base.utcnow())
        session.add(order)
        session.flush()
        session.add(order_model.OrderItem(org_id=org.id, order_id=order.id, etsy_transaction_id=2,
                                          match_status="matched", design_file_id=design.id, template_id=tpl.id,
                                          size_id=tpl.sizes[0].id))
        session.flush()
        organizations.set_features(session, org.id, {"etsy_sync": False, "gang_sheets": False})
        assert shops.sync_due(session) == 0
        assert production.produce_due(session) == {"jobs": [], "items": 0, "skipped": []}
        with pytest.raises(errors.FeatureDisabled):
            production.produce(session, order_ids=[order.id])
        organizations.set_features(session, org.id, {"etsy_sync": True, "gang_sheets": True})
        assert shops.sync_due(session) == 1
        assert len(production.produce_due(session)["jobs"]) == 1
