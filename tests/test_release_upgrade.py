"""Release upgrade: a database and NAS folder written by the previous release (e127a53, Alembic head
'0008a_design_analysis') migrate to head with every row and file intact and still usable through the current app.

The old rows are written with SQL as that release's schema has them (CI has no checkout of the old release); its
tokens are encrypted the way that release did it (Fernet keyed by sha256 of TOKEN_ENCRYPTION_KEY), and its files sit
where its `nas.paths.build_key` put them (`{shop_name}/{file_type}/{filename}` under the local storage root).
"""
from __future__ import annotations

import base64
import datetime as dt
import hashlib
import io
import json
import time
import uuid
from pathlib import Path
from typing import Any

import pytest
from alembic import command
from alembic.config import Config
from alembic.script import ScriptDirectory
from cryptography.fernet import Fernet
from sqlalchemy import create_engine, pool, text
from sqlalchemy.orm import Session

from tests import conftest, dbsetup, helpers, imagegen
from tests.web.console import pages

PREVIOUS_HEAD = "0008a_design_analysis"
PASSWORD = "old-release-password-1"
ETSY_SHOP = 5550001
ACCESS, REFRESH = "etsy-access-of-the-old-release", "etsy-refresh-of-the-old-release"


def _alembic(url: str) -> Config:
    cfg = Config(str(dbsetup.ROOT / "alembic.ini"))
    cfg.attributes["url"] = url
    cfg.attributes["configure_logger"] = False
    return cfg


def _old_encrypt(settings, value: str) -> str:
    """models.secrets.encrypt as the previous release wrote it (kept here, so a change of the scheme is caught)."""
    key = base64.urlsafe_b64encode(hashlib.sha256(settings.token_encryption_key.encode()).digest())
    return Fernet(key).encrypt(value.encode()).decode()


def _put_old_file(settings, key: str, data: bytes) -> None:
    """The object as the previous release's LocalStorage left it: the bytes at `{root}/{key}`."""
    path = Path(settings.local_root_path, *key.split("/"))
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(data)


def _one(conn, sql: str, **params: Any) -> Any:
    return conn.execute(text(sql), params).scalar()


