"""Publishing a mockups job's images to an Etsy listing, in rank order, each image uploaded once."""
from __future__ import annotations

from typing import Any

from marshmallow import Schema, fields, validate
from sqlalchemy import select
from sqlalchemy.orm import Session

from etsy import client as etsy
from models import audit, errors
from models import file as file_model
from models import listing_image as image_model
from models import order as order_model
from models import print_job as job_model
from models import shop as shop_model
from nas import shared
from services import shop_tokens, work

MAX_IMAGES = 10  # Etsy allows ten images per listing


class PublishSchema(Schema):
    """Where to publish: a listing of one of the org's shops, from which rank, with what alt text."""

    shop_id = fields.Integer(required=True, strict=True, validate=validate.Range(min=1))
    listing_id = fields.Integer(required=True, strict=True, validate=validate.Range(min=1),
                                metadata={"description": "Etsy's listing id"})
    start_rank = fields.Integer(load_default=1, strict=True, validate=validate.Range(min=1, max=MAX_IMAGES))
    alt_text = fields.String(validate=validate.Length(max=250),
                             metadata={"description": "Default: '<design> on <template>'"})


def check_params(session: Session, publish: dict[str, Any], image_count: int) -> dict[str, Any]:
    """The shop must be connected and the listing one of its synced listings; at most ten images fit a listing."""
    shop = session.get(shop_model.Shop, publish["shop_id"])
    if shop is None or shop.status != "connected":
        raise errors.Invalid("Unknown or unconnected shop", errors={"params.publish.shop_id": ["Not connected"]})
    listing = session.scalar(select(order_model.Listing).where(order_model.Listing.shop_id == shop.id,
                                                               order_model.Listing.etsy_listing_id ==
                                                               publish["listing_id"]))
    if listing is None:
        raise errors.Invalid(f"Listing {publish['listing_id']} is not a listing of shop {shop.name or shop.id} "
                             "(sync the shop if it is new)", errors={"params.publish.listing_id": ["Unknown listing"]})
    if publish["start_rank"] - 1 + image_count > MAX_IMAGES:
        raise errors.Invalid(f"{image_count} images from rank {publish['start_rank']} exceed Etsy's "
                             f"{MAX_IMAGES} images per listing", errors={"params.publish": ["Too many images"]})
    return publish


def publish(ctx: work.Run, job: job_model.PrintJob, made: list[dict[str, Any]],
            names: dict[int, str]) -> list[dict[str, Any]]:
    """Upload each rendered image at its rank (replacing what is there); ones already uploaded are skipped."""
    target = job.params["publish"]
    shop = ctx.session.get(shop_model.Shop, target["shop_id"])
    if shop is None or shop.status != "connected" or shop.etsy_shop_id is None:
        raise errors.Conflict("The shop to publish to is no longer connected")
    client = etsy.EtsyClient.from_settings(token=shop_tokens.provider(shop.id, ctx.settings), settings=ctx.settings)
    return upload_in_order(ctx, job, client, shop, target["listing_id"], target["start_rank"], made,
                           {file_id: target.get("alt_text") or name for file_id, name in names.items()})


def upload_in_order(ctx: work.Run, job: job_model.PrintJob, client: etsy.EtsyClient, shop: shop_model.Shop,
                    listing_id: int, start_rank: int, made: list[dict[str, Any]],
                    alt_texts: dict[int, str]) -> list[dict[str, Any]]:
    """Each image of `made` ({file_id}) uploaded at start_rank + n, unless listing_images says it already is."""
    published = []
    for n, entry in enumerate(made):
        rank = start_rank + n
        row = ctx.session.get(file_model.File, entry["file_id"])
        if row is None or row.sha256 is None:
            raise errors.Conflict(f"Mockup file {entry['file_id']} was removed before it could be published")
        ctx.progress(90 + int(10 * n / len(made)), f"Publishing image {rank} to listing {listing_id}")
        done = ctx.session.scalar(select(image_model.ListingImage).where(
            image_model.ListingImage.shop_id == shop.id, image_model.ListingImage.etsy_listing_id == listing_id,
            image_model.ListingImage.rank == rank, image_model.ListingImage.sha256 == row.sha256))
        if done is None:
            target = {"shop_id": shop.id, "listing_id": listing_id}
            done = _upload(ctx, job, client, int(shop.etsy_shop_id or 0), target, rank, row, row.sha256,
                           alt_texts[row.id])
        published.append({"file_id": row.id, "rank": rank, "listing_image_id": done.etsy_image_id})
    return published


def _upload(ctx: work.Run, job: job_model.PrintJob, client: etsy.EtsyClient, etsy_shop_id: int, target: dict[str, Any],
            rank: int, row: file_model.File, sha256: str, alt_text: str) -> image_model.ListingImage:
    with shared.storage_for(ctx.settings).open(row.storage_key) as fh:
        data = fh.read()
    try:
        # overwrite at a fixed rank: if a crash lost our record of an upload, the retry replaces, not adds.
        image = client.upload_listing_image(etsy_shop_id, target["listing_id"], data, filename=row.filename,
                                            rank=rank, overwrite=True, alt_text=alt_text[:250])
    except (etsy.EtsyUnavailable, etsy.EtsyRateLimited):
        raise  # an outage, not a refusal: the job is retried later
    except etsy.EtsyError as exc:
        raise errors.Invalid(f"Etsy refused image {rank}: {exc}") from None
    record = image_model.ListingImage(org_id=ctx.org_id, shop_id=target["shop_id"],
                                      etsy_listing_id=target["listing_id"], rank=rank, sha256=sha256, file_id=row.id,
                                      print_job_id=job.id,
                                      etsy_image_id=image["listing_image_id"], alt_text=alt_text[:500])
    ctx.session.add(record)
    audit.record(ctx.session, "mockup.published", entity=row, payload={
        "listing_id": target["listing_id"], "rank": rank, "listing_image_id": image["listing_image_id"]})
    ctx.session.commit()
    return record
