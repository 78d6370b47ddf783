"""Publishing mockups to an Etsy listing of the double: rank order, alt text, retries, never twice."""
from __future__ import annotations

import pytest
from sqlalchemy import delete, update

import config
from jobs import retry, runner
from models import errors, tenancy
from models import listing_image as image_model
from models import order as order_model
from models import print_job as job_model
from services import print_jobs
from tests import etsy_flow, imagegen
from tests.jobs import factories
from tests.jobs.test_etsy_pipeline import _connected_shop
from tests.jobs.test_mockups_job import mockup_template, photo_png


def _setup(session, created, double):
    settings = etsy_flow.settings_for(config.get_settings(), double)
    org, user_id = factories.org_with_owner(session, created, "Publish Prints")
    seller = double.add_seller(shop_name="PublishShop")
    listing = double.store.add_listing(seller["shop_id"], title="Cat tee")
    other_seller_listing = double.store.add_listing(double.add_seller(shop_name="Other")["shop_id"])
    shop = _connected_shop(session, org, double, seller, settings)
    with tenancy.org_scope(org.id):
        session.add(order_model.Listing(org_id=org.id, shop_id=shop.id, etsy_listing_id=listing["listing_id"],
                                        title="Cat tee", state="active"))
        session.commit()
    photo = factories.design(session, settings, org, photo_png(), "photo.png")
    designs = [factories.design(session, settings, org, imagegen.png(300, 300, color=c), f"art{n}.png")
               for n, c in enumerate([(250, 0, 0, 255), (0, 0, 250, 255)])]
    templates = [mockup_template(session, org.id, photo.id, name) for name in ("Front", "Back")]
    return settings, org, user_id, shop, listing, other_seller_listing, designs, templates


def _create(session, org_id, user_id, params):
    with tenancy.org_scope(org_id):
        job = print_jobs.create(session, job_type="mockups", created_by=user_id, params=params)
        session.commit()
        return job.id


def _rerun(session, org_id: int, job_id: int, settings) -> str:
    with tenancy.org_scope(org_id):
        session.execute(update(job_model.PrintJob).where(job_model.PrintJob.id == job_id).values(status="queued"))
        session.commit()
    return runner.execute(org_id, job_id, settings=settings)


def test_publish_in_rank_order_with_retry_and_no_duplicates(committed, double):
    session, created = committed
    settings, org, user_id, shop, listing, _, designs, templates = _setup(session, created, double)
    org_id = org.id
    job_id = _create(session, org_id, user_id, {
        "design_file_ids": [d.id for d in designs], "mockup_template_ids": [t.id for t in templates],
        "publish": {"shop_id": shop.id, "listing_id": listing["listing_id"]}})
    # Etsy fails the first upload: an upload is not idempotent, so the job (not the client) retries it.
    double.faults.fail_next(1, status=503)
    with pytest.raises(retry.EtsyDown):
        runner.execute(org_id, job_id, settings=settings)
    assert double.store.images[listing["listing_id"]] == []
    assert _rerun(session, org_id, job_id, settings) == "completed"
    images = double.store.images[listing["listing_id"]]
    assert [i["rank"] for i in images] == [1, 2, 3, 4]
    assert [i["alt_text"] for i in images] == ["art0 on Front", "art0 on Back", "art1 on Front", "art1 on Back"]
    uploads = len(double.log.calls("uploadListingImage"))
    # A re-run uploads nothing again; an upload whose record was lost (crash before commit) replaces its rank.
    assert _rerun(session, org_id, job_id, settings) == "completed"
    assert len(double.log.calls("uploadListingImage")) == uploads
    with tenancy.org_scope(org_id):
        session.execute(delete(image_model.ListingImage).where(image_model.ListingImage.rank == 4))
        session.commit()
    assert _rerun(session, org_id, job_id, settings) == "completed"
    assert len(double.log.calls("uploadListingImage")) == uploads + 1
    assert [i["rank"] for i in double.store.images[listing["listing_id"]]] == [1, 2, 3, 4]
    with tenancy.org_scope(org_id):
        job = session.get(job_model.PrintJob, job_id, populate_existing=True)
    assert [p["rank"] for p in job.result["published"]] == [1, 2, 3, 4]


def test_publish_is_checked_at_creation(committed, double):
    session, created = committed
    settings, org, user_id, shop, listing, foreign, designs, templates = _setup(session, created, double)
    base = {"design_file_ids": [d.id for d in designs], "mockup_template_ids": [t.id for t in templates]}
    cases = [
        ({"shop_id": shop.id, "listing_id": foreign["listing_id"]}, "not a listing of shop"),
        ({"shop_id": 999999, "listing_id": listing["listing_id"]}, "shop"),
        ({"shop_id": shop.id, "listing_id": listing["listing_id"], "start_rank": 8}, "10 images per listing"),
    ]
    for publish, needle in cases:
        with pytest.raises(errors.Invalid) as info:
            _create(session, org.id, user_id, {**base, "publish": publish})
        session.rollback()
        assert needle in info.value.message, info.value.message
