"""Print jobs API: typed creation with clear 422s, search, get, cancel, retry, stats, queue info."""
from __future__ import annotations

import json

from sqlalchemy import text

from tests import helpers, imagegen
from tests.web.test_files import upload


def _url(org: dict, suffix: str = "") -> str:
    return f"/api/organizations/{org['org_id']}/print-jobs/{suffix}"


def _template(client, org: dict, **canvas) -> dict:
    body = {"name": f"Tee {len(canvas)}-{canvas.get('dpi', 300)}",
            "canvas": {"width_in": 22, "height_in": 36, "dpi": 300, "spacing_in": 0.25, **canvas},
            "sizes": [{"name": "Adult", "width_in": 11, "height_in": 11},
                      {"name": "Pocket", "width_in": 4, "height_in": 4}]}
    response = client.post(f"/api/organizations/{org['org_id']}/templates/", headers=org["headers"], json=body)
    assert response.status_code == 201, response.get_json()
    return response.get_json()


def _job(client, org: dict, params: dict, job_type: str = "print_files"):
    return client.post(_url(org), headers=org["headers"], json={"job_type": job_type, "params": params})


def test_create_queues_row_and_queue_job_together(client, session):
    owner = helpers.register(client)
    design = upload(client, owner, imagegen.png(300, 300)).get_json()["file"]
    tpl = _template(client, owner)
    response = _job(client, owner, {"template_id": tpl["id"],
                                    "items": [{"file_id": design["id"], "size_id": tpl["sizes"][1]["id"]}]})
    assert response.status_code == 201, response.get_json()
    job = response.get_json()
    assert job["status"] == "queued" and job["template_id"] == tpl["id"]
    assert job["params"]["items"] == [{"file_id": design["id"], "width_in": 4.0, "height_in": 4.0,
                                       "size_name": "Pocket", "quantity": 1, "trim": True}]
    assert job["params"]["dpi"] == 300
    queued = session.execute(text("SELECT queue_name, args, lock FROM procrastinate_jobs WHERE task_name ="
                                  " 'run_print_job'")).one()
    assert queued.queue_name == "print_files" and queued.args == {"org_id": owner["org_id"], "print_job_id": job["id"]}
    detail = client.get(_url(owner, str(job["id"])), headers=owner["headers"]).get_json()
    assert detail["outputs"] == [] and detail["progress"] == 0


def test_identical_items_are_one_print_file_with_a_quantity(client):
    owner = helpers.register(client)
    design = upload(client, owner, imagegen.png()).get_json()["file"]
    item = {"file_id": design["id"], "width_in": 3, "height_in": 2}
    job = _job(client, owner, {"items": [item, {**item, "quantity": 4}, {**item, "width_in": 5}]}).get_json()
    assert [(i["width_in"], i["quantity"]) for i in job["params"]["items"]] == [(3, 5), (5, 1)]


def test_bad_parameters_are_422_naming_the_part(client):
    owner = helpers.register(client)
    other = helpers.register(client)
    mine = upload(client, owner, imagegen.png()).get_json()["file"]
    theirs = upload(client, other, imagegen.png(color=(9, 9, 9, 255))).get_json()["file"]
    tpl = _template(client, owner)
    cases = [
        ({"job_type": "teleport", "params": {}}, "job_type"),
        ({"job_type": "print_files", "params": {"items": []}}, "params"),
        ({"job_type": "print_files", "params": {"items": [{"file_id": "abc", "width_in": 2, "height_in": 2}]}},
         "params"),
        ({"job_type": "print_files", "params": {"items": [{"file_id": 999999, "width_in": 2, "height_in": 2}]}},
         "params.items"),
        ({"job_type": "print_files", "params": {"items": [{"file_id": theirs["id"], "width_in": 2, "height_in": 2}]}},
         "params.items"),
        ({"job_type": "print_files", "params": {"items": [{"file_id": mine["id"], "size_id": 1}]}}, "params"),
        ({"job_type": "print_files", "params": {"template_id": tpl["id"],
                                                "items": [{"file_id": mine["id"], "size_id": 987654}]}},
         "params.items.0.size_id"),
        ({"job_type": "print_files", "params": {"items": [{"file_id": mine["id"], "width_in": 2}]}}, "params"),
        ({"job_type": "designs", "params": {"file_ids": [mine["id"]], "template_ids": [123456]}},
         "params.template_ids.0"),
        ({"job_type": "print_files", "params": {"items": [{"file_id": mine["id"], "width_in": 2, "height_in": 2}],
                                                "printer_id": 424242}}, "params.printer_id"),
    ]
    for body, field in cases:
        response = client.post(_url(owner), headers=owner["headers"], json=body)
        err = helpers.assert_error(response, 422)
        assert field in json.dumps(err.get("errors")), (body, err)


