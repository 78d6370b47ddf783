"""Sales, listing and design totals kept by triggers (migration 0009t_sales_totals): insights read from them answer
exactly what the orders themselves say, through any mix of writes, with or without folding, for any period."""
from __future__ import annotations

import datetime as dt
import random

from sqlalchemy import text

from models import tenancy
from services import insights, sales_totals
from tests import helpers

NOW = dt.datetime.now(dt.UTC)
CURRENCIES = ("USD", "EUR", None)
LISTINGS = (101, 102, 103, 104, None)
TITLES = ("Cat tee", "Dog tee", "Zebra tee", None)


def _shop(session, org_id: int) -> int:
    return session.execute(text("INSERT INTO shops (org_id, etsy_shop_id, name, currency, status) VALUES"
                                " (:org, :org * 1000 + 7, 'Shop', 'USD', 'connected') RETURNING id"),
                           {"org": org_id}).scalar()


class _Writer:
    """Random orders and items of one organization, written with SQL as the sync would."""

    def __init__(self, session, org_id: int, rng: random.Random):
        self.session, self.org, self.rng = session, org_id, rng
        self.shop = _shop(session, org_id)
        self.receipt = 0
        self.designs = [session.execute(text(
            "INSERT INTO files (org_id, file_type, status, storage_key, filename, mime_type, size_bytes) VALUES"
            " (:org, 'designs', 'ready', :key, :name, 'image/png', 1) RETURNING id"),
            {"org": org_id, "key": f"t/{org_id}/{k}.png", "name": f"design-{k}.png"}).scalar() for k in range(4)]

    def _design(self) -> int | None:
        return self.rng.choice([*self.designs, None])

    def _time(self) -> dt.datetime:
        return NOW - dt.timedelta(seconds=self.rng.randint(0, 480 * 86400))

    def add_orders(self, n: int) -> None:
        rows = []
        for _ in range(n):
            self.receipt += 1
            paid = self._time()
            rows.append({"org": self.org, "shop": self.shop, "r": self.receipt, "paid": self.rng.random() < 0.85,
                         "canceled": self.rng.random() < 0.1, "total": self.rng.choice((None, 12.5, 20, 33.33)),
                         "cur": self.rng.choice(CURRENCIES), "created": paid - dt.timedelta(hours=5),
                         "paid_at": paid if self.rng.random() < 0.8 else None})
        ids = [self.session.execute(text(
            "INSERT INTO orders (org_id, shop_id, etsy_receipt_id, is_paid, is_canceled, grandtotal, currency,"
            " etsy_created_at, paid_at) VALUES (:org, :shop, :r, :paid, :canceled, :total, :cur, :created, :paid_at)"
            " RETURNING id"), row).scalar() for row in rows]
        for order_id in ids:
            self.add_items(order_id, self.rng.randint(0, 3))

    def add_items(self, order_id: int, n: int) -> None:
        if not n:
            return
        values = ", ".join(f"(:org, :order, nextval('order_items_id_seq') + 900000, :l{k}, :q{k}, :t{k}, :d{k},"
                           " 'unmatched')" for k in range(n))
        params = {"org": self.org, "order": order_id}
        for k in range(n):
            params.update({f"l{k}": self.rng.choice(LISTINGS), f"q{k}": self.rng.randint(1, 4),
                           f"t{k}": self.rng.choice(TITLES), f"d{k}": self._design()})
        # One statement, several items (of one listing, maybe).
        self.session.execute(text("INSERT INTO order_items (org_id, order_id, etsy_transaction_id, listing_id,"
                                  f" quantity, title, design_file_id, match_status) VALUES {values}"), params)

    def _pick(self, table: str) -> int | None:
        return self.session.execute(text(f"SELECT id FROM {table} WHERE org_id = :org ORDER BY random() LIMIT 1"),
                                    {"org": self.org}).scalar()

    def change(self) -> str:
        kind = self.rng.choice(("cancel", "pay", "move_month", "currency", "total", "quantity", "listing",
                                "item_to_order", "delete_item", "delete_order", "add_orders", "add_items",
                                "bulk_orders", "bulk_items", "design", "delete_design", "noop"))
        order, item = self._pick("orders"), self._pick("order_items")
        run = lambda sql, **p: self.session.execute(text(sql), {"org": self.org, "o": order, "i": item, **p})  # noqa: E731
        if kind == "cancel":
            run("UPDATE orders SET is_canceled = true WHERE id = :o")
        elif kind == "pay":
            run("UPDATE orders SET is_paid = NOT is_paid, is_canceled = false WHERE id = :o")
        elif kind == "move_month":
            run("UPDATE orders SET paid_at = coalesce(paid_at, etsy_created_at) + :d WHERE id = :o",
                d=dt.timedelta(days=self.rng.choice((-40, -20, 17, 35))))
        elif kind == "currency":
            run("UPDATE orders SET currency = :c WHERE id = :o", c=self.rng.choice(CURRENCIES))
        elif kind == "total":
            run("UPDATE orders SET grandtotal = :t WHERE id = :o", t=self.rng.choice((None, 1, 99.99)))
        elif kind == "quantity":
            run("UPDATE order_items SET quantity = :q WHERE id = :i", q=self.rng.randint(0, 5))
        elif kind == "listing":
            run("UPDATE order_items SET listing_id = :l, title = :t WHERE id = :i", l=self.rng.choice(LISTINGS),
                t=self.rng.choice(TITLES))
        elif kind == "design":  # matched to a design, or to another
            run("UPDATE order_items SET design_file_id = :d WHERE id = :i", d=self._design())
        elif kind == "delete_design" and len(self.designs) > 2:  # its items let go of it (ON DELETE SET NULL)
            run("DELETE FROM files WHERE id = :d", d=self.designs.pop(self.rng.randrange(len(self.designs))))
        elif kind == "item_to_order":
            run("UPDATE order_items SET order_id = :o WHERE id = :i")
        elif kind == "delete_item":
            run("DELETE FROM order_items WHERE id = :i")
        elif kind == "delete_order":
            run("DELETE FROM orders WHERE id = :o")
        elif kind == "add_orders":
            self.add_orders(self.rng.randint(1, 4))
        elif kind == "add_items" and order:
            self.add_items(order, self.rng.randint(1, 3))
        elif kind == "bulk_orders":  # many rows in one statement, some changing month, some not changing at all
            run("UPDATE orders SET paid_at = paid_at + interval '9 days', is_canceled = (id % 3 = 0) AND is_canceled"
                " WHERE org_id = :org AND id % 2 = :m", m=self.rng.randint(0, 1))
        elif kind == "bulk_items":
            run("UPDATE order_items SET listing_id = CASE WHEN id % 2 = 0 THEN 102 ELSE listing_id END,"
                " quantity = quantity + 1 WHERE org_id = :org AND id % 3 = :m", m=self.rng.randint(0, 2))
        else:  # columns the totals do not read
            run("UPDATE orders SET buyer_name = 'x', is_shipped = true WHERE org_id = :org")
            run("UPDATE order_items SET sku = 'y' WHERE org_id = :org")
        return kind