def _write_previous_release(conn, settings) -> dict[str, Any]:
    """What the previous release wrote for two organizations; answers the ids and the file bytes."""
    from services import passwords

    ids: dict[str, Any] = {"files": {}}
    earlier = dt.datetime(2026, 11, 1, 12, 0, tzinfo=dt.UTC)
    org = ids["org"] = _one(conn, "INSERT INTO organizations (name, shop_name, settings, created_at) VALUES"
                                  " ('Legacy Prints', 'legacy-prints', '{\"film_price_per_inch\": 0.5}', :at)"
                                  " RETURNING id", at=earlier)
    other = ids["other_org"] = _one(conn, "INSERT INTO organizations (name, shop_name) VALUES"
                                          " ('Second Shop', 'second-shop') RETURNING id")
    conn.execute(text("INSERT INTO organization_features (org_id, name, enabled) VALUES (:o, 'mockups', false)"),
                 {"o": org})
    hashed = passwords.hash_password(PASSWORD)
    user_sql = ("INSERT INTO users (org_id, email, password_hash, full_name, role, token_version, last_login_at)"
                " VALUES (:o, :e, :h, :n, :r, 3, :at) RETURNING id")
    ids["owner"] = _one(conn, user_sql, o=org, e="owner@legacy.example", h=hashed, n="Old Owner", r="owner",
                        at=earlier)
    ids["member"] = _one(conn, user_sql, o=org, e="member@legacy.example", h=hashed, n="Old Member",
                         r="operator", at=earlier)
    ids["other_owner"] = _one(conn, user_sql, o=other, e="owner@second.example", h=hashed, n=None, r="owner",
                              at=None)
    ids["printer"] = _one(conn, "INSERT INTO printers (org_id, name, printer_type, manufacturer, max_width_in, dpi,"
                                " supported_media, is_default) VALUES (:o, 'Epson F2100', 'dtf', 'Epson', 22, 300,"
                                " '{film}', true) RETURNING id", o=org)
    ids["template"] = _one(conn, "INSERT INTO templates (org_id, name, product_type, canvas_width_in,"
                                 " canvas_height_in, dpi, spacing_in, margin_in) VALUES (:o, 'Adult tee', 'tshirt',"
                                 " 12, 16, 300, 0.25, 0) RETURNING id", o=org)
    size_sql = ("INSERT INTO template_sizes (org_id, template_id, name, width_in, height_in, sort_order)"
                " VALUES (:o, :t, :n, :w, :h, :s) RETURNING id")
    ids["size"] = _one(conn, size_sql, o=org, t=ids["template"], n="Adult", w=11, h=11, s=0)
    _one(conn, size_sql, o=org, t=ids["template"], n="Youth", w=8, h=8, s=1)

    # Two organizations connected the same Etsy shop: the earlier connection keeps it (0009c_console_connect).
    shop_sql = ("INSERT INTO shops (org_id, etsy_shop_id, etsy_user_id, name, currency, status, access_token_enc,"
                " refresh_token_enc, token_expires_at, scopes, default_template_id, default_printer_id,"
                " created_at) VALUES (:o, :e, 77, :n, 'USD', 'connected', :a, :r, :exp,"
                " '{transactions_r,transactions_w,listings_r}', :t, :p, :at) RETURNING id")
    expires = dt.datetime.now(dt.UTC) + dt.timedelta(days=1)
    ids["shop"] = _one(conn, shop_sql, o=org, e=ETSY_SHOP, n="LegacyPrintsShop", a=_old_encrypt(settings, ACCESS),
                       r=_old_encrypt(settings, REFRESH), exp=expires, t=ids["template"], p=ids["printer"],
                       at=earlier)
    ids["other_shop"] = _one(conn, shop_sql, o=other, e=ETSY_SHOP, n="LegacyPrintsShop",
                             a=_old_encrypt(settings, "second-access"), r=_old_encrypt(settings, "second-refresh"),
                             exp=expires, t=None, p=None, at=earlier + dt.timedelta(days=3))
    # Another shop in both: the first organization's refresh token was refused since, the second's works.
    ids["dead_shop"] = _one(conn, shop_sql, o=org, e=ETSY_SHOP + 1, n="SecondEtsyShop",
                            a=_old_encrypt(settings, "dead-access"), r=_old_encrypt(settings, "dead-refresh"),
                            exp=expires, t=None, p=None, at=earlier)
    conn.execute(text("UPDATE shops SET status = 'needs_reauth' WHERE id = :id"), {"id": ids["dead_shop"]})
    ids["live_shop"] = _one(conn, shop_sql, o=other, e=ETSY_SHOP + 1, n="SecondEtsyShop",
                            a=_old_encrypt(settings, "live-access"), r=_old_encrypt(settings, "live-refresh"),
                            exp=expires, t=None, p=None, at=earlier + dt.timedelta(days=5))

    file_sql = ("INSERT INTO files (org_id, file_type, status, storage_key, filename, original_filename, mime_type,"
                " size_bytes, sha256, width_px, height_px, dpi_x, dpi_y, dpi, color_mode, has_alpha, tags,"
                " created_by, print_job_id) VALUES (:o, :ft, 'ready', :key, :fn, :fn, :mime, :size, :sha, :w, :h,"
                " 300, 300, 300, 'RGBA', true, :tags, :by, :job) RETURNING id")

    def add_file(name: str, file_type: str, data: bytes, width: int, height: int, job: int | None = None,
                 mime: str = "image/png", tags: list[str] | None = None) -> int:
        key = f"legacy-prints/{file_type}/{name}"
        _put_old_file(settings, key, data)
        file_id = _one(conn, file_sql, o=org, ft=file_type, key=key, fn=name, mime=mime, size=len(data),
                       sha=hashlib.sha256(data).hexdigest(), w=width, h=height, tags=tags or [], by=ids["owner"],
                       job=job)
        ids["files"][file_id] = data
        return file_id

    ids["design"] = add_file("sunset-cat.png", "designs", imagegen.png(600, 600), 600, 600)
    ids["design2"] = add_file("Old Logo (final).png", "designs", imagegen.png(300, 450, dpi=150), 300, 450)
    ids["mapping"] = _one(conn, "INSERT INTO design_mappings (org_id, listing_id, sku, design_file_id, template_id,"
                                " size_id) VALUES (:o, 9001, '', :d, :t, :s) RETURNING id",
                          o=org, d=ids["design"], t=ids["template"], s=ids["size"])

    queue_job = ids["queue_job"] = _one(
        conn, "INSERT INTO procrastinate_jobs (queue_name, task_name, lock, args, status, attempts)"
              " VALUES ('gang_sheets', 'run_print_job', :lock, :args, 'succeeded', 1) RETURNING id",
        lock="print-job-0", args=json.dumps({"org_id": org}))
    ids["job"] = job = _one(conn, "INSERT INTO print_jobs (org_id, job_type, status, params, printer_id, template_id,"
                                  " created_by, queue_job_id, progress, progress_message, attempts, output_length_in,"
                                  " started_at, finished_at) VALUES (:o, 'gang_sheets', 'completed', :params, :p, :t,"
                                  " :by, :q, 100, 'Rendered 1 sheet(s), 12 in of film', 1, 12, :at, :at)"
                                  " RETURNING id",
                            o=org, params=json.dumps({"printer_id": 0, "items": []}), p=ids["printer"],
                            t=ids["template"], by=ids["owner"], q=queue_job, at=earlier)
    stem = f"gang-sheet_part1-of1_22x12in_300dpi_job{job}"
    sheet = add_file(f"{stem}.png", "gang_sheets", imagegen.png(660, 360), 660, 360, job=job, tags=[f"job-{job}"])
    preview = add_file(f"{stem}_preview.png", "gang_sheets", imagegen.png(200, 110), 200, 110, job=job)
    ids["pick_list"] = add_file(f"pick-list_job{job}.pdf", "exports", b"%PDF-1.4\n% old pick list\n%%EOF\n", 0, 0,
                                job=job, mime="application/pdf")
    layout = {"sheets": [{"length": 12, "utilization": 0.4, "placements": [
        {"key": "sunset-cat.png", "x": 0.25, "y": 0.25, "width": 11, "height": 11, "rotated": False,
         "group": "R1001"}]}]}
    result = {"layout": layout, "sheet_count": 1, "total_length_in": 12, "utilization": 0.4, "sheet_width": 22,
              "dpi": 300, "printer_id": ids["printer"], "preflight": [], "film_cost": None, "quality": "fast",
              "sheets": [{"file_id": sheet, "preview_file_id": preview, "sheet": 1, "length_in": 12,
                          "utilization": 0.4, "pieces": 1, "width_px": 660, "height_px": 360}]}
    conn.execute(text("UPDATE print_jobs SET params = :p, result = :r, queue_job_id = :q WHERE id = :id"),
                 {"p": json.dumps({"printer_id": ids["printer"], "items": [{"file_id": ids["design"],
                                                                           "size_id": ids["size"]}]}),
                  "r": json.dumps(result), "q": queue_job, "id": job})
    # Jobs the old release had queued when it stopped: the new workers must know their tasks and serve their queues.
    todo_sql = ("INSERT INTO procrastinate_jobs (queue_name, task_name, lock, queueing_lock, args, status)"
                " VALUES (:q, :t, :lock, :ql, :args, 'todo') RETURNING id")
    ids["todo"] = [
        _one(conn, todo_sql, q="designs", t="analyse_design", lock=None, ql=f"analyse-{ids['design2']}",
             args=json.dumps({"org_id": org, "file_id": ids["design2"]})),
        _one(conn, todo_sql, q="sync", t="backup_file", lock=None, ql=None,
             args=json.dumps({"org_id": org, "file_id": ids["design"]})),
        _one(conn, todo_sql, q="scheduler", t="fan_out_shop_syncs", lock=None, ql=None, args="{}")]
    ids["queued_job"] = _one(conn, "INSERT INTO print_jobs (org_id, job_type, status, params, created_by) VALUES"
                                   " (:o, 'orders', 'failed', '{}', :by) RETURNING id", o=org, by=ids["member"])

    order_sql = ("INSERT INTO orders (org_id, shop_id, etsy_receipt_id, buyer_name, status, is_paid, grandtotal,"
                 " currency, etsy_created_at, paid_at) VALUES (:o, :s, :r, :b, 'Paid', true, 25, 'USD', :at, :at)"
                 " RETURNING id")
    ids["order"] = _one(conn, order_sql, o=org, s=ids["shop"], r=1001, b="Ann Buyer", at=earlier)
    ids["order2"] = _one(conn, order_sql, o=org, s=ids["shop"], r=1002, b="Bob Buyer", at=earlier)
    ids["other_order"] = _one(conn, order_sql, o=other, s=ids["other_shop"], r=1001, b="Ann Buyer", at=earlier)
    item_sql = ("INSERT INTO order_items (org_id, order_id, etsy_transaction_id, listing_id, sku, variations,"
                " personalization, quantity, title, match_status, matched_by, mapping_id, design_file_id,"
                " template_id, size_id, print_job_id) VALUES (:o, :order, :tx, :l, :sku, :v, :pers, 1, :title,"
                " :m, :mb, :map, :d, :t, :s, :job) RETURNING id")
    ids["matched_item"] = _one(conn, item_sql, o=org, order=ids["order"], tx=5001, l=9001, sku="CAT-A",
                               v=json.dumps({"Size": "Adult"}), pers=None, title="Sunset cat tee", m="matched",
                               mb="mapping", map=ids["mapping"], d=ids["design"], t=ids["template"], s=ids["size"],
                               job=job)
    ids["unmatched_item"] = _one(conn, item_sql, o=org, order=ids["order2"], tx=5002, l=9002, sku=None,
                                 v="{}", pers="For Bob", title="Mystery tee", m="unmatched", mb=None, map=None,
                                 d=None, t=None, s=None, job=None)
    _one(conn, item_sql, o=other, order=ids["other_order"], tx=5003, l=9003, sku=None, v="{}", pers=None,
         title="Other tee", m="unmatched", mb=None, map=None, d=None, t=None, s=None, job=None)

    event_sql = ("INSERT INTO events (org_id, user_id, event_type, entity_type, entity_id, level, source, changes,"
                 " payload, request_id) VALUES (:o, :u, :t, :et, :eid, :lvl, :src, :c, :p, 'req-old') RETURNING id")
    _one(conn, event_sql, o=org, u=ids["owner"], t="organization.created", et="organizations", eid=str(org),
         lvl="info", src="api", c=json.dumps({"name": [None, "Legacy Prints"]}), p=None)
    _one(conn, event_sql, o=org, u=ids["owner"], t="shop.connected", et="shops", eid=str(ids["shop"]),
         lvl="info", src="api", c=None, p=json.dumps({"access_token": "***"}))
    _one(conn, event_sql, o=org, u=None, t="print_job.completed", et="print_jobs", eid=str(job), lvl="info",
         src="worker", c=None, p=json.dumps({"output_length_in": 12}))
    _write_cli_organization(conn, settings, ids, hashed)
    _one(conn, event_sql, o=org, u=None, t="shop.sync_failed", et="shops", eid=str(ids["shop"]), lvl="error",
         src="system", c=None, p=json.dumps({"error": "timeout"}))
    return ids


