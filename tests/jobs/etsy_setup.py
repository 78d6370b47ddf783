"""A connected shop of the Etsy double with a template, a design and mockup templates, committed for jobs."""
from __future__ import annotations

import dataclasses
from typing import Any

from sqlalchemy import update

import config
from jobs import runner
from models import print_job as job_model
from models import tenancy
from services import listing_drafts
from tests import etsy_flow, imagegen
from tests.jobs import factories
from tests.jobs.test_etsy_pipeline import _connected_shop
from tests.jobs.test_mockups_job import mockup_template, photo_png


@dataclasses.dataclass
class Setup:
    """Everything a listing test needs."""

    settings: config.Settings
    org_id: int
    user_id: int
    seller: dict[str, Any]
    shop_id: int
    template_id: int
    sizes: dict[str, int]
    design_ids: list[int]
    mockup_ids: list[int]
    profile: dict[str, Any]
    section: dict[str, Any]


def build(session, created, double, name: str = "Listing Prints", designs: int = 1,
          sizes=(("Adult", 4, 4), ("Youth", 3, 3)), dpi: int = 100, personalization=None) -> Setup:
    settings = etsy_flow.settings_for(config.get_settings(), double)
    org, user_id = factories.org_with_owner(session, created, name)
    seller = double.add_seller(shop_name=name.replace(" ", ""))
    profile = double.store.add_shipping_profile(seller["shop_id"])
    section = double.store.add_section(seller["shop_id"], "Transfers")
    shop = _connected_shop(session, org, double, seller, settings)
    tpl = factories.template(session, org, dpi=dpi, sizes=sizes)
    if personalization is not None:
        with tenancy.org_scope(org.id):
            tpl.personalization = personalization
            session.commit()
    rows = [factories.design(session, settings, org, imagegen.png(300, 300, color=(20 * n, 90, 200, 255)),
                             f"Happy_Cat_{n}.png") for n in range(designs)]
    photo = factories.design(session, settings, org, photo_png(), "photo.png")
    mockups = [mockup_template(session, org.id, photo.id, n) for n in ("Front", "Flat lay")]
    return Setup(settings, org.id, user_id, seller, shop.id, tpl.id, {s.name: s.id for s in tpl.sizes},
                 [r.id for r in rows], [m.id for m in mockups], profile, section)


def draft_body(setup: Setup, **changes: Any) -> dict[str, Any]:
    sizes = setup.sizes
    body = {"shop_id": setup.shop_id, "template_id": setup.template_id, "design_file_ids": list(setup.design_ids),
            "prices": {str(sizes["Adult"]): "14.00", **({str(sizes["Youth"]): "11.50"} if "Youth" in sizes else {})},
            "quantity": 50, "title": "{design} DTF transfer", "description": "Ready to press: {design}.",
            "tags": ["dtf", "transfer"], "taxonomy_id": 2078,
            "shipping_profile_id": setup.profile["shipping_profile_id"],
            "shop_section_id": setup.section["shop_section_id"], "who_made": "i_did", "when_made": "made_to_order",
            "mockup_template_ids": list(setup.mockup_ids)}
    body.update(changes)
    return body


def create_drafts(session, setup: Setup, body: dict[str, Any]) -> list[tuple[int, int]]:
    """(draft id, print job id) of each draft created, committed."""
    with tenancy.org_scope(setup.org_id):
        drafts = listing_drafts.create(session, setup.settings, body, setup.user_id)
        session.commit()
        return [(d.id, d.print_job_id) for d in drafts]


def rerun(session, setup: Setup, job_id: int) -> str:
    """Run the job again as the queue would after a retry."""
    with tenancy.org_scope(setup.org_id):
        session.execute(update(job_model.PrintJob).where(job_model.PrintJob.id == job_id).values(status="queued"))
        session.commit()
    return runner.execute(setup.org_id, job_id, settings=setup.settings)
