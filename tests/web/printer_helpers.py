"""Shared constants and builders for the printers API tests."""
from __future__ import annotations

from decimal import Decimal

from sqlalchemy import select

from models import event, tenancy
from models import print_job as job_model
from models import template as template_model

URL = "/api/printers/"
DTF = {"name": "Big DTF", "printer_type": "dtf", "manufacturer": "Prestige", "model": "XL-2", "max_width_in": 22,
       "dpi": 300, "supported_media": ["dtf_film_hot_peel"]}
SUB = {"name": "Desk Sub", "printer_type": "sublimation", "max_width_in": 8.5, "max_height_in": 11, "dpi": 600}


def _create(client, org: dict, **body) -> dict:
    response = client.post(URL, headers=org["headers"], json=body)
    assert response.status_code == 201, response.get_json()
    return response.get_json()


def _defaults(client, org: dict) -> list[str]:
    rows = client.get(f"{URL}?page_size=100", headers=org["headers"]).get_json()
    return [p["name"] for p in rows if p["is_default"]]


def _template(session, org_id: int, name: str, width: str, dpi: int) -> template_model.Template:
    with tenancy.org_scope(org_id):
        row = template_model.Template(name=name, canvas_width_in=Decimal(width), canvas_height_in=Decimal(10),
                                      dpi=dpi)
        session.add(row)
        session.commit()
    return row


def _job(session, org_id: int, status: str, printer_id: int | None, length: str | None = None,
         template_id: int | None = None, params: dict | None = None) -> None:
    with tenancy.org_scope(org_id):
        session.add(job_model.PrintJob(job_type="gang_sheets", status=status, printer_id=printer_id,
                                       template_id=template_id, params=params or {},
                                       output_length_in=None if length is None else Decimal(length)))
        session.commit()


def _events(session, org_id: int, prefix: str = "printer.") -> list[event.Event]:
    with tenancy.org_scope(org_id):
        rows = session.scalars(select(event.Event).order_by(event.Event.id)).all()
    return [e for e in rows if e.event_type.startswith(prefix)]