def _write_cli_organization(conn, settings, ids: dict[str, Any], hashed: str) -> None:
    """An organization made by `admin orgs create --shop-name 'Café Prints'`: that release kept the name unchecked
    and stored its files under the name's slug (nas.paths.shop_slug), `cafe-prints/`."""
    cli_org = ids["cli_org"] = _one(conn, "INSERT INTO organizations (name, shop_name) VALUES ('Café Prints',"
                                          " 'Café Prints') RETURNING id")
    _one(conn, "INSERT INTO users (org_id, email, password_hash, role) VALUES (:o, 'owner@cafe.example', :h,"
               " 'owner') RETURNING id", o=cli_org, h=hashed)
    data = ids["cli_file_bytes"] = imagegen.png(120, 80)
    key = ids["cli_file_key"] = "cafe-prints/designs/latte.png"
    _put_old_file(settings, key, data)
    ids["cli_file"] = _one(conn, "INSERT INTO files (org_id, file_type, status, storage_key, filename, mime_type,"
                                 " size_bytes, sha256) VALUES (:o, 'designs', 'ready', :key, 'latte.png',"
                                 " 'image/png', :size, :sha) RETURNING id",
                           o=cli_org, key=key, size=len(data), sha=hashlib.sha256(data).hexdigest())


@pytest.fixture(scope="module")
def previous_release(settings):
    """A database written by the previous release, then upgraded to head; answers (url, ids)."""
    name = f"esa_upgrade_{uuid.uuid4().hex[:8]}"
    dbsetup.create_database(conftest._SERVER_URL, name, durable=False)
    url = dbsetup.with_database(conftest._SERVER_URL, name).replace("postgresql://", "postgresql+psycopg://", 1)
    cfg = _alembic(url)
    command.upgrade(cfg, PREVIOUS_HEAD)
    engine = create_engine(url, poolclass=pool.NullPool)
    with engine.begin() as conn:
        ids = _write_previous_release(conn, settings)
    with engine.connect() as conn:
        ids["counts"] = _counts(conn)
    command.upgrade(cfg, "head")
    with engine.connect() as conn:
        ids["upgraded_counts"] = _counts(conn)  # before the tests below sign in, send and queue
    yield url, ids
    engine.dispose()
    dbsetup.drop_database(conftest._SERVER_URL, name)