def test_size_larger_than_every_printer_is_refused(client):
    owner = helpers.register(client)
    design = upload(client, owner, imagegen.png()).get_json()["file"]
    response = client.post("/api/printers/", headers=owner["headers"],
                           json={"name": "Desk DTF", "printer_type": "dtf", "max_width_in": 13, "dpi": 300})
    assert response.status_code == 201, response.get_json()
    err = helpers.assert_error(_job(client, owner, {"items": [{"file_id": design["id"], "width_in": 20,
                                                               "height_in": 5}]}), 422)
    assert "fits no printer" in err["message"] and "Desk DTF" in err["message"]
    assert _job(client, owner, {"items": [{"file_id": design["id"], "width_in": 12, "height_in": 5}]}
                ).status_code == 201


def test_cancel_queued_then_retry_then_cancel_finished(client, session):
    owner = helpers.register(client)
    design = upload(client, owner, imagegen.png()).get_json()["file"]
    job = _job(client, owner, {"items": [{"file_id": design["id"], "width_in": 2, "height_in": 2}]}).get_json()
    cancelled = client.post(_url(owner, f"{job['id']}/cancel"), headers=owner["headers"])
    assert cancelled.status_code == 200 and cancelled.get_json()["status"] == "cancelled"
    runs = "SELECT status::text FROM procrastinate_jobs WHERE task_name = 'run_print_job' ORDER BY id"
    assert [r[0] for r in session.execute(text(runs))] == ["cancelled"]
    helpers.assert_error(client.post(_url(owner, f"{job['id']}/cancel"), headers=owner["headers"]), 409)
    retried = client.post(_url(owner, f"{job['id']}/retry"), headers=owner["headers"])
    assert retried.status_code == 200 and retried.get_json()["status"] == "queued"
    helpers.assert_error(client.post(_url(owner, f"{job['id']}/retry"), headers=owner["headers"]), 409)
    assert [r[0] for r in session.execute(text(runs))] == ["cancelled", "todo"]
    events = client.get(f"/api/organizations/{owner['org_id']}/events/audit-trail/print_jobs/{job['id']}",
                        headers=owner["headers"]).get_json()
    assert [e["event_type"] for e in events] == ["print_job.retried", "print_job.cancelled", "print_job.created"]


def test_search_stats_and_queue_info(client):
    owner = helpers.register(client)
    design = upload(client, owner, imagegen.png()).get_json()["file"]
    for _ in range(3):
        _job(client, owner, {"items": [{"file_id": design["id"], "width_in": 2, "height_in": 2}]})
    _job(client, owner, {"file_ids": [design["id"]]}, job_type="designs")
    listed = client.get(_url(owner) + "?job_type=print_files&page_size=2", headers=owner["headers"])
    assert len(listed.get_json()) == 2 and json.loads(listed.headers["X-Pagination"])["total"] == 3
    helpers.set_features(client, owner, analytics=True)
    stats = client.get(_url(owner, "stats/summary"), headers=owner["headers"]).get_json()
    assert stats["total"] == 4 and stats["by_status"]["queued"] == 4 and stats["failure_rate"] == 0
    assert stats["by_type"]["print_files"]["total"] == 3
    info = client.get(_url(owner, "queue/info"), headers=owner["headers"]).get_json()
    assert info["queues"]["print_files"]["waiting"] == 3 and info["queues"]["designs"]["waiting"] == 1
    assert info["queues"]["print_files"]["oldest_waiting_seconds"] >= 0 and "workers_alive" in info


def test_queue_info_oldest_wait_is_the_oldest_job_due_now(client, session):
    # Jobs to run at once have no scheduled_at: they wait since they were deferred. A job scheduled for later is
    # not waiting yet, and must not make the wait negative or the count larger.
    owner = helpers.register(client)
    design = upload(client, owner, imagegen.png()).get_json()["file"]
    jobs = [_job(client, owner, {"items": [{"file_id": design["id"], "width_in": 2, "height_in": 2}]}).get_json()
            for _ in range(3)]
    queue_ids = [session.execute(text("SELECT queue_job_id FROM print_jobs WHERE id = :id"), {"id": j["id"]}).scalar()
                 for j in jobs]
    session.execute(text("UPDATE procrastinate_events SET at = now() - interval '1 hour' WHERE job_id = :id"),
                    {"id": queue_ids[0]})
    session.execute(text("UPDATE procrastinate_jobs SET scheduled_at = now() + interval '2 hours' WHERE id = :id"),
                    {"id": queue_ids[1]})
    info = client.get(_url(owner, "queue/info"), headers=owner["headers"]).get_json()["queues"]["print_files"]
    assert info["waiting"] == 2
    assert 3600 <= info["oldest_waiting_seconds"] < 3600 + 120


def test_viewers_cannot_create_jobs(client):
    owner = helpers.register(client)
    viewer = helpers.add_member(client, owner, "viewer")
    helpers.assert_error(client.post(_url(owner), headers=viewer["headers"],
                                     json={"job_type": "designs", "params": {"file_ids": [1]}}), 403)
