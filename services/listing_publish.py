"""The listings job: create the draft listing, set its inventory, upload its mockups, map it to the design.

Each Etsy side effect is recorded on the draft as it lands and committed, so a retry resumes after the last one:
a listing id is never created twice (a create whose answer was lost is looked up among the shop's drafts), the
inventory is set once, and every image is uploaded once (listing_images).
"""
from __future__ import annotations

import contextlib
import datetime as dt
from collections.abc import Iterator
from typing import Any

from sqlalchemy import select

from etsy import client as etsy
from models import audit, base, errors
from models import listing_draft as draft_model
from models import listing_image as image_model
from models import order as order_model
from models import print_job as job_model
from models import shop as shop_model
from models import template as template_model
from services import (
    inputs,
    listing_fields,
    matching,
    mockup_inputs,
    mockup_publish,
    mockups,
    order_sync,
    outputs,
    shop_tokens,
    work,
)

# A create whose answer was lost made its listing at most this long before it was attempted (clock skew).
LOOKBACK = dt.timedelta(minutes=10)
REFUSALS = (etsy.EtsyBadRequest, etsy.EtsyForbidden, etsy.EtsyNotFound, etsy.EtsyAuthError)


def run(ctx: work.Run, job: job_model.PrintJob) -> dict[str, Any]:
    """Resume the draft's steps from the last one recorded; Etsy's refusals fail the job with Etsy's reason."""
    draft = ctx.session.get(draft_model.ListingDraft, job.params["listing_draft_id"], with_for_update=True)
    if draft is None:
        raise errors.Conflict("The listing draft was deleted")
    shop = ctx.session.get(shop_model.Shop, draft.shop_id)
    if shop is None or shop.status != "connected" or shop.etsy_shop_id is None:
        raise errors.Conflict("The shop is no longer connected; connect it again")
    template = ctx.session.get(template_model.Template, draft.template_id) if draft.template_id else None
    if template is None or not listing_fields.listed_sizes(template, draft.spec):
        raise errors.Conflict("The draft's template or its priced sizes were deleted")
    design_id = draft.design_file_id or 0
    design = inputs.design_files(ctx.session, [design_id], "design_file_id")[design_id]
    client = etsy.EtsyClient.from_settings(token=shop_tokens.provider(shop.id, ctx.settings), settings=ctx.settings)
    with _refusals(ctx, draft):
        if draft.etsy_listing_id is None:
            ctx.progress(5, "Creating the draft listing on Etsy")
            _create(ctx, draft, shop, template, client)
        if draft.inventory_set_at is None:
            ctx.progress(15, "Setting sizes and prices")
            client.update_listing_inventory(int(draft.etsy_listing_id or 0),
                                            listing_fields.inventory(draft, template, design))
            _step(ctx, draft, "inventory_set", inventory_set_at=base.utcnow())
        images = _images(ctx, job, draft, shop, design, client)
    mapped = _map(ctx, draft, template, design)
    draft.status, draft.completed_at, draft.error = "completed", base.utcnow(), None
    audit.record(ctx.session, "listing_draft.completed", entity=draft,
                 payload={"etsy_listing_id": draft.etsy_listing_id, "images": len(images), "rules": mapped})
    ctx.progress(100, f"Listing {draft.etsy_listing_id} is on Etsy as a draft")
    return {"listing_draft_id": draft.id, "etsy_listing_id": draft.etsy_listing_id, "images": images,
            "design_mapping_ids": mapped}


@contextlib.contextmanager
def _refusals(ctx: work.Run, draft: draft_model.ListingDraft) -> Iterator[None]:
    """Etsy refused a step: record its reason on the draft, then fail the job for good (outages are retried)."""
    try:
        yield
    except REFUSALS as exc:
        ctx.session.rollback()
        if draft.etsy_listing_id is None:
            draft.create_attempted_at = None  # refused: no listing exists, a retry may create it
        draft.status, draft.error = "failed", f"Etsy refused: {exc.error or exc}"[:1000]
        audit.record(ctx.session, "listing_draft.refused", entity=draft, level="error",
                     payload={"status": exc.status, "error": exc.error})
        ctx.session.commit()
        raise errors.Invalid(f"Etsy refused the listing: {exc.error or exc}") from None


def _create(ctx: work.Run, draft: draft_model.ListingDraft, shop: shop_model.Shop,
            template: template_model.Template, client: etsy.EtsyClient) -> None:
    fields = listing_fields.draft_fields(draft, template)
    if draft.create_attempted_at is not None:
        found = _created_before(ctx, draft, shop, client, fields["title"])
        if found is not None:
            _adopt(ctx, draft, shop, found, recovered=True)
            return
    _step(ctx, draft, "creating", create_attempted_at=base.utcnow())
    _adopt(ctx, draft, shop, client.create_draft_listing(int(shop.etsy_shop_id or 0), fields), recovered=False)


