"""Metrics and logs of real worker processes: print jobs on the NAS (over a real sshd) and an Etsy sync against
the double, scraped from each worker's METRICS_PORT and from the web's /metrics."""
from __future__ import annotations

import dataclasses
import io
import json

import pytest
from sqlalchemy import update

import config
from models import print_job as job_model
from models import shop as shop_model
from models import tenancy
from nas import shared
from services import print_jobs, shop_tokens
from tests import etsy_flow, imagegen, scrape
from tests.etsy_double import server
from tests.jobs import factories
from tests.jobs.conftest import wait_for

SLACK = 120.0  # seconds a test may take between setting a time and the scrape that reads it


def _create(session, org_id: int, user_id: int | None, job_type: str, params: dict) -> int:
    with tenancy.org_scope(org_id):
        job = print_jobs.create(session, job_type=job_type, params=params, created_by=user_id)
        session.commit()
        return job.id


def _finished(session, org_id: int, *job_ids: int) -> bool:
    return all(factories.job_state(session, org_id, j)[0].status in job_model.FINISHED for j in job_ids)


def _web(app) -> scrape.Samples:
    return scrape.parse(app.test_client().get("/metrics").get_data(as_text=True))


def _run_line(line: str) -> dict:
    """The lifecycle's JSON record on one of its log lines."""
    return json.loads(line[line.index("{"):])


def _stop(proc) -> list[str]:
    """Stop a worker; its output lines."""
    proc.terminate()
    return proc.communicate(timeout=60)[0].splitlines()


def _nas_env(server_) -> dict[str, str]:
    return {"STORAGE_BACKEND": "sftp", "QNAP_NAS_HOST": server_.host, "QNAP_NAS_PORT": str(server_.port),
            "QNAP_NAS_USERNAME": server_.username, "QNAP_NAS_KEY_PATH": str(server_.client_key),
            "QNAP_NAS_KNOWN_HOSTS": str(server_.known_hosts), "QNAP_NAS_POOL_SIZE": "3"}


