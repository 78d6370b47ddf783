"""Printer output settings and the send API: hot folder checked when saved (422), send, queue, cancel, resend,
mark printed, reprint; roles and another organization's ids (404)."""
from __future__ import annotations

from models import organization as org_model
from models import printer as printer_model
from models import tenancy
from services import rip_delivery
from tests import helpers
from tests.jobs import rip_helpers as h
from tests.web.printer_helpers import DTF, URL, _create


def test_hot_folder_must_be_inside_the_storage_root_and_exist(client):
    owner = helpers.register(client)
    env = h.local_env()
    folder, _ = env.hot()
    for bad, why in (("../outside", "storage root"), ("/etc", "storage root"), ("RIP/none/hot", "does not exist"),
                     ("RIP/.hidden", "storage root")):
        body = helpers.assert_error(client.post(URL, headers=owner["headers"], json={**DTF, "hot_folder": bad}), 422)
        assert why in body["errors"]["hot_folder"][0], body
    body = helpers.assert_error(client.post(URL, headers=owner["headers"], json={
        **DTF, "file_name_pattern": "{sheet}_{nope}"}), 422)
    assert "nope" in body["errors"]["file_name_pattern"][0]
    helpers.assert_error(client.post(URL, headers=owner["headers"], json={**DTF, "auto_send": True}), 422)
    made = _create(client, owner, **DTF, hot_folder=folder + "/", output_format="tiff", mirror=True, job_ticket=True,
                   auto_send=True)
    assert (made["hot_folder"], made["output_format"], made["mirror"], made["auto_send"]) == (folder, "tiff", True,
                                                                                              True)
    assert made["file_name_pattern"] == printer_model.DEFAULT_FILE_NAME_PATTERN
    helpers.assert_error(client.patch(f"{URL}{made['id']}", headers=owner["headers"],
                                      json={"processed_folder": "RIP/missing"}), 422)
    helpers.assert_error(client.patch(f"{URL}{made['id']}", headers=owner["headers"], json={"hot_folder": None}), 422)
    off = client.patch(f"{URL}{made['id']}", headers=owner["headers"], json={"hot_folder": None, "auto_send": False})
    assert off.status_code == 200 and off.get_json()["hot_folder"] is None
    helpers.assert_error(client.patch(f"{URL}{made['id']}", headers=owner["headers"], json={"output_format": "jpg"}),
                         422)


def test_send_queue_cancel_resend_printed_reprint(client, session):
    owner = helpers.register(client)
    operator = helpers.add_member(client, owner, "operator")
    viewer = helpers.add_member(client, owner, "viewer")
    env = h.local_env()
    folder, path = env.hot()
    made = _create(client, owner, **DTF, hot_folder=folder)
    pid = made["id"]
    with tenancy.org_scope(owner["org_id"]):
        org = session.get(org_model.Organization, owner["org_id"])
        printer = session.get(printer_model.Printer, pid)
        job, _ = h.completed_job(session, env, org, printer)
        session.commit()
    helpers.assert_error(client.post(f"{URL}{pid}/sends", headers=viewer["headers"],
                                     json={"print_job_id": job.id}), 403)
    helpers.assert_error(client.post(f"{URL}{pid}/sends", headers=operator["headers"],
                                     json={"print_job_id": job.id, "sheets": [3]}), 422)
    sent = client.post(f"{URL}{pid}/sends", headers=operator["headers"], json={"print_job_id": job.id})
    assert sent.status_code == 202, sent.get_json()
    first, second = sent.get_json()
    assert (first["sheet"], first["status"], second["sheet"]) == (1, "queued", 2)
    helpers.assert_error(client.post(f"{URL}{pid}/sends", headers=operator["headers"],
                                     json={"print_job_id": job.id, "sheets": [1]}), 409)
    cancelled = client.post(f"{URL}{pid}/sends/{first['id']}/cancel", headers=operator["headers"])
    assert cancelled.get_json()["status"] == "cancelled"
    assert client.post(f"{URL}{pid}/sends/{first['id']}/resend", headers=operator["headers"]).get_json()[
        "status"] == "queued"
    with tenancy.org_scope(owner["org_id"]):
        rip_delivery.deliver(session, env.settings, pid)
    queue = client.get(f"{URL}{pid}/queue", headers=viewer["headers"])
    assert [(s["sheet"], s["status"]) for s in queue.get_json()] == [(2, "sent"), (1, "sent")]
    assert '"total": 2' in queue.headers["X-Pagination"]
    printed = client.post(f"{URL}{pid}/sends/{second['id']}/printed", headers=operator["headers"]).get_json()
    assert (printed["status"], printed["printed_by"]) == ("printed", "operator") and printed["printed_at"]
    assert [s["id"] for s in client.get(f"{URL}{pid}/queue?status=printed", headers=viewer["headers"]).get_json()] \
        == [second["id"]]
    again = client.post(f"{URL}{pid}/sends/{second['id']}/reprint", headers=operator["headers"]).get_json()
    assert again["reprint_of"] == second["id"] and again["status"] == "queued"
    helpers.assert_error(client.post(f"{URL}{pid}/sends/{again['id']}/printed", headers=operator["headers"]), 409)
    assert client.get(f"{URL}{pid}/sends/{again['id']}", headers=viewer["headers"]).get_json()["filename"].endswith(
        "_reprint1.png")
    # Another organization sees none of it.
    other = helpers.register(client)
    for call in (lambda: client.get(f"{URL}{pid}/queue", headers=other["headers"]),
                 lambda: client.get(f"{URL}{pid}/sends/{first['id']}", headers=other["headers"]),
                 lambda: client.post(f"{URL}{pid}/sends/{first['id']}/cancel", headers=other["headers"]),
                 lambda: client.post(f"{URL}{pid}/sends", headers=other["headers"], json={"print_job_id": job.id})):
        helpers.assert_error(call(), 404)
