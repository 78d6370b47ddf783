"""Shared constants and builders for the templates API tests."""
from __future__ import annotations

from sqlalchemy import func, select

from models import event, tenancy
from models import template as template_model

CANVAS = {"width_in": 22, "height_in": 24, "dpi": 300, "spacing_in": 0.25, "margin_in": 0.5, "allow_stretch": False}
SIZES = [{"name": "Adult", "width_in": 11, "height_in": 12.5}, {"name": "Youth", "width_in": 9, "height_in": 10}]


def _url(org: dict, suffix: str = "") -> str:
    return f"/api/organizations/{org['org_id']}/templates/{suffix}"


def _body(**overrides) -> dict:
    return {"name": "Adult tee front", "description": "DTF front print", "product_type": "tee",
            "canvas": dict(CANVAS), "sizes": [dict(s) for s in SIZES], **overrides}


def _create(client, org: dict, **overrides) -> dict:
    response = client.post(_url(org), headers=org["headers"], json=_body(**overrides))
    assert response.status_code == 201, response.get_json()
    return response.get_json()


def _counts(session, org_id: int) -> tuple[int, int, int]:
    with tenancy.org_scope(org_id):
        return (session.scalar(select(func.count()).select_from(template_model.Template)),
                session.scalar(select(func.count()).select_from(template_model.TemplateSize)),
                session.scalar(select(func.count()).select_from(event.Event)))


def _events(session, org_id: int, prefix: str = "template.") -> list[event.Event]:
    with tenancy.org_scope(org_id):
        return list(session.scalars(select(event.Event).where(event.Event.event_type.startswith(prefix))
                                    .order_by(event.Event.id)))
