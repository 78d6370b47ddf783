"""Draft listings on the Etsy double: one job per listing, resumed step by step, never created or uploaded twice."""
from __future__ import annotations

import pytest
from sqlalchemy import select, update

from jobs import retry, runner
from models import errors, tenancy
from models import listing_draft as draft_model
from models import order as order_model
from models import print_job as job_model
from models import shop as shop_model
from services import shop_tokens
from tests.jobs import etsy_setup


def _draft(session, org_id: int, draft_id: int) -> draft_model.ListingDraft:
    session.rollback()
    with tenancy.org_scope(org_id):
        return session.get(draft_model.ListingDraft, draft_id, populate_existing=True)


def test_a_listing_is_created_priced_illustrated_and_mapped(committed, double):
    session, created = committed
    setup = etsy_setup.build(session, created, double)
    [(draft_id, job_id)] = etsy_setup.create_drafts(session, setup, etsy_setup.draft_body(setup))
    double.log.clear()
    assert runner.execute(setup.org_id, job_id, settings=setup.settings) == "completed"

    calls = [e.operation for e in double.log.calls()]
    assert calls == ["createDraftListing", "updateListingInventory", "uploadListingImage", "uploadListingImage"]
    draft = _draft(session, setup.org_id, draft_id)
    listing = double.store.listings[draft.etsy_listing_id]
    assert draft.status == "completed" and listing["state"] == "draft"
    assert listing["title"] == "Happy Cat 0 DTF transfer" and listing["description"] == "Ready to press: Happy Cat 0."
    assert listing["taxonomy_id"] == 2078 and listing["shop_section_id"] == setup.section["shop_section_id"]
    inventory = double.store.inventories[draft.etsy_listing_id]
    assert [(p["property_values"][0]["values"], p["offerings"][0]["price"]["amount"], p["sku"])
            for p in inventory["products"]] == [(["Adult"], 1400, "HAPPY-CAT-0-ADULT"),
                                               (["Youth"], 1150, "HAPPY-CAT-0-YOUTH")]
    images = double.store.images[draft.etsy_listing_id]
    assert [(i["rank"], i["alt_text"]) for i in images] == [(1, "Happy_Cat_0 on Front"), (2, "Happy_Cat_0 on Flat lay")]
    with tenancy.org_scope(setup.org_id):
        rules = session.scalars(select(order_model.DesignMapping).order_by(order_model.DesignMapping.id)).all()
        synced = session.scalar(select(order_model.Listing).where(
            order_model.Listing.etsy_listing_id == draft.etsy_listing_id))
    sizes = setup.sizes
    assert [(r.listing_id, r.variations, r.design_file_id, r.size_id) for r in rules] == [
        (draft.etsy_listing_id, {"Size": "Adult"}, setup.design_ids[0], sizes["Adult"]),
        (draft.etsy_listing_id, {"Size": "Youth"}, setup.design_ids[0], sizes["Youth"])]
    assert synced is not None and synced.state == "draft"

    # Run again: nothing is sent twice.
    double.log.clear()
    assert etsy_setup.rerun(session, setup, job_id) == "completed"
    assert double.log.calls() == []


def test_a_half_finished_listing_resumes_where_it_stopped(committed, double):
    session, created = committed
    setup = etsy_setup.build(session, created, double, name="Resume Prints")
    [(draft_id, job_id)] = etsy_setup.create_drafts(session, setup, etsy_setup.draft_body(setup))
    # The listing is created and priced, then Etsy fails the first upload: the job waits to be retried.
    _fail_first(double, "uploadListingImage")
    with pytest.raises(retry.EtsyDown):
        runner.execute(setup.org_id, job_id, settings=setup.settings)
    draft = _draft(session, setup.org_id, draft_id)
    assert draft.status == "inventory_set" and draft.etsy_listing_id and draft.inventory_set_at
    first_listing = draft.etsy_listing_id
    assert double.store.images[first_listing] == []
    # Worse: a crash had lost createDraftListing's answer, so only the attempt was recorded.
    with tenancy.org_scope(setup.org_id):
        session.execute(update(draft_model.ListingDraft).where(draft_model.ListingDraft.id == draft_id)
                        .values(etsy_listing_id=None, inventory_set_at=None, status="creating"))
        session.commit()
    double.log.clear()
    assert etsy_setup.rerun(session, setup, job_id) == "completed"
    operations = [e.operation for e in double.log.calls()]
    assert operations == ["getListingsByShop", "updateListingInventory", "uploadListingImage", "uploadListingImage"]
    assert _draft(session, setup.org_id, draft_id).etsy_listing_id == first_listing
    assert [item["state"] for item in double.store.listings.values()] == ["draft"]
    assert [i["rank"] for i in double.store.images[first_listing]] == [1, 2]