COUNTED = ("organizations", "organization_features", "users", "shops", "files", "printers", "templates",
           "template_sizes", "design_mappings", "orders", "order_items", "print_jobs", "events", "procrastinate_jobs")


def _counts(conn) -> dict[str, int]:
    return {table: _one(conn, f"SELECT count(*) FROM {table}") for table in COUNTED}  # noqa: S608 - fixed names


@pytest.fixture
def upgraded(previous_release, settings):
    """The current app (Flask test client) on the upgraded database; answers (client, ids, engine)."""
    from models import db
    from web import create_app

    url, ids = previous_release
    engine = create_engine(url, poolclass=pool.NullPool)
    before = db._factory.kw.get("bind")
    app = create_app(settings)
    app.config["TESTING"] = True
    db.bind(engine)
    try:
        yield app.test_client(), ids, engine
    finally:
        db.session.remove()
        db.bind(before if before is not None else db.engine())
        engine.dispose()


def _login(client, email: str = "owner@legacy.example") -> dict[str, Any]:
    answer = client.post("/api/auth/login", json={"email": email, "password": PASSWORD})
    assert answer.status_code == 200, answer.get_json()
    body = answer.get_json()
    return {**body, "headers": helpers.bearer(body["access_token"])}


def _org_url(ids: dict[str, Any], path: str) -> str:
    return f"/api/organizations/{ids['org']}/{path}"


