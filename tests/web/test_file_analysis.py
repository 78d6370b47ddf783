"""A design's analysis: queued by the upload (which answers at once), made by the analyse_design task once, shown
by the file schema with the DPI of its trimmed artwork per size; thumbnails at a requested size."""
from __future__ import annotations

import io
from pathlib import Path

from PIL import Image
from sqlalchemy import text

from jobs import design_analysis as analysis_task
from models import tenancy
from services import design_analysis
from tests import helpers, imagegen
from tests.web.test_files import upload


def _file(client, org: dict, file_id: int) -> dict:
    return client.get(f"/api/organizations/{org['org_id']}/files/{file_id}", headers=org["headers"]).get_json()


def _queued(session) -> list[dict]:
    return [r.args for r in session.execute(text(
        "SELECT args FROM procrastinate_jobs WHERE task_name = 'analyse_design' ORDER BY id"))]


def test_upload_queues_one_analysis_and_answers_before_it(client, session):
    owner = helpers.register(client)
    client.post(f"/api/organizations/{owner['org_id']}/templates/", headers=owner["headers"], json={
        "name": "Tee", "canvas": {"width_in": 22, "height_in": 30, "dpi": 300},
        "sizes": [{"name": "Pocket", "width_in": 2, "height_in": 2}, {"name": "Adult", "width_in": 10,
                                                                       "height_in": 10}]})
    f = upload(client, owner, imagegen.padded(1200, 900, (100, 150, 1000, 750)), name="cat.png").get_json()["file"]
    assert f["analysis"]["analysed"] is False and f["analysis"]["trim_box"] is None
    assert _queued(session) == [{"org_id": owner["org_id"], "file_id": f["id"]}]
    mockup = upload(client, owner, imagegen.jpeg(), name="m.jpg", file_type="mockups").get_json()["file"]
    assert mockup["id"] and len(_queued(session)) == 1  # only designs are analysed
    assert analysis_task.analyse_design(owner["org_id"], f["id"]) == "analysed"
    assert analysis_task.analyse_design(owner["org_id"], f["id"]) == "already analysed"
    shown = _file(client, owner, f["id"])["analysis"]
    assert shown["analysed"] is True and shown["error"] is None
    assert shown["trim_box"] == {"left": 100, "top": 150, "right": 1000, "bottom": 750}
    assert (shown["trimmed_width_px"], shown["trimmed_height_px"]) == (900, 600)
    assert shown["natural_size_in"] == {"width_in": 3.0, "height_in": 2.0}
    # DPI per size of the 900 x 600 px artwork fitted to each size: 450 at 2 in, 90 at 10 in.
    assert {s["size"]: (s["effective_dpi"], s["status"]) for s in shown["sizes"]} == {
        "Pocket": (450.0, "ok"), "Adult": (90.0, "too_low")}
    assert shown["status"] == "too_low"


def test_an_unreadable_design_records_why_once(client, session, settings):
    owner = helpers.register(client)
    f = upload(client, owner, imagegen.png(200, 100), name="soon-broken.png").get_json()["file"]
    Path(settings.local_root_path, f["storage_key"]).write_bytes(b"\x89PNG\r\n\x1a\nno longer an image")
    assert analysis_task.analyse_design(owner["org_id"], f["id"]) == "unreadable"
    assert analysis_task.analyse_design(owner["org_id"], f["id"]) == "already analysed"
    shown = _file(client, owner, f["id"])["analysis"]
    assert shown["analysed"] is False and "Not a readable image" in shown["error"] and shown["status"] == "unreadable"


def test_the_sweep_queues_designs_without_an_analysis_once(client, session):
    owner = helpers.register(client)
    f = upload(client, owner, imagegen.png(), name="legacy.png").get_json()["file"]
    session.execute(text("DELETE FROM procrastinate_jobs"))
    with tenancy.org_scope(owner["org_id"]):
        assert design_analysis.sweep(session, owner["org_id"]) == 1
        assert design_analysis.sweep(session, owner["org_id"]) == 0  # already waiting in the queue
    assert _queued(session) == [{"org_id": owner["org_id"], "file_id": f["id"]}]


def test_thumbnail_honours_the_requested_size(client):
    owner = helpers.register(client)
    f = upload(client, owner, imagegen.png(1600, 800)).get_json()["file"]
    url = f"/api/organizations/{owner['org_id']}/files/{f['id']}/thumbnail"
    for size in (160, 320, 1024):
        answer = client.get(f"{url}?size={size}", headers=owner["headers"])
        assert answer.status_code == 200 and answer.mimetype == "image/webp"
        assert max(Image.open(io.BytesIO(answer.data)).size) == size
    for bad in (159, 1025, "big"):
        err = helpers.assert_error(client.get(f"{url}?size={bad}", headers=owner["headers"]), 422)
        assert "size" in err["errors"]