def _periods(rng: random.Random) -> list[dict]:
    month = dt.datetime(NOW.year, NOW.month, 1, tzinfo=dt.UTC)
    aligned = (month - dt.timedelta(days=300)).replace(day=1)
    random_since = NOW - dt.timedelta(seconds=rng.randint(0, 400 * 86400))
    return [{}, {"since": aligned, "until": month}, {"since": aligned},
            {"since": random_since, "until": random_since + dt.timedelta(seconds=rng.randint(0, 200 * 86400))},
            {"since": random_since, "until": random_since + dt.timedelta(days=3)},  # no whole month
            {"since": NOW - dt.timedelta(days=600), "until": NOW + dt.timedelta(days=40)},
            {"since": aligned.astimezone(dt.timezone(dt.timedelta(hours=-5))),
             "until": month.astimezone(dt.timezone(dt.timedelta(hours=9)))}]


def _assert_same(session, org_id: int, periods: list[dict]) -> None:
    with tenancy.org_scope(org_id):
        for filters in periods:
            for limit in (3, 100):
                args = {**filters, "limit": limit}
                assert insights.sales_by_month(session, args) == insights._raw_sales_by_month(session, args), args
                assert insights.top_listings(session, args) == insights._raw_top_listings(session, args), args
                assert insights.top_designs(session, args) == insights._raw_top_designs(session, args), args