def _fail_first(double, operation: str) -> None:
    """The next call of `operation` answers 503 (calls before it go through)."""
    original = double._answer

    def answer(request, op, path_args):
        if op.operation_id == operation:
            double._answer = original
            return 503, {"error": "Injected failure"}
        return original(request, op, path_args)
    double._answer = answer


def test_etsy_refusals_fail_the_job_with_etsys_reason_and_change_nothing(committed, double):
    session, created = committed
    setup = etsy_setup.build(session, created, double, name="Refused Prints")
    [(draft_id, job_id)] = etsy_setup.create_drafts(session, setup, etsy_setup.draft_body(setup))
    double.store.profiles[setup.seller["shop_id"]].clear()  # the seller deleted the profile meanwhile
    with pytest.raises(retry.Permanent, match="shipping_profile_id"):
        runner.execute(setup.org_id, job_id, settings=setup.settings)
    draft = _draft(session, setup.org_id, draft_id)
    with tenancy.org_scope(setup.org_id):
        job = session.get(job_model.PrintJob, job_id)
        rules = session.scalars(select(order_model.DesignMapping)).all()
    assert draft.status == "failed" and "shipping_profile_id" in draft.error and draft.etsy_listing_id is None
    assert job.status == "failed" and "Etsy refused the listing" in job.error and "shipping_profile_id" in job.error
    assert rules == [] and [item["state"] for item in double.store.listings.values()] == []
    assert draft.create_attempted_at is None


def test_a_token_without_listings_w_is_refused_with_etsys_reason(committed, double):
    session, created = committed
    setup = etsy_setup.build(session, created, double, name="Scope Prints")
    [(draft_id, job_id)] = etsy_setup.create_drafts(session, setup, etsy_setup.draft_body(setup))
    with tenancy.org_scope(setup.org_id):
        shop = session.get(shop_model.Shop, setup.shop_id)
        shop_tokens.store(shop, double.issue_token(setup.seller["user_id"], scopes=("listings_r", "shops_r")),
                          setup.settings)
        session.commit()
    with pytest.raises(retry.Permanent, match="insufficient_scope"):
        runner.execute(setup.org_id, job_id, settings=setup.settings)
    assert _draft(session, setup.org_id, draft_id).status == "failed"


def test_one_template_applied_to_many_designs_and_checked_at_creation(committed, double):
    session, created = committed
    setup = etsy_setup.build(session, created, double, name="Bulk Prints", designs=3)
    made = etsy_setup.create_drafts(session, setup, etsy_setup.draft_body(setup, mockup_template_ids=[]))
    assert len(made) == 3 and len({job for _, job in made}) == 3
    for _, job_id in made:
        assert runner.execute(setup.org_id, job_id, settings=setup.settings) == "completed"
    titles = sorted(item["title"] for item in double.store.listings.values())
    assert titles == [f"Happy Cat {n} DTF transfer" for n in range(3)]
    for change, field in (({"taxonomy_id": 4242}, "taxonomy_id"), ({"shop_section_id": 7}, "shop_section_id"),
                          ({"prices": {"999999": "5"}}, "prices")):
        with pytest.raises(errors.Invalid) as info:
            etsy_setup.create_drafts(session, setup, etsy_setup.draft_body(setup, **change))
        session.rollback()
        assert field in info.value.errors, info.value.errors