def _total(answer) -> int:
    assert answer.status_code == 200, answer.get_json()
    return json.loads(answer.headers["X-Pagination"])["total"]


def test_every_row_is_kept_and_the_head_is_one(previous_release):
    url, ids = previous_release
    engine = create_engine(url, poolclass=pool.NullPool)
    # Every row is kept; the only new rows are the audit events of the two shops the upgrade disconnected.
    assert ids["upgraded_counts"] == {**ids["counts"], "events": ids["counts"]["events"] + 2}
    with engine.connect() as conn:
        head = _one(conn, "SELECT version_num FROM alembic_version")
        now = _counts(conn)
    script = ScriptDirectory.from_config(_alembic(url))
    assert script.get_heads() == [head]
    command.upgrade(_alembic(url), "head")  # at head, a second upgrade changes nothing
    with engine.connect() as conn:
        assert _counts(conn) == now
        assert _one(conn, "SELECT version_num FROM alembic_version") == head
    engine.dispose()


def test_the_owner_and_member_sign_in_with_their_old_password(upgraded):
    client, ids, _ = upgraded
    owner = _login(client)
    me = client.get("/api/auth/me", headers=owner["headers"])
    assert me.status_code == 200, me.get_json()
    assert me.get_json()["user"]["id"] == ids["owner"]
    assert me.get_json()["organization"]["shop_name"] == "legacy-prints"
    member = _login(client, "member@legacy.example")
    assert client.get("/api/auth/me", headers=member["headers"]).get_json()["user"]["role"] == "operator"
    refreshed = client.post("/api/auth/refresh", json={"refresh_token": owner["refresh_token"]})
    assert refreshed.status_code == 200, refreshed.get_json()
    wrong = client.post("/api/auth/login", json={"email": "owner@legacy.example", "password": "not-the-password"})
    helpers.assert_error(wrong, 401)

    browser = client.application.test_client()
    signed_in = pages.sign_in(browser, "owner@legacy.example", PASSWORD)
    assert signed_in.status_code == 302, signed_in.get_data(as_text=True)[:300]
    page = browser.get("/console/orders")
    assert page.status_code == 200 and "Ann Buyer" in page.get_data(as_text=True)