def _created_before(ctx: work.Run, draft: draft_model.ListingDraft, shop: shop_model.Shop,
                    client: etsy.EtsyClient, title: str) -> dict[str, Any] | None:
    """The draft listing an earlier attempt created (same title, made since that attempt, claimed by no draft)."""
    since = int(((draft.create_attempted_at or base.utcnow()) - LOOKBACK).timestamp())
    claimed = set(ctx.session.scalars(select(draft_model.ListingDraft.etsy_listing_id).where(
        draft_model.ListingDraft.shop_id == shop.id, draft_model.ListingDraft.etsy_listing_id.is_not(None))))
    for listing in client.iter_listings(int(shop.etsy_shop_id or 0), state="draft"):
        if (listing["title"] == title and listing["created_timestamp"] >= since
                and listing["listing_id"] not in claimed):
            return listing
    return None


def _adopt(ctx: work.Run, draft: draft_model.ListingDraft, shop: shop_model.Shop, listing: dict[str, Any],
           recovered: bool) -> None:
    order_sync.upsert_listing(ctx.session, shop, listing)
    _step(ctx, draft, "created", etsy_listing_id=int(listing["listing_id"]),
          event={"etsy_listing_id": listing["listing_id"], "recovered": recovered})


def _step(ctx: work.Run, draft: draft_model.ListingDraft, status: str, event: dict[str, Any] | None = None,
          **values: Any) -> None:
    """Record one step and commit it at once: it is what a retry resumes from."""
    for key, value in values.items():
        setattr(draft, key, value)
    draft.status = status
    if event is not None:
        audit.record(ctx.session, f"listing_draft.{status}", entity=draft, payload=event)
    ctx.session.commit()


def _images(ctx: work.Run, job: job_model.PrintJob, draft: draft_model.ListingDraft, shop: shop_model.Shop,
            design: Any, client: etsy.EtsyClient) -> list[dict[str, Any]]:
    """Mockups rendered and uploaded in rank order; ranks this job already uploaded are neither redrawn nor resent."""
    templates = mockup_inputs.templates(ctx.session, draft.spec.get("mockup_template_ids") or [],
                                        "mockup_template_ids")
    listing_id = int(draft.etsy_listing_id or 0)
    image = image_model.ListingImage
    # By rank, not checksum: a mockup drawn again in another process differs in its embedded profile's timestamp.
    done = {row.rank: row for row in ctx.session.scalars(select(image).where(
        image.shop_id == shop.id, image.etsy_listing_id == listing_id, image.print_job_id == job.id))}
    if all(rank in done for rank in range(1, len(templates) + 1)):
        return [{"file_id": done[r].file_id, "rank": r, "listing_image_id": done[r].etsy_image_id}
                for r in range(1, len(templates) + 1)]
    ctx.progress(25, f"Rendering {len(templates)} mockups")
    made = mockups.render_set(ctx, job, [design], templates)
    outputs.drop_stale(ctx, job, {e["file_id"] for e in made})
    alt = mockups.alt_texts([design], templates, made)
    published = []
    for rank, entry in enumerate(made, start=1):
        if rank in done:
            published.append({"file_id": entry["file_id"], "rank": rank, "listing_image_id": done[rank].etsy_image_id})
        else:
            published += mockup_publish.upload_in_order(ctx, job, client, shop, listing_id, rank, [entry], alt)
    _step(ctx, draft, "images_uploaded")
    return published


def _map(ctx: work.Run, draft: draft_model.ListingDraft, template: template_model.Template, design: Any) -> list[int]:
    """Matching rules from the new listing (per size) to the design, applied to items already waiting."""
    mapping, listing_id = order_model.DesignMapping, int(draft.etsy_listing_id or 0)
    ids = []
    for variations, size_id in listing_fields.rules(template, draft.spec):
        key = listing_fields.rule_key(variations)
        rule = ctx.session.scalar(select(mapping).where(mapping.listing_id == listing_id, mapping.sku == "",
                                                        mapping.variation_key == key))
        if rule is None:
            rule = mapping(listing_id=listing_id, sku="", variations=variations, variation_key=key,
                           design_file_id=design.id, template_id=template.id, size_id=size_id)
            ctx.session.add(rule)
            ctx.session.flush()
            audit.record(ctx.session, "design_mapping.created", entity=rule,
                         payload={"listing_draft_id": draft.id, "variations": variations})
        ids.append(rule.id)
    waiting = ctx.session.scalars(select(order_model.OrderItem).where(
        order_model.OrderItem.listing_id == listing_id, order_model.OrderItem.match_status == "unmatched")).all()
    matching.match_items(ctx.session, waiting)
    return ids