def test_totals_answer_what_the_orders_say_through_a_random_mix_of_writes(client, session):
    rng = random.Random(16)
    owner, other, empty = helpers.register(client), helpers.register(client), helpers.register(client)
    writers = [_Writer(session, org["org_id"], rng) for org in (owner, other)]
    for writer in writers:
        writer.add_orders(40)
    seen = set()
    for step in range(120):
        writer = rng.choice(writers)
        seen.add(writer.change())
        if rng.random() < 0.15:
            sales_totals.fold(session)
        if step % 20 == 19:
            periods = _periods(rng)
            for w in writers:
                _assert_same(session, w.org, periods)
    assert len(seen) >= 16, seen
    sales_totals.fold(session)
    periods = _periods(rng)
    for writer in writers:
        _assert_same(session, writer.org, periods)
    with tenancy.org_scope(owner["org_id"]):
        assert insights.sales_by_month(session, {"limit": 10}), "the mix left sales in the last year"
    # Another organization's totals never show: the empty one sees none, whatever the others sold.
    with tenancy.org_scope(empty["org_id"]):
        for filters in periods:
            assert insights.sales_by_month(session, {**filters, "limit": 10}) == []
            assert insights.top_listings(session, {**filters, "limit": 10}) == []
            assert insights.top_designs(session, {**filters, "limit": 10}) == []
    # Folded, each key is one row.
    keys = session.execute(text("SELECT count(*), count(DISTINCT (org_id, month, listing_id))"
                                " FROM listing_month_totals")).one()
    assert keys[0] == keys[1]


def test_an_order_counts_once_per_listing_and_deletes_take_their_items_along(client, session):
    owner = helpers.register(client)
    org = owner["org_id"]
    shop = _shop(session, org)
    paid = dt.datetime(NOW.year, NOW.month, 1, tzinfo=dt.UTC) - dt.timedelta(days=45)
    order = session.execute(text("INSERT INTO orders (org_id, shop_id, etsy_receipt_id, is_paid, grandtotal,"
                                 " currency, paid_at) VALUES (:org, :shop, 1, true, 30, 'USD', :at) RETURNING id"),
                            {"org": org, "shop": shop, "at": paid}).scalar()
    item = ("INSERT INTO order_items (org_id, order_id, etsy_transaction_id, listing_id, quantity, title,"
            " match_status) VALUES")
    session.execute(text(f"{item} (:org, :o, 1, 7, 2, 'Tee', 'unmatched'), (:org, :o, 2, 7, 3, 'Tee', 'unmatched')"),
                    {"org": org, "o": order})
    session.execute(text(f"{item} (:org, :o, 3, 7, 1, 'Tee B', 'unmatched')"), {"org": org, "o": order})
    args = {"since": paid - dt.timedelta(days=60), "until": paid + dt.timedelta(days=60), "limit": 10}
    with tenancy.org_scope(org):
        assert insights.top_listings(session, args) == [{"listing_id": 7, "title": "Tee B", "pieces": 6, "orders": 1}]
        assert [(m["orders"], m["items"], m["revenue"]) for m in insights.sales_by_month(session, args)] == [
            (1, 6, "30.00")]
        session.execute(text("DELETE FROM order_items WHERE etsy_transaction_id IN (1, 3) AND org_id = :org"),
                        {"org": org})
        assert insights.top_listings(session, args) == [{"listing_id": 7, "title": "Tee", "pieces": 3, "orders": 1}]
        session.execute(text("DELETE FROM shops WHERE id = :shop"), {"shop": shop})  # cascades to orders, items
        assert insights.top_listings(session, args) == [] and insights.sales_by_month(session, args) == []
    sales_totals.fold(session)
    assert session.execute(text("SELECT count(*) FROM sales_month_totals WHERE org_id = :org"),
                           {"org": org}).scalar() == 0
    # Deleting the organization cascades past the triggers without writing rows for it.
    writer = _Writer(session, org, random.Random(1))
    writer.add_orders(5)
    session.execute(text("DELETE FROM organizations WHERE id = :org"), {"org": org})
    assert session.execute(text("SELECT count(*) FROM listing_month_totals WHERE org_id = :org"),
                           {"org": org}).scalar() == 0


