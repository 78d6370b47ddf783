"""Listing drafts: a design on a template's sizes put up for sale on Etsy, one `listings` job per listing."""
from __future__ import annotations

from decimal import Decimal
from typing import Any

from marshmallow import Schema, fields, validate
from sqlalchemy import Select, select
from sqlalchemy.orm import Session

import config
from etsy import client as etsy
from models import audit, errors
from models import listing_draft as draft_model
from models import print_job as job_model
from models import shop as shop_model
from services import etsy_reference, inputs, listing_fields, mockup_inputs, print_jobs, rows

ListingDraft = draft_model.ListingDraft
MAX_IMAGES = 10
MAX_BULK = 100


class ParamsSchema(Schema):
    """Parameters of a listings job: the draft it creates on Etsy."""

    listing_draft_id = fields.Integer(required=True, strict=True, validate=validate.Range(min=1))


def check_params(session: Session, params: dict[str, Any]) -> dict[str, Any]:
    """The draft must be the org's, not yet completed, and not already being created by another job."""
    draft = session.get(ListingDraft, params["listing_draft_id"])
    if draft is None:
        raise errors.Invalid("Unknown listing draft", errors={"params": {"listing_draft_id": ["Unknown draft"]}})
    if draft.status == "completed":
        raise errors.Conflict(f"Listing draft {draft.id} is already on Etsy (listing {draft.etsy_listing_id})")
    busy = session.scalar(select(job_model.PrintJob.id).where(
        job_model.PrintJob.job_type == "listings", job_model.PrintJob.status.in_(("queued", "processing")),
        job_model.PrintJob.params["listing_draft_id"].as_integer() == draft.id).limit(1))
    if busy is not None:
        raise errors.Conflict(f"Listing draft {draft.id} is already being created (print job {busy})")
    return params


def search(filters: dict[str, Any]) -> Select:
    """Drafts, newest first, optionally of one shop, design or status."""
    stmt = select(ListingDraft).order_by(ListingDraft.id.desc())
    for name in ("shop_id", "design_file_id", "status"):
        if filters.get(name) is not None:
            stmt = stmt.where(getattr(ListingDraft, name) == filters[name])
    return stmt


def get(session: Session, draft_id: int) -> ListingDraft:
    """The draft, or NotFound."""
    return rows.get(session, ListingDraft, draft_id, "Listing draft")


def create(session: Session, settings: config.Settings, data: dict[str, Any],
           created_by: int | None) -> list[ListingDraft]:
    """One draft and its job per design (one template applied to many designs), checked against Etsy's data."""
    shop = session.get(shop_model.Shop, data["shop_id"])
    if shop is None or shop.status != "connected":
        raise errors.Invalid("Unknown or unconnected shop", errors={"shop_id": ["Not connected"]})
    template = inputs.template(session, data["template_id"])
    assert template is not None  # required by the schema
    known = {str(s.id) for s in template.sizes}
    unknown = sorted(set(data["prices"]) - known)
    if unknown:
        raise errors.Invalid(f"Sizes {', '.join(unknown)} are not sizes of template {template.name!r}",
                             errors={"prices": [f"Unknown size {s}" for s in unknown]})
    designs = [mockup_inputs.image_file(session, file_id, "design_file_ids") for file_id in
               dict.fromkeys(data["design_file_ids"])]
    mockup_inputs.templates(session, data.get("mockup_template_ids") or [], "mockup_template_ids")
    _check_reference(session, settings, shop, data)
    drafts = []
    for design in designs:
        spec = _spec(data, design)
        draft = ListingDraft(shop_id=shop.id, design_file_id=design.id, template_id=template.id, spec=spec,
                             status="queued", created_by=created_by)
        session.add(draft)
        session.flush()
        job = print_jobs.create(session, job_type="listings", params={"listing_draft_id": draft.id},
                                created_by=created_by)
        draft.print_job_id = job.id
        audit.record(session, "listing_draft.created", entity=draft, payload={"design_file_id": design.id,
                                                                              "print_job_id": job.id})
        drafts.append(draft)
    return drafts


def _spec(data: dict[str, Any], design: Any) -> dict[str, Any]:
    title = listing_fields.fill(data.get("title") or "{design}", design)[:140]
    return {
        "title": title, "description": listing_fields.fill(data["description"], design),
        "prices": {size: str(Decimal(str(price)).quantize(Decimal("0.01"))) for size, price in data["prices"].items()},
        "quantity": data["quantity"], "tags": data.get("tags") or [], "materials": data.get("materials") or [],
        "taxonomy_id": data["taxonomy_id"], "shipping_profile_id": data["shipping_profile_id"],
        "shop_section_id": data.get("shop_section_id"), "who_made": data["who_made"],
        "when_made": data["when_made"], "mockup_template_ids": data.get("mockup_template_ids") or [],
        "personalization_instructions": data.get("personalization_instructions"),
    }


def _check_reference(session: Session, settings: config.Settings, shop: shop_model.Shop,
                     data: dict[str, Any]) -> None:
    """Taxonomy, shipping profile and section must exist in the shop's (cached) reference data."""
    wanted = [("taxonomy", "taxonomy_id", "id"), ("shipping-profiles", "shipping_profile_id", "shipping_profile_id"),
              ("sections", "shop_section_id", "shop_section_id")]
    for kind, field, key in wanted:
        if data.get(field) is None:
            continue
        try:
            found, _ = etsy_reference.fetch(shop, kind, settings, session)
        except etsy.EtsyError as exc:
            raise errors.Unavailable(f"Etsy: {exc}") from None
        if data[field] not in _ids(found, key):
            raise errors.Invalid(f"{field} {data[field]} is not in the shop's {kind} on Etsy",
                                 errors={field: [f"Unknown {kind} id"]})


def _ids(nodes: list[dict[str, Any]], key: str) -> set[int]:
    return {n[key] for n in nodes} | {i for n in nodes for i in _ids(n.get("children") or [], key)}