def test_print_jobs_on_the_nas_are_counted_and_logged(committed, start_worker, sshd_server, tmp_path, app):
    session, created = committed
    share = tmp_path / "share"
    share.mkdir()
    env = {**_nas_env(sshd_server), "QNAP_NAS_BASE_PATH": str(share)}
    nas_settings = dataclasses.replace(
        config.get_settings(), storage_backend="sftp", nas_host=sshd_server.host, nas_port=sshd_server.port,
        nas_username=sshd_server.username, nas_key_path=str(sshd_server.client_key),
        nas_known_hosts_path=str(sshd_server.known_hosts), nas_base_path=str(share), nas_pool_size=3)
    org, user_id = factories.org_with_owner(session, created, "Metric Prints")
    tpl = factories.template(session, org, dpi=100, sizes=(("Adult", 3, 2), ("Pocket", 1, 1)))
    art = factories.design(session, nas_settings, org, imagegen.png(300, 200, dpi=100), "art.png")
    broken = factories.design(session, nas_settings, org, imagegen.png(100, 100), "broken.png")
    shared.storage_for(nas_settings).put(broken.storage_key, io.BytesIO(b"\x89PNG\r\n\x1a\nnot really"),
                                         on_conflict="replace")
    prints = _create(session, org.id, user_id, "print_files", {
        "template_id": tpl.id, "items": [{"file_id": art.id, "size_id": s.id} for s in tpl.sizes]})
    failing = _create(session, org.id, user_id, "print_files", {"dpi": 100, "items": [
        {"file_id": broken.id, "width_in": 1, "height_in": 1}]})
    gang = _create(session, org.id, user_id, "gang_sheets", {"template_id": tpl.id, "dpi": 100, "items": [
        {"file_id": art.id, "width_in": 3, "quantity": 3}]})
    check = _create(session, org.id, user_id, "designs", {"file_ids": [art.id]})

    waiting = _web(app)
    assert scrape.value(waiting, "esa_queue_depth", queue="print_files") == 2
    assert scrape.value(waiting, "esa_queue_depth", queue="gang_sheets") == 1
    assert scrape.value(waiting, "esa_queue_depth", queue="designs") == 1
    assert 0 < scrape.value(waiting, "esa_queue_oldest_seconds", queue="print_files") < SLACK

    print_port, general_port = scrape.free_port(), scrape.free_port()
    printer = start_worker("print_jobs", METRICS_PORT=str(print_port), **env)
    general = start_worker("general", METRICS_PORT=str(general_port), **env)
    wait_for(lambda: _finished(session, org.id, prints, failing, gang, check), timeout=120)
    states = {j: factories.job_state(session, org.id, j) for j in (prints, failing, gang, check)}
    assert [states[j][0].status for j in (prints, failing, gang, check)] == [
        "completed", "failed", "completed", "completed"], [states[j][0].error for j in states]

    after = _web(app)
    alive = {dict(k)["worker_type"]: v for k, v in scrape.series(after, "esa_workers_alive").items()}
    assert alive == {"general": 1, "print_jobs": 1, "scheduler": 0}
    assert all(v == 0 for v in scrape.series(after, "esa_queue_depth").values())
    assert all(v == 0 for v in scrape.series(after, "esa_queue_running").values())

    heavy = scrape.url(f"http://127.0.0.1:{print_port}/metrics")
    assert scrape.value(heavy, "esa_jobs_started_total", job_type="print_files") == 2
    assert scrape.value(heavy, "esa_jobs_started_total", job_type="gang_sheets") == 1
    for job_type, outcome, count in (("print_files", "completed", 1), ("print_files", "failed", 1),
                                     ("print_files", "retried", 0), ("gang_sheets", "completed", 1),
                                     ("gang_sheets", "failed", 0), ("designs", "completed", 0)):
        labels = {"job_type": job_type, "outcome": outcome}
        assert scrape.value(heavy, "esa_jobs_finished_total", **labels) == count, labels
        assert scrape.value(heavy, "esa_job_duration_seconds_count", **labels) == count, labels
    assert scrape.value(heavy, "esa_job_duration_seconds_sum", job_type="gang_sheets", outcome="completed") > 0
    result = states[gang][0].result
    assert scrape.value(heavy, "esa_gang_sheet_film_inches_total") == pytest.approx(result["total_length_in"])
    assert scrape.value(heavy, "esa_gang_sheet_utilization_ratio_count") == result["sheet_count"]
    assert scrape.value(heavy, "esa_gang_sheet_utilization_ratio_sum") == pytest.approx(
        sum(s["utilization"] for s in result["sheets"]))
    assert scrape.value(heavy, "esa_pieces_rendered_total", job_type="gang_sheets") == 3
    assert scrape.value(heavy, "esa_pieces_rendered_total", job_type="print_files") == 2
    written = sum(f.size_bytes for j in (prints, gang) for f in states[j][1])
    assert scrape.value(heavy, "esa_nas_bytes_total", direction="write") == written
    assert scrape.value(heavy, "esa_nas_bytes_total", direction="read") >= art.size_bytes + broken.size_bytes
    assert scrape.value(heavy, "esa_nas_transfer_seconds_total", direction="write") > 0
    assert scrape.value(heavy, "esa_nas_transfer_seconds_total", direction="read") > 0
    assert scrape.value(heavy, "esa_nas_connections_total", result="ok") >= 1
    assert scrape.value(heavy, "esa_nas_connections_total", result="failed") == 0
    assert scrape.value(heavy, "esa_nas_pool_connections", state="in_use") == 0
    assert scrape.value(heavy, "esa_nas_pool_size") == 3
    assert scrape.value(heavy, "process_resident_memory_bytes") > 0

    light = scrape.url(f"http://127.0.0.1:{general_port}/metrics")
    assert scrape.value(light, "esa_jobs_started_total", job_type="designs") == 1
    assert scrape.value(light, "esa_jobs_finished_total", job_type="designs", outcome="completed") == 1
    assert scrape.value(light, "esa_jobs_started_total", job_type="print_files") == 0

    lines = _stop(printer) + _stop(general)
    settings = config.get_settings()
    for secret in (settings.jwt_secret, settings.token_encryption_key):
        assert not any(secret in line for line in lines)
    runs = [_run_line(line) for line in lines if " esa.job " in line]
    assert {r["job"] for r in runs} == {prints, failing, gang, check}
    for line in (line for line in lines if " esa.job " in line):
        run = _run_line(line)
        kind = states[run["job"]][0].job_type
        assert f" job={run['job']} queue_job={run['queue_job']} type={kind} org={org.id} attempt=1 " in line, line
        assert run["type"] == kind and run["org"] == org.id and run["attempt"] == 1
    [failure] = [r for r in runs if r["status"] == "failed"]
    assert failure["job"] == failing and "Cannot render" in failure["error"]


@pytest.fixture
def double():
    with server.EtsyDouble(api_key=f"metrics-{id(object())}") as etsy:
        yield etsy
    assert etsy.violations == [], etsy.violations