def test_tokens_of_the_previous_release_are_a_clean_401(upgraded, settings):
    from joserfc import jwt
    from joserfc.jwk import OctKey

    client, ids, _ = upgraded
    now = int(time.time())
    common = {"sub": str(ids["owner"]), "org": ids["org"], "iat": now, "exp": now + 3600, "jti": "0123456789abcdef"}
    key = OctKey.import_key(settings.jwt_secret)
    access = jwt.encode({"alg": "HS256", "typ": "JWT"}, {**common, "role": "owner", "typ": "access"}, key)
    refresh = jwt.encode({"alg": "HS256", "typ": "JWT"}, {**common, "typ": "refresh", "ver": 3}, key)
    helpers.assert_error(client.get("/api/auth/me", headers=helpers.bearer(access)), 401)
    body = helpers.assert_error(client.post("/api/auth/refresh", json={"refresh_token": refresh}), 401)
    assert "sign in again" in body["message"]


def test_the_shop_keeps_its_tokens_and_the_duplicate_is_disconnected(upgraded, settings):
    """Of two organizations holding one Etsy shop, the earliest connection whose tokens work keeps it (0009c)."""
    from models import tenancy
    from services import shop_tokens

    client, ids, engine = upgraded
    with Session(engine) as session:
        with tenancy.org_scope(ids["org"]):
            assert shop_tokens.access_token(ids["shop"], settings, session=session) == ACCESS
        with tenancy.org_scope(ids["other_org"]):
            assert shop_tokens.access_token(ids["live_shop"], settings, session=session) == "live-access"
            with pytest.raises(shop_tokens.NeedsReauth):
                shop_tokens.access_token(ids["other_shop"], settings, session=session)
        session.rollback()
    with engine.connect() as conn:
        rows = conn.execute(text("SELECT id, status, access_token_enc IS NULL, refresh_token_enc IS NULL"
                                 " FROM shops ORDER BY id")).all()
        refresh_enc = _one(conn, "SELECT refresh_token_enc FROM shops WHERE id = :id", id=ids["shop"])
        told = conn.execute(text("SELECT org_id, entity_id, level FROM events WHERE event_type = 'shop.disconnected'"
                                 " ORDER BY org_id")).all()
    assert [tuple(r) for r in rows] == [(ids["shop"], "connected", False, False),
                                        (ids["other_shop"], "disconnected", True, True),
                                        (ids["dead_shop"], "disconnected", True, True),
                                        (ids["live_shop"], "connected", False, False)]
    assert [tuple(r) for r in told] == [(ids["org"], str(ids["dead_shop"]), "warning"),
                                        (ids["other_org"], str(ids["other_shop"]), "warning")]
    from models import secrets
    assert secrets.decrypt(refresh_enc, settings) == REFRESH
    owner = _login(client)
    shop = client.get(_org_url(ids, f"shops/{ids['shop']}"), headers=owner["headers"])
    assert shop.status_code == 200, shop.get_json()
    assert (shop.get_json()["status"], shop.get_json()["etsy_shop_id"]) == ("connected", ETSY_SHOP)


