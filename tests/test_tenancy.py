"""The tenant guard: queries without an org raise, other orgs' rows are invisible, cross-org writes refused."""
from __future__ import annotations

import pytest
from sqlalchemy import func, select, update

from models import event, tenancy
from models import user as user_model
from services import organizations


@pytest.fixture
def two_orgs(session):
    orgs = []
    for name in ("Alpha", "Beta"):
        org = organizations.create(session, name=name)
        with tenancy.org_scope(org.id):
            session.add(user_model.User(org_id=org.id, email=f"{name.lower()}@example.com", password_hash="x",
                                        role="owner"))
            session.add(event.Event(org_id=org.id, event_type="test.created"))
            session.flush()
        orgs.append(org)
    return orgs


def test_query_without_current_org_raises(session, two_orgs):
    with pytest.raises(tenancy.TenancyError):
        session.scalars(select(user_model.User)).all()
    with pytest.raises(tenancy.TenancyError):
        session.scalar(select(func.count()).select_from(event.Event))


def test_other_orgs_rows_are_invisible(session, two_orgs):
    alpha, beta = two_orgs
    with tenancy.org_scope(alpha.id):
        emails = session.scalars(select(user_model.User.email)).all()
        assert emails == ["alpha@example.com"]
        assert session.scalar(select(func.count()).select_from(event.Event)) == 1
        alpha_user_id = session.scalar(select(user_model.User.id))
    with tenancy.org_scope(beta.id):
        session.expunge_all()
        assert session.get(user_model.User, alpha_user_id) is None
        # Even an explicit filter on the other org's id finds nothing.
        assert session.scalars(select(event.Event).where(event.Event.org_id == alpha.id)).all() == []


def test_bulk_update_is_scoped(session, two_orgs):
    alpha, beta = two_orgs
    with tenancy.org_scope(alpha.id):
        session.execute(update(user_model.User).values(full_name="changed"))
    with tenancy.system_access("test inspects both orgs"):
        names = dict(session.execute(select(user_model.User.email, user_model.User.full_name)).all())
    assert names == {"alpha@example.com": "changed", "beta@example.com": None}


def test_row_of_another_org_cannot_be_flushed(session, two_orgs):
    alpha, beta = two_orgs
    with tenancy.org_scope(alpha.id):
        session.add(event.Event(org_id=beta.id, event_type="sneaky"))
        with pytest.raises(tenancy.TenancyError):
            session.flush()
    session.rollback()


def test_row_without_current_org_cannot_be_flushed(session, two_orgs):
    session.add(event.Event(org_id=two_orgs[0].id, event_type="orphan"))
    with pytest.raises(tenancy.TenancyError):
        session.flush()
    session.rollback()


def test_new_row_takes_current_org(session, two_orgs):
    alpha, _ = two_orgs
    with tenancy.org_scope(alpha.id):
        row = event.Event(event_type="implicit")
        session.add(row)
        session.flush()
        assert row.org_id == alpha.id


def test_system_access_reads_across_orgs_only_when_marked(session, two_orgs):
    with tenancy.system_access("test sweep"):
        assert session.scalar(select(func.count()).select_from(user_model.User)) == 2
    with pytest.raises(ValueError):
        with tenancy.system_access(""):
            pass


def test_each_org_gets_its_own_filter_from_the_shared_one_per_org(session, two_orgs):
    # The guard's filter is made once per organization and reused: the same statement, run in turn for each org
    # (and again), reads each org's rows only.
    alpha, beta = two_orgs
    for _ in range(3):
        for org, email in ((alpha, "alpha@example.com"), (beta, "beta@example.com")):
            with tenancy.org_scope(org.id):
                assert session.scalars(select(user_model.User.email)).all() == [email]
                assert session.scalars(select(event.Event.org_id)).all() == [org.id]