def _etsy_env(double) -> dict[str, str]:
    return {"ETSY_API_KEY": double.api_key, "ETSY_CLIENT_SECRET": double.shared_secret,
            "ETSY_API_BASE_URL": double.base_url, "ETSY_TOKEN_URL": double.token_url,
            "ETSY_AUTHORIZE_URL": double.authorize_url, "ETSY_REDIRECT_URI": etsy_flow.REDIRECT_URI,
            "ETSY_TIMEOUT_SECONDS": "5"}


def test_etsy_sync_in_a_worker_is_counted(committed, start_worker, double, app, monkeypatch):
    session, created = committed
    settings = etsy_flow.settings_for(config.get_settings(), double)
    monkeypatch.setitem(app.extensions, "esa_settings", settings)
    org, _ = factories.org_with_owner(session, created, "Metric Sync")
    org_id = org.id  # the web requests below end the test's session scope: keep plain values
    seller = double.add_seller(shop_name="MetricShop")
    for sku in ("A", "B"):
        double.store.add_listing(seller["shop_id"], sku=sku)
    newest = double.store.now() - 3600
    for created_at in (newest - 60, newest):
        double.store.add_receipt(seller["shop_id"], created=created_at)
    with tenancy.org_scope(org_id):
        shop = shop_model.Shop(org_id=org_id, etsy_shop_id=seller["shop_id"], etsy_user_id=seller["user_id"],
                               name=seller["shop_name"], status="connected")
        shop_tokens.store(shop, double.issue_token(seller["user_id"]), settings)
        session.add(shop)
        session.commit()
        shop_id, connected_at = shop.id, shop.created_at
    double.faults.fail_next(1, 429)
    double.faults.fail_next(1, 503)
    port = scrape.free_port()
    worker = start_worker("general", METRICS_PORT=str(port), **_etsy_env(double))
    sync = _create(session, org_id, None, "orders", {"shop_id": shop_id, "full": True, "produce": False})
    wait_for(lambda: _finished(session, org_id, sync), timeout=90)
    assert factories.job_state(session, org_id, sync)[0].status == "completed"

    samples = scrape.url(f"http://127.0.0.1:{port}/metrics")
    calls = [e for e in double.log.calls() if e.operation]
    seen = {(e.operation, str(e.status)) for e in calls}
    assert ("getListingsByShop", "429") in seen and ("getShopReceipts", "200") in seen
    for operation, status in seen:
        expected = sum(1 for e in calls if (e.operation, str(e.status)) == (operation, status))
        assert scrape.value(samples, "esa_etsy_requests_total", operation=operation, status=status) == expected
    assert sum(scrape.series(samples, "esa_etsy_requests_total").values()) == len(calls)
    assert scrape.value(samples, "esa_etsy_rate_limited_total", operation="getListingsByShop", source="etsy") == 1
    assert scrape.value(samples, "esa_jobs_finished_total", job_type="orders", outcome="completed") == 1

    web = _web(app)
    assert scrape.value(web, "esa_etsy_budget_remaining") == settings.etsy_rate_per_day - len(calls)
    assert scrape.value(web, "esa_etsy_shops", status="connected") == 1
    lag = scrape.value(web, "esa_etsy_sync_lag_seconds", shop=str(shop_id))
    assert 3600 <= lag < 3600 + SLACK

    # The refresh token is revoked: the next sync finds out, and the shop waits to be connected again.
    with tenancy.org_scope(org_id):
        session.execute(update(shop_model.Shop).values(token_expires_at=connected_at))
        session.commit()
    double.oauth.revoke_refresh()
    again = _create(session, org_id, None, "orders", {"shop_id": shop_id, "produce": False})
    wait_for(lambda: _finished(session, org_id, again), timeout=90)
    assert factories.job_state(session, org_id, again)[0].status == "failed"
    samples = scrape.url(f"http://127.0.0.1:{port}/metrics")
    assert scrape.value(samples, "esa_etsy_requests_total", operation="oauthToken", status="400") == 1
    assert scrape.value(samples, "esa_jobs_finished_total", job_type="orders", outcome="failed") == 1
    web = _web(app)
    assert scrape.value(web, "esa_etsy_shops", status="needs_reauth") == 1
    assert scrape.series(web, "esa_etsy_sync_lag_seconds") == {}
    lines = _stop(worker)
    assert not any(double.shared_secret in line or "refresh_token" in line for line in lines)
    [failure] = [_run_line(line) for line in lines if " esa.job " in line and '"failed"' in line]
    assert failure["operation"] == "oauthToken" and failure["type"] == "orders"