def test_api_routes_answer_from_the_totals(client, session):
    owner = helpers.register(client)
    helpers.set_features(client, owner, analytics=True)
    _Writer(session, owner["org_id"], random.Random(3)).add_orders(30)
    base = f"/api/organizations/{owner['org_id']}/insights"
    sales = client.get(f"{base}/sales-by-month", headers=owner["headers"]).get_json()
    listings = client.get(f"{base}/top-listings?limit=3", headers=owner["headers"]).get_json()
    designs = client.get(f"{base}/top-designs?limit=3", headers=owner["headers"]).get_json()
    with tenancy.org_scope(owner["org_id"]):
        assert sales == insights._raw_sales_by_month(session, {"limit": 10}) and sales
        assert listings == insights._raw_top_listings(session, {"limit": 3}) and listings
        assert designs == insights._raw_top_designs(session, {"limit": 3}) and designs


def _concurrently(first: str, second: str, params: dict) -> None:
    """`first` in one transaction, then `second` in another that waits for the first's row lock (in a thread);
    the first commits, then the second."""
    import threading

    from models import db

    one, two = db.engine().connect(), db.engine().connect()
    try:
        one.execute(text(first), params)
        waiting = threading.Thread(target=lambda: (two.execute(text(second), params), two.commit()))
        waiting.start()
        waiting.join(0.5)
        assert waiting.is_alive(), "the second writer waits for the first's lock"
        one.commit()
        waiting.join(10)
        assert not waiting.is_alive()
    finally:
        one.close()
        two.close()


def test_concurrent_writers_of_an_order_and_its_items_leave_no_drift(committed):
    session, created = committed
    org = session.execute(text("INSERT INTO organizations (name, shop_name) VALUES ('Race', 'race') RETURNING id"
                               )).scalar()
    created.append(org)
    shop = _shop(session, org)
    paid = dt.datetime(NOW.year, NOW.month, 1, tzinfo=dt.UTC) - dt.timedelta(days=40)
    orders = [session.execute(text(
        "INSERT INTO orders (org_id, shop_id, etsy_receipt_id, is_paid, grandtotal, currency, paid_at) VALUES"
        " (:org, :shop, :r, true, 10, 'USD', :at) RETURNING id"), {"org": org, "shop": shop, "r": r, "at": paid}
    ).scalar() for r in (1, 2)]
    session.commit()
    item = ("INSERT INTO order_items (org_id, order_id, etsy_transaction_id, listing_id, quantity, match_status)"
            " VALUES (:org, :o, :t, 5, 2, 'unmatched')")
    cancel = "UPDATE orders SET is_canceled = true WHERE id = :o"
    # An item added while its order is canceled, each way round: the item's trigger waits for the order's writer
    # (and reads it as committed), or the order's update waits for the item's lock on it (and sees the item).
    _concurrently(cancel, item, {"org": org, "o": orders[0], "t": 1})
    _concurrently(item, cancel, {"org": org, "o": orders[1], "t": 2})
    args = {"since": paid - dt.timedelta(days=60), "until": paid + dt.timedelta(days=60), "limit": 10}
    with tenancy.org_scope(org):
        assert insights.sales_by_month(session, args) == insights._raw_sales_by_month(session, args) == []
        assert insights.top_listings(session, args) == insights._raw_top_listings(session, args) == []
