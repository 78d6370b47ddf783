"""Lists without a full count or a slow deep offset (web/pagination), and event counts kept by triggers."""
from __future__ import annotations

import json
import re

import pytest
from sqlalchemy import event as sa_event
from sqlalchemy import text

from services import event_counts
from tests import helpers
from web import pagination

# Pairs of events share a timestamp, so the order's tie-break on id matters.
_BULK = text("""
    INSERT INTO events (org_id, event_type, level, entity_type, entity_id, payload, created_at)
    SELECT :org, 'bulk.' || (g % 3), CASE WHEN g % 4 = 0 THEN 'error' ELSE 'info' END, 'things', (g % 5)::text,
           jsonb_build_object('g', g), now() - make_interval(secs => g / 2)
    FROM generate_series(1, :n) g
""")


def _url(org: dict, suffix: str = "") -> str:
    return f"/api/organizations/{org['org_id']}/events/{suffix}"


@pytest.fixture
def statements(connection):
    seen: list[str] = []
    listener = lambda conn, cursor, sql, *rest: seen.append(sql)  # noqa: E731
    sa_event.listen(connection, "before_cursor_execute", listener)
    yield seen
    sa_event.remove(connection, "before_cursor_execute", listener)


def _ids(session, org_id: int, where: str = "true") -> list[int]:
    return list(session.execute(text(f"SELECT id FROM events WHERE org_id = :org AND {where} "
                                     "ORDER BY created_at DESC, id DESC"), {"org": org_id}).scalars())