def test_every_file_downloads_with_its_bytes(upgraded):
    client, ids, _ = upgraded
    owner = _login(client)
    assert _total(client.get(_org_url(ids, "files/"), headers=owner["headers"])) == len(ids["files"])
    for file_id, data in ids["files"].items():
        meta = client.get(_org_url(ids, f"files/{file_id}"), headers=owner["headers"])
        assert meta.status_code == 200, meta.get_json()
        assert meta.get_json()["sha256"] == hashlib.sha256(data).hexdigest()
        got = client.get(_org_url(ids, f"files/{file_id}/download"), headers=owner["headers"])
        assert got.status_code == 200, got.get_data()[:300]
        assert got.get_data() == data


def test_orders_jobs_events_and_printer_list_as_before(upgraded):
    client, ids, engine = upgraded
    owner = _login(client)
    headers = owner["headers"]
    assert _total(client.get(_org_url(ids, "orders/"), headers=headers)) == 2
    order = client.get(_org_url(ids, f"orders/{ids['order']}"), headers=headers).get_json()
    assert [(i["id"], i["match_status"], i["design_file_id"]) for i in order["items"]] == [
        (ids["matched_item"], "matched", ids["design"])]
    unmatched = client.get(_org_url(ids, "orders/unmatched"), headers=headers)
    assert [i["id"] for i in unmatched.get_json()] == [ids["unmatched_item"]]
    assert _total(client.get(_org_url(ids, "print-jobs/"), headers=headers)) == 2
    job = client.get(_org_url(ids, f"print-jobs/{ids['job']}"), headers=headers).get_json()
    assert (job["status"], job["result"]["sheets"][0]["file_id"]) == ("completed", min(
        f for f in ids["files"] if f not in (ids["design"], ids["design2"])))
    events = client.get(_org_url(ids, "events/?page_size=100"), headers=headers)
    assert _total(events) == len(events.get_json())  # the old events and this module's sign-ins, on one page
    old = sorted((e["event_type"], e["source"], e["level"]) for e in events.get_json() if e["event_type"] in (
        "organization.created", "shop.connected", "print_job.completed", "shop.sync_failed"))
    assert old == [("organization.created", "api", "info"), ("print_job.completed", "worker", "info"),
                   ("shop.connected", "api", "info"), ("shop.sync_failed", "system", "error")]
    printer = client.get(f"/api/printers/{ids['printer']}", headers=headers).get_json()
    assert printer["is_default"] is True
    assert (printer["output_format"], printer["mirror"], printer["hot_folder"], printer["auto_send"]) == (
        "png", False, None, False)
    assert printer["file_name_pattern"] == "{date}_job{job}_sheet{sheet}-of-{sheets}_{printer}_{length}in"
    templates = client.get(_org_url(ids, "templates/"), headers=headers).get_json()
    assert [[s["name"] for s in t["sizes"]] for t in templates] == [["Adult", "Youth"]]
    with engine.connect() as conn:
        assert _one(conn, "SELECT count(*) FROM procrastinate_jobs WHERE id = :id AND status = 'succeeded'",
                    id=ids["queue_job"]) == 1


def test_an_organization_named_by_the_cli_keeps_its_nas_folder(upgraded, settings):
    """The previous release put the files of shop_name 'Café Prints' under `cafe-prints/`; new files, renames and
    the NAS library import keep using that folder (0008e_etsy_loop records it as the organization's nas_folder)."""
    client, ids, _ = upgraded
    owner = _login(client, "owner@cafe.example")
    org = client.get(f"/api/organizations/{ids['cli_org']}", headers=owner["headers"]).get_json()
    assert (org["shop_name"], org["nas_folder"], org["folder"]) == ("Café Prints", "cafe-prints", "cafe-prints")
    url = f"/api/organizations/{ids['cli_org']}/files"
    old = client.get(f"{url}/{ids['cli_file']}/download", headers=owner["headers"])
    assert old.status_code == 200 and old.get_data() == ids["cli_file_bytes"]
    new = client.post(f"{url}/upload", headers=owner["headers"], content_type="multipart/form-data",
                      data={"file": (io.BytesIO(imagegen.png(90, 60)), "mocha.png"), "file_type": "designs"})
    assert new.status_code == 201, new.get_json()
    assert new.get_json()["file"]["storage_key"] == "cafe-prints/designs/mocha.png"
    assert Path(settings.local_root_path, "cafe-prints", "designs", "mocha.png").is_file()
    assert not Path(settings.local_root_path, "Café Prints").exists()


