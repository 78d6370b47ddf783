"""Migrations: an empty database upgrades to head, and the models agree with it (no autogenerate diff)."""
from __future__ import annotations

import hashlib
import io
import uuid

import psycopg
import pytest
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from sqlalchemy import create_engine, pool, text

from migrations import procrastinate_schema
from models import base
from tests import conftest, dbsetup


@pytest.fixture
def empty_db():
    name = f"esa_mig_{uuid.uuid4().hex[:8]}"
    dbsetup.create_database(conftest._SERVER_URL, name, durable=False)
    url = dbsetup.with_database(conftest._SERVER_URL, name).replace("postgresql://", "postgresql+psycopg://", 1)
    yield url
    dbsetup.drop_database(conftest._SERVER_URL, name)


def _include(obj, name, type_, reflected, compare_to):
    # Trigram indexes are made by migration 0009p_scale only where the server has pg_trgm; models do not declare them.
    return not (type_ == "table" and name.startswith("procrastinate_")) and not (type_ == "index" and reflected
                                                                               and name.endswith("_trgm"))


def test_upgrade_empty_database_matches_models(empty_db):
    dbsetup.migrate(empty_db)
    engine = create_engine(empty_db, poolclass=pool.NullPool)
    with engine.connect() as conn:
        ctx = MigrationContext.configure(conn, opts={"include_object": _include, "compare_type": True,
                                                     "compare_server_default": True})
        diff = compare_metadata(ctx, base.Base.metadata)
        assert diff == [], diff
        assert conn.execute(text("SELECT version_num FROM alembic_version")).scalar()
        # procrastinate's schema is installed by the first revision and is usable.
        assert conn.execute(text("SELECT to_regclass('procrastinate_jobs')")).scalar() == "procrastinate_jobs"
    engine.dispose()


def test_vendored_procrastinate_schema_matches_the_pinned_package():
    import importlib.metadata
    import importlib.resources

    assert importlib.metadata.version("procrastinate") == procrastinate_schema.VERSION
    packaged = importlib.resources.files("procrastinate.sql").joinpath("schema.sql").read_text()
    assert procrastinate_schema.SQL_FILE.read_text() == packaged


def test_downgrade_removes_everything(empty_db):
    from alembic import command
    from alembic.config import Config

    dbsetup.migrate(empty_db)
    cfg = Config(str(dbsetup.ROOT / "alembic.ini"))
    cfg.attributes["url"] = empty_db
    cfg.attributes["configure_logger"] = False
    command.downgrade(cfg, "base")
    with psycopg.connect(empty_db.replace("postgresql+psycopg://", "postgresql://")) as conn:
        tables = conn.execute("SELECT tablename FROM pg_tables WHERE schemaname = 'public'").fetchall()
    assert [t[0] for t in tables] == ["alembic_version"]


def test_files_of_the_previous_release_survive_the_design_analysis_upgrade(empty_db, settings):
    """Rows written at revision 0007 are intact after the upgrade, show their old design check, and are analysed
    lazily on first need (and queued by the sweep)."""
    from alembic import command
    from alembic.config import Config
    from sqlalchemy.orm import Session

    from models import file as file_model
    from models import tenancy
    from nas import shared
    from services import design_analysis
    from tests import imagegen

    cfg = Config(str(dbsetup.ROOT / "alembic.ini"))
    cfg.attributes["url"] = empty_db
    cfg.attributes["configure_logger"] = False
    command.upgrade(cfg, "0007")
    data = imagegen.padded(900, 600, (100, 100, 700, 400))
    key = "legacy-shop/designs/old.png"
    shared.storage_for(settings).put(key, io.BytesIO(data), on_conflict="replace")
    engine = create_engine(empty_db, poolclass=pool.NullPool)
    with engine.begin() as conn:
        org_id = conn.execute(text("INSERT INTO organizations (name, shop_name) VALUES ('Legacy', 'legacy-shop')"
                                   " RETURNING id")).scalar()
        file_id = conn.execute(text(
            "INSERT INTO files (org_id, file_type, status, storage_key, filename, mime_type, size_bytes, sha256,"
            " width_px, height_px, dpi_x, dpi_y, dpi, has_alpha, analysis) VALUES (:org, 'designs', 'ready', :key,"
            " 'old.png', 'image/png', :size, :sha, 900, 600, 300, 300, 300, true, :check) RETURNING id"),
            {"org": org_id, "key": key, "size": len(data), "sha": hashlib.sha256(data).hexdigest(),
             "check": '{"status": "ok", "checked_at": "2026-11-01T00:00:00", "sizes": []}'}).scalar()
    command.upgrade(cfg, "head")
    with Session(engine) as session, tenancy.org_scope(org_id):
        row = session.get(file_model.File, file_id)
        assert (row.filename, row.width_px, row.dpi, row.design_analysis) == ("old.png", 900, 300.0, None)
        view = design_analysis.describe(row)
        assert view["status"] == "ok" and view["analysed"] is False
        assert design_analysis.sweep(session, org_id) == 1 and design_analysis.sweep(session, org_id) == 0
        found = design_analysis.ensure(settings, [row])[file_id]
        assert (found.trim_box.left, found.trim_box.top, found.trimmed_size_px) == (100, 100, (600, 300))
        session.commit()
    with engine.connect() as conn:
        stored = conn.execute(text("SELECT design_analysis FROM files WHERE id = :id"), {"id": file_id}).scalar()
        queued = conn.execute(text("SELECT args FROM procrastinate_jobs WHERE task_name = 'analyse_design'")).all()
    assert stored["trimmed_width_in"] == 2 and stored["sha256"] == hashlib.sha256(data).hexdigest()
    assert [q.args for q in queued] == [{"org_id": org_id, "file_id": file_id}]
    engine.dispose()