def test_deep_pages_read_ids_first_and_match_the_offset_order(client, session, statements):
    owner, other = helpers.register(client), helpers.register(client)
    for org in (owner, other):  # interleaved with another organization's events
        session.execute(_BULK, {"org": org["org_id"], "n": 2500})
    every, info = _ids(session, owner["org_id"]), _ids(session, owner["org_id"], "level = 'info'")
    for query, expected in (("", every), ("level=info&", info)):
        for page in (11, 12, len(expected) // 100 + 1):
            statements.clear()
            response = client.get(_url(owner) + f"?{query}page_size=100&page={page}", headers=owner["headers"])
            assert [e["id"] for e in response.get_json()] == expected[(page - 1) * 100:page * 100]
            assert json.loads(response.headers["X-Pagination"])["total"] == len(expected)
            # Past DEFERRED_FROM rows, no statement reads whole rows at the offset: only the page's ids are.
            deep = [s for s in statements if re.search(r"OFFSET", s, re.I)]
            assert deep and all(re.search(r"SELECT events\.id\s+FROM events", s) for s in deep), deep
    helpers.assert_error(client.get(f"/api/organizations/{other['org_id']}/events/?page=12&page_size=100",
                                    headers=owner["headers"]), 404)


def test_no_page_counts_every_row(client, session, statements, monkeypatch):
    monkeypatch.setattr(pagination, "EXACT_UP_TO", 1000)
    owner = helpers.register(client)
    session.execute(_BULK, {"org": owner["org_id"], "n": 2500})
    exact = len(_ids(session, owner["org_id"]))
    statements.clear()
    # An entity filter: the kept counts do not know its total.
    filtered = client.get(_url(owner) + "?entity_type=things&page_size=50", headers=owner["headers"])
    counts = [s for s in statements if "count(" in s.lower()]
    assert counts and all(re.search(r"LIMIT", s) for s in counts), counts
    # Past EXACT_UP_TO the total is the planner's estimate, never below what a count that stops there saw.
    assert json.loads(filtered.headers["X-Pagination"])["total"] > 1000
    # The unfiltered list's total, and a type's or a level's, are kept exact by the triggers, at any size.
    for query, where in (("", "true"), ("level=info&", "level = 'info'"),
                         ("event_type=bulk.1&", "event_type = 'bulk.1'"),
                         ("event_type=bulk.1&level=error&", "event_type = 'bulk.1' AND level = 'error'")):
        statements.clear()
        kept = client.get(_url(owner) + f"?{query}page_size=50", headers=owner["headers"])
        assert json.loads(kept.headers["X-Pagination"])["total"] == len(_ids(session, owner["org_id"], where))
        assert not [s for s in statements if "count(" in s.lower()]
    assert len(_ids(session, owner["org_id"], "true")) == exact
    # The last page ends the list: its total is exact without a count.
    info = len(_ids(session, owner["org_id"], "entity_id = '1' AND event_type = 'bulk.1'"))
    last = client.get(_url(owner) + f"?entity_id=1&event_type=bulk.1&page_size=50&page={info // 50 + 1}",
                      headers=owner["headers"])
    assert info % 50 and json.loads(last.headers["X-Pagination"])["total"] == info


def _raw_counts(session, org_id: int) -> dict[tuple[str, str], int]:
    return {(t, lv): n for t, lv, n in session.execute(text(
        "SELECT event_type, level, count(*) FROM events WHERE org_id = :org GROUP BY 1, 2"), {"org": org_id})}


def test_event_counts_follow_inserts_updates_deletes_and_folds(client, session):
    owner, other = helpers.register(client), helpers.register(client)
    helpers.set_features(client, owner, analytics=True)
    for _ in range(5):
        client.post(_url(owner), headers=owner["headers"], json={"event_type": "one.by.one", "level": "warning"})
    session.execute(_BULK, {"org": owner["org_id"], "n": 400})
    session.execute(_BULK, {"org": other["org_id"], "n": 30})
    session.execute(text("UPDATE events SET level = 'warning' WHERE org_id = :org AND event_type = 'bulk.1'"),
                    {"org": owner["org_id"]})
    session.execute(text("DELETE FROM events WHERE org_id = :org AND event_type = 'bulk.2'"), {"org": owner["org_id"]})
    raw = _raw_counts(session, owner["org_id"])

    def stats() -> dict:
        return client.get(_url(owner, "stats/summary"), headers=owner["headers"]).get_json()

    before = stats()
    assert before["total"] == sum(raw.values())
    assert before["by_type"]["bulk.0"] == raw[("bulk.0", "info")] + raw[("bulk.0", "error")]
    assert "bulk.2" not in before["by_type"] and before["by_type"]["one.by.one"] == 5
    assert before["by_level"]["warning"] == sum(n for (_, level), n in raw.items() if level == "warning")
    event_counts.fold(session)
    assert stats() == before
    assert session.execute(text("SELECT count(*) FROM event_counts WHERE org_id = :org"),
                           {"org": owner["org_id"]}).scalar() == len(raw)
    # An update that changes no type or level (a member deleted, say) adds no rows.
    session.execute(text("UPDATE events SET user_id = NULL, payload = '{}' WHERE org_id = :org"),
                    {"org": owner["org_id"]})
    assert session.execute(text("SELECT count(*) FROM event_counts WHERE org_id = :org"),
                           {"org": owner["org_id"]}).scalar() == len(raw)
    # Deleting an organization cascades to its events and counts without tripping over the triggers.
    session.execute(text("DELETE FROM organizations WHERE id = :org"), {"org": other["org_id"]})
    assert session.execute(text("SELECT count(*) FROM event_counts WHERE org_id = :org"),
                           {"org": other["org_id"]}).scalar() == 0


def test_org_stats_events_total_is_the_kept_count(client, session):
    owner = helpers.register(client)
    helpers.set_features(client, owner, analytics=True)
    session.execute(_BULK, {"org": owner["org_id"], "n": 300})
    stats = client.get(f"/api/organizations/{owner['org_id']}/stats", headers=owner["headers"]).get_json()
    assert stats["events_total"] == len(_ids(session, owner["org_id"]))
    assert stats["errors_last_24h"] == session.execute(text(
        "SELECT count(*) FROM events WHERE org_id = :org AND level = 'error' AND created_at >= now() - "
        "interval '1 day'"), {"org": owner["org_id"]}).scalar()


def test_the_estimate_binds_every_kind_of_filter(client, session):
    from models import file as file_model
    from models import tenancy
    from services import files

    owner = helpers.register(client)
    with tenancy.org_scope(owner["org_id"]):
        stmt = files.search({"tags": ["a", "b"], "q": "50%_off", "min_dpi": 150, "file_type": "designs"})
        assert pagination.estimate(session, stmt) >= 0
        assert pagination.estimate(session, stmt.where(file_model.File.design_analysis.contains({"x": 1}))) >= 0


def test_keyset_cursor_walks_the_list_like_pages(client, session):
    owner, other = helpers.register(client), helpers.register(client)
    for org in (owner, other):
        session.execute(_BULK, {"org": org["org_id"], "n": 230})
    expected = _ids(session, owner["org_id"])
    seen, cursor = [], None
    while True:
        query = "?page_size=50" + (f"&after={cursor}" if cursor else "")
        response = client.get(_url(owner) + query, headers=owner["headers"])
        assert response.status_code == 200
        seen += [e["id"] for e in response.get_json()]
        cursor = response.headers.get("X-Next-Cursor")
        if cursor is None:
            break
    assert seen == expected  # the same rows in the same order as page after page, ties on created_at included
    filtered = client.get(_url(owner) + "?level=error&page_size=10", headers=owner["headers"])
    after = client.get(_url(owner) + f"?level=error&page_size=10&after={filtered.headers['X-Next-Cursor']}",
                       headers=owner["headers"])
    errors = _ids(session, owner["org_id"], "level = 'error'")
    assert [e["id"] for e in after.get_json()] == errors[10:20]
    for bad in ("nonsense", "bm8tcGlwZQ", "MjAyNi0wMS0wMXwx"):  # not base64 of a cursor, no '|', no time zone
        helpers.assert_error(client.get(_url(owner) + f"?after={bad}", headers=owner["headers"]), 422)