def test_the_console_shows_every_page_of_the_old_data(upgraded):
    client, ids, _ = upgraded
    browser = client.application.test_client()
    assert pages.sign_in(browser, "owner@legacy.example", PASSWORD).status_code == 302
    for path in ("/console/", "/console/designs", "/console/gang-sheets", "/console/jobs",
                 f"/console/jobs/{ids['job']}", f"/console/jobs/{ids['queued_job']}",
                 "/console/orders", f"/console/orders/{ids['order']}", "/console/orders/unmatched",
                 f"/console/printers/{ids['printer']}", "/console/settings", "/console/settings/audit",
                 "/console/shops", f"/console/files/{ids['design']}/download"):
        page = browser.get(path)
        assert page.status_code == 200, (path, page.status_code, page.get_data(as_text=True)[:300])
    assert browser.get(f"/console/files/{ids['design']}/download").get_data() == ids["files"][ids["design"]]
    assert browser.get("/console/mockups").status_code == 403  # the old release's feature flag (mockups off) holds


def test_old_designs_templates_and_jobs_still_work(upgraded, settings):
    """An old design at an old template size lays out; the old completed gang sheet job goes to the printer's new
    hot folder with its order; the organization and its settings read and change."""
    client, ids, _ = upgraded
    headers = _login(client)["headers"]
    layout = client.post(_org_url(ids, "gang-sheets/layout"), headers=headers, json={
        "printer_id": ids["printer"], "template_id": ids["template"],
        "items": [{"file_id": ids["design"], "size_id": ids["size"], "quantity": 2}]})
    assert layout.status_code == 200, layout.get_json()
    assert layout.get_json()["sheet_count"] == 1 and layout.get_json()["sheet_width"] == 22

    org = client.get(f"/api/organizations/{ids['org']}", headers=headers)
    assert org.status_code == 200 and org.get_json()["settings"]["film_price_per_inch"] == 0.5, org.get_json()
    renamed = client.patch(f"/api/organizations/{ids['org']}", headers=headers, json={"name": "Legacy Prints Co"})
    assert renamed.status_code == 200, renamed.get_json()

    Path(settings.local_root_path, "RIP", "hot").mkdir(parents=True, exist_ok=True)
    set_folder = client.patch(f"/api/printers/{ids['printer']}", headers=headers, json={"hot_folder": "RIP/hot"})
    assert set_folder.status_code == 200, set_folder.get_json()
    sent = client.post(f"/api/printers/{ids['printer']}/sends", headers=headers, json={"print_job_id": ids["job"]})
    assert sent.status_code in (200, 201, 202), sent.get_json()
    body = sent.get_json()
    sends = body if isinstance(body, list) else body.get("sends", body)
    assert [(s["sheet"], s["sheets"], s["order_ids"], s["status"]) for s in sends] == [(1, 1, [ids["order"]],
                                                                                         "queued")]
    cancelled = client.post(f"/api/printers/{ids['printer']}/sends/{sends[0]['id']}/cancel", headers=headers)
    assert cancelled.status_code == 200, cancelled.get_json()
    # Back as the upgrade left it, for the other tests of this module (they share the database).
    assert client.patch(f"/api/printers/{ids['printer']}", headers=headers,
                        json={"hot_folder": None}).status_code == 200


def test_jobs_the_old_release_queued_are_run_by_the_new_workers(upgraded):
    import importlib

    from jobs import app as jobs_app

    _, ids, engine = upgraded
    for module in [*jobs_app.TASK_MODULES, "jobs.schedule"]:
        importlib.import_module(module)
    served = {q for queues in jobs_app.QUEUES.values() for q in queues}
    with engine.connect() as conn:
        queued = conn.execute(text("SELECT task_name, queue_name, status FROM procrastinate_jobs WHERE id = ANY(:ids)"
                                   " ORDER BY id"), {"ids": ids["todo"]}).all()
    assert [r.status for r in queued] == ["todo"] * 3
    for task_name, queue_name, _ in queued:
        assert task_name in jobs_app.app.tasks and queue_name in served, (task_name, queue_name)