def test_sales_totals_upgrade_backfills_existing_orders_and_downgrades_cleanly(empty_db):
    """Orders written before 0009t_sales_totals are in its totals (insights answer as the rows say), and a
    downgrade takes the totals, triggers and functions away and leaves the orders."""
    import datetime as dt

    from alembic import command
    from alembic.config import Config
    from sqlalchemy.orm import Session

    from models import tenancy
    from services import insights

    cfg = Config(str(dbsetup.ROOT / "alembic.ini"))
    cfg.attributes["url"] = empty_db
    cfg.attributes["configure_logger"] = False
    command.upgrade(cfg, "0009p_scale")
    engine = create_engine(empty_db, poolclass=pool.NullPool)
    now = dt.datetime.now(dt.UTC)
    with engine.begin() as conn:
        orgs = [conn.execute(text("INSERT INTO organizations (name, shop_name) VALUES (:n, :n) RETURNING id"),
                             {"n": f"shop-{k}"}).scalar() for k in range(2)]
        for k, org in enumerate(orgs):
            shop = conn.execute(text("INSERT INTO shops (org_id, etsy_shop_id, name, status) VALUES"
                                     " (:o, :e, 'Shop', 'connected') RETURNING id"), {"o": org, "e": 90 + k}).scalar()
            conn.execute(text(
                "INSERT INTO orders (org_id, shop_id, etsy_receipt_id, is_paid, is_canceled, grandtotal, currency,"
                " etsy_created_at, paid_at) SELECT :o, :s, g, g % 7 <> 0, g % 11 = 0, 5 + g % 13,"
                " (ARRAY['USD', 'EUR'])[1 + g % 2], :now - g * interval '1 day 3 hours',"
                " CASE WHEN g % 5 <> 0 THEN :now - g * interval '1 day 1 hour' END"
                " FROM generate_series(1, 300 + :k * 50) g"),
                {"o": org, "s": shop, "now": now, "k": k})
            conn.execute(text(
                "INSERT INTO files (org_id, file_type, status, storage_key, filename, mime_type, size_bytes)"
                " SELECT :o, 'designs', 'ready', :o || '/' || g, 'design-' || g, 'image/png', 1"
                " FROM generate_series(1, 6) g"), {"o": org})
            conn.execute(text(
                "INSERT INTO order_items (org_id, order_id, etsy_transaction_id, listing_id, quantity, title,"
                " design_file_id, match_status) SELECT org_id, id, etsy_receipt_id * 10 + t,"
                " CASE WHEN t < 3 THEN 500 + (id + t) % 9 END, 1 + (id + t) % 3, 'Listing ' || (id + t) % 9,"
                " (SELECT f.id FROM files f WHERE f.org_id = :o"
                "  AND f.filename = 'design-' || (1 + (orders.id + t) % 7)),"
                " 'unmatched' FROM orders, generate_series(1, 1 + etsy_receipt_id % 4) t WHERE org_id = :o"),
                {"o": org})
    command.upgrade(cfg, "head")
    aligned = dt.datetime(now.year, now.month, 1, tzinfo=dt.UTC)
    periods = [{}, {"since": aligned - dt.timedelta(days=200)}, {"since": now - dt.timedelta(days=400), "until": now}]
    with Session(engine) as session:
        for org in orgs:
            with tenancy.org_scope(org):
                for filters in periods:
                    args = {**filters, "limit": 5}
                    sales = insights.sales_by_month(session, args)
                    assert sales and sales == insights._raw_sales_by_month(session, args)
                    assert insights.top_listings(session, args) == insights._raw_top_listings(session, args)
                    designs = insights.top_designs(session, args)
                    assert designs and designs == insights._raw_top_designs(session, args)
    command.downgrade(cfg, "0009p_scale")
    with engine.connect() as conn:
        assert conn.execute(text("SELECT to_regclass('sales_month_totals'), to_regclass('listing_month_totals'),"
                                 " to_regclass('design_month_totals'), to_regprocedure('sales_totals_orders()'),"
                                 " to_regprocedure('sales_totals_items()'), to_regclass('ix_orders_org_sold_at')")
                            ).one() == (None,) * 6
        assert conn.execute(text("SELECT count(*) FROM pg_trigger WHERE tgname LIKE 'sales_totals%'")).scalar() == 0
        assert conn.execute(text("SELECT count(*) FROM orders")).scalar() == 650
        conn.execute(text("DELETE FROM orders"))  # no trigger left behind to trip over
    engine.dispose()
