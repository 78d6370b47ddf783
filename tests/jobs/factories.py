"""Committed test data for jobs run by real worker processes."""
from __future__ import annotations

import hashlib
import io

import pyvips

from models import file as file_model
from models import organization as org_model
from models import template as template_model
from models import tenancy
from nas import paths, shared
from services import accounts, organizations


def org_with_owner(session, created: list[int], name: str) -> tuple[org_model.Organization, int]:
    """A committed organization and its owner's id."""
    org = organizations.create(session, name=name)
    created.append(org.id)
    with tenancy.org_scope(org.id):
        user = accounts.new_user(session, org_id=org.id, email=f"{org.shop_name}@example.com", role="owner",
                                   password_hash="x")
        session.commit()
    return org, user.id


def design(session, settings, org: org_model.Organization, data: bytes, name: str) -> file_model.File:
    """A stored design file (object and row), committed."""
    key = paths.build_key(org.shop_name, "designs", name)
    stored = shared.storage_for(settings).put(key, io.BytesIO(data), on_conflict="replace")
    # libvips reads the header: Pillow would warn about a real-size (22 x 60 in) design in this test process.
    img = pyvips.Image.new_from_buffer(data, "")
    dpi = round(img.xres * 25.4) if img.xres != 1.0 else None  # libvips says 1 px/mm when the file says nothing
    with tenancy.org_scope(org.id):
        row = file_model.File(org_id=org.id, file_type="designs", status="ready", storage_key=stored.key,
                              filename=name, mime_type="image/png", size_bytes=len(data),
                              sha256=hashlib.sha256(data).hexdigest(), width_px=img.width, height_px=img.height,
                              dpi_x=dpi, dpi_y=dpi, dpi=dpi, has_alpha=img.hasalpha())
        session.add(row)
        session.commit()
    return row


def template(session, org: org_model.Organization, dpi: int = 300,
             sizes=(("Adult", 10, 10),)) -> template_model.Template:
    """A committed template with sizes."""
    with tenancy.org_scope(org.id):
        tpl = template_model.Template(org_id=org.id, name=f"Tee {dpi}", canvas_width_in=22, canvas_height_in=40,
                                      dpi=dpi, spacing_in=0.25, margin_in=0)
        tpl.sizes = [template_model.TemplateSize(org_id=org.id, name=n, width_in=w, height_in=h)
                     for n, w, h in sizes]
        session.add(tpl)
        session.commit()
    return tpl


def job_state(session, org_id: int, job_id: int):
    """A fresh read of a print job and its output files (after other processes committed)."""
    from sqlalchemy import select

    from models import print_job as job_model

    session.rollback()
    with tenancy.org_scope(org_id):
        job = session.get(job_model.PrintJob, job_id, populate_existing=True)
        outputs = session.scalars(select(file_model.File).where(file_model.File.print_job_id == job_id)
                                  .order_by(file_model.File.id)).all()
        return job, outputs


def design_row(session, org_id: int, width: int, height: int) -> file_model.File:
    """A design row without a stored object (for code that only reads its facts)."""
    row = file_model.File(org_id=org_id, file_type="designs", status="ready", storage_key=f"t/designs/{width}.png",
                          filename=f"{width}.png", mime_type="image/png", size_bytes=1, width_px=width,
                          height_px=height, has_alpha=True)
    session.add(row)
    session.flush()
    return row
