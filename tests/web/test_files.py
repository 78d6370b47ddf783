"""Files API: upload (typed by content, deduplicated, inspected), search, get, update/move, delete, download,
thumbnail, storage stats, and the failures that must leave nothing half written."""
from __future__ import annotations

import io
import json
from pathlib import Path

import pytest
from PIL import Image
from sqlalchemy import func, select

from models import event, tenancy
from models import file as file_model
from tests import helpers, imagegen


def _url(org: dict, suffix: str = "") -> str:
    return f"/api/organizations/{org['org_id']}/files/{suffix}"


def upload(client, org: dict, data: bytes, name: str = "design.png", file_type: str = "designs", **form):
    body = {"file": (io.BytesIO(data), name), "file_type": file_type, **form}
    return client.post(_url(org), headers=org["headers"], data=body, content_type="multipart/form-data")


def _storage_files(settings) -> list[str]:
    root = Path(settings.local_root_path)
    return sorted(str(p.relative_to(root)) for p in root.rglob("*") if p.is_file()) if root.exists() else []


def test_upload_records_facts_and_stores_under_the_layout(client, settings):
    owner = helpers.register(client, shop_name="sunny-dtf")
    response = upload(client, owner, imagegen.png(40, 30, dpi=300), name="Cute Cat.png", tags="cats, summer")
    assert response.status_code == 201, response.get_json()
    body = response.get_json()
    assert body["duplicate"] is False
    f = body["file"]
    assert f["storage_key"] == "sunny-dtf/designs/Cute Cat.png" and f["status"] == "ready"
    assert (f["width_px"], f["height_px"], f["dpi"], f["has_alpha"]) == (40, 30, 300.0, True)
    assert f["mime_type"] == "image/png" and f["tags"] == ["cats", "summer"] and len(f["sha256"]) == 64
    assert f["has_thumbnail"] is True
    assert (Path(settings.local_root_path) / "sunny-dtf/designs/Cute Cat.png").read_bytes() == imagegen.png(
        40, 30, dpi=300)


def test_type_is_checked_by_content_not_extension(client):
    owner = helpers.register(client)
    renamed = upload(client, owner, imagegen.png(), name="actually-png.jpg")
    assert renamed.status_code == 201 and renamed.get_json()["file"]["filename"] == "actually-png.png"
    err = helpers.assert_error(upload(client, owner, b"MZ\x90\x00 this is an exe", name="design.png"), 422)
    assert "file" in err["errors"]
    err = helpers.assert_error(upload(client, owner, imagegen.jpeg(), name="m.jpg", file_type="watermarks"), 422)
    assert "not accepted as watermarks" in err["message"]


def test_duplicates_are_detected_unless_allowed(client):
    owner = helpers.register(client)
    first = upload(client, owner, imagegen.png(), name="a.png").get_json()["file"]
    again = upload(client, owner, imagegen.png(), name="b.png")
    assert again.status_code == 200 and again.get_json() == {"duplicate": True, "file": first}
    forced = upload(client, owner, imagegen.png(), name="a.png", allow_duplicate="true")
    assert forced.status_code == 201 and forced.get_json()["file"]["filename"] == "a-2.png"
    # Another organization's identical file is not a duplicate.
    other = helpers.register(client)
    assert upload(client, other, imagegen.png(), name="a.png").status_code == 201


@pytest.mark.parametrize("name, data, file_type, status, field", [
    ("../../etc/passwd.png", "png", "designs", 422, "filename"),
    ("dir/evil.png", "png", "designs", 422, "filename"),
    ("empty.png", b"", "designs", 422, "file"),
    ("trunc.png", "truncated", "designs", 422, "file"),
    ("bad.jpg", "truncated-jpeg", "designs", 422, "file"),
    ("x.png", "png", "nonsense", 422, "file_type"),
])
def test_bad_uploads_store_nothing(client, session, settings, name, data, file_type, status, field):
    owner = helpers.register(client)
    payload = {"png": imagegen.png(), "truncated": imagegen.png(200, 200)[:300],
               "truncated-jpeg": imagegen.jpeg(200, 200)[:-200]}.get(data, data)
    before = _storage_files(settings)
    err = helpers.assert_error(upload(client, owner, payload, name=name, file_type=file_type), status)
    assert field in (err.get("errors") or {}), err
    assert _storage_files(settings) == before
    with tenancy.org_scope(owner["org_id"]):
        assert session.scalar(select(func.count()).select_from(file_model.File)) == 0


def test_decompression_bombs_are_refused(client, app, settings, monkeypatch):
    import dataclasses

    owner = helpers.register(client)
    monkeypatch.setitem(app.extensions, "esa_settings", dataclasses.replace(settings, max_image_pixels=1000))
    err = helpers.assert_error(upload(client, owner, imagegen.png(100, 100)), 422)
    assert "decompression bomb" in err["message"]


def test_missing_file_part_and_oversize(client, app, settings, monkeypatch):
    import dataclasses

    owner = helpers.register(client)
    response = client.post(_url(owner), headers=owner["headers"], data={"file_type": "designs"},
                           content_type="multipart/form-data")
    assert "file" in helpers.assert_error(response, 422)["errors"]
    monkeypatch.setitem(app.extensions, "esa_settings", dataclasses.replace(settings, max_upload_bytes=100))
    helpers.assert_error(upload(client, owner, imagegen.png(60, 60)), 422)


def test_search_filters(client):
    owner = helpers.register(client)
    upload(client, owner, imagegen.png(dpi=300), name="cat-hi.png", tags="cats")
    upload(client, owner, imagegen.png(dpi=72, color=(1, 2, 3, 255)), name="cat-lo.png", tags="cats,low")
    upload(client, owner, imagegen.jpeg(), name="photo.jpg", file_type="mockups")
    names = lambda q: sorted(f["filename"] for f in client.get(_url(owner) + q, headers=owner["headers"]).get_json())  # noqa: E731
    assert names("?file_type=designs") == ["cat-hi.png", "cat-lo.png"]
    assert names("?q=cat-h") == ["cat-hi.png"]
    assert names("?tags=cats&tags=low") == ["cat-lo.png"]
    assert names("?min_dpi=150") == ["cat-hi.png", "photo.jpg"]
    assert names("?max_dpi=100") == ["cat-lo.png"]
    assert names("?since=2100-01-01T00:00:00Z") == []
    page = client.get(_url(owner) + "?page_size=2", headers=owner["headers"])
    assert json.loads(page.headers["X-Pagination"])["total"] == 3
    helpers.assert_error(client.get(_url(owner) + "?min_dpi=abc", headers=owner["headers"]), 422)


def test_update_moves_the_object_with_the_row(client, settings, session):
    owner = helpers.register(client, shop_name="mover")
    f = upload(client, owner, imagegen.png(), name="old.png").get_json()["file"]
    response = client.patch(_url(owner, str(f["id"])), headers=owner["headers"],
                            json={"filename": "new name.png", "file_type": "templates", "tags": ["b", "a"]})
    assert response.status_code == 200, response.get_json()
    moved = response.get_json()
    assert moved["storage_key"] == "mover/templates/new name.png" and moved["tags"] == ["a", "b"]
    root = Path(settings.local_root_path)
    assert (root / "mover/templates/new name.png").exists() and not (root / "mover/designs/old.png").exists()
    with tenancy.org_scope(owner["org_id"]):
        changes = session.scalars(select(event.Event).where(event.Event.event_type == "file.updated")).one().changes
    assert changes["storage_key"] == ["mover/designs/old.png", "mover/templates/new name.png"]
    helpers.assert_error(client.patch(_url(owner, str(f["id"])), headers=owner["headers"],
                                      json={"filename": "../x.png"}), 422)
    helpers.assert_error(client.patch(_url(owner, str(f["id"])), headers=owner["headers"],
                                      json={"size_bytes": 1}), 422)


def test_archive_and_restore(client):
    owner = helpers.register(client)
    f = upload(client, owner, imagegen.png()).get_json()["file"]
    url = _url(owner, str(f["id"]))
    assert client.patch(url, headers=owner["headers"], json={"status": "archived"}).get_json()["status"] == "archived"
    assert client.get(_url(owner), headers=owner["headers"]).get_json() == []
    assert len(client.get(_url(owner) + "?status=archived", headers=owner["headers"]).get_json()) == 1
    assert client.patch(url, headers=owner["headers"], json={"status": "ready"}).get_json()["status"] == "ready"
    helpers.assert_error(client.patch(url, headers=owner["headers"], json={"status": "ready"}), 409)


def test_delete_removes_object_and_row(client, settings):
    owner = helpers.register(client, shop_name="deleter")
    f = upload(client, owner, imagegen.png()).get_json()["file"]
    assert client.delete(_url(owner, str(f["id"])), headers=owner["headers"]).status_code == 204
    assert not (Path(settings.local_root_path) / f["storage_key"]).exists()
    helpers.assert_error(client.get(_url(owner, str(f["id"])), headers=owner["headers"]), 404)


def test_delete_failure_leaves_both(client, settings, monkeypatch):
    from nas import errors as nas_errors
    from nas import shared

    owner = helpers.register(client)
    f = upload(client, owner, imagegen.png()).get_json()["file"]
    storage = shared.storage_for(settings)

    def broken(key, missing_ok=False):
        raise nas_errors.StorageUnavailable("NAS nas.local:22 is unreachable", host="nas.local:22")

    monkeypatch.setattr(storage, "delete", broken)
    err = helpers.assert_error(client.delete(_url(owner, str(f["id"])), headers=owner["headers"]), 503)
    assert "nas.local" in err["message"]
    monkeypatch.undo()
    assert client.get(_url(owner, str(f["id"])), headers=owner["headers"]).status_code == 200
    assert (Path(settings.local_root_path) / f["storage_key"]).exists()


def test_download_streams_with_etag_and_ranges(client):
    owner = helpers.register(client)
    data = imagegen.png(64, 64)
    f = upload(client, owner, data).get_json()["file"]
    url = _url(owner, f"{f['id']}/download")
    full = client.get(url, headers=owner["headers"], buffered=False)
    assert full.is_streamed
    assert full.status_code == 200 and full.data == data
    assert full.headers["Content-Length"] == str(len(data)) and full.headers["ETag"] == f'"{f["sha256"]}"'
    part = client.get(url, headers={**owner["headers"], "Range": "bytes=10-19"})
    assert part.status_code == 206 and part.data == data[10:20]
    assert part.headers["Content-Range"] == f"bytes 10-19/{len(data)}"
    tail = client.get(url, headers={**owner["headers"], "Range": "bytes=-5"})
    assert tail.data == data[-5:]
    bad = client.get(url, headers={**owner["headers"], "Range": f"bytes={len(data) + 10}-"})
    helpers.assert_error(bad, 416)
    cached = client.get(url, headers={**owner["headers"], "If-None-Match": f'"{f["sha256"]}"'})
    assert cached.status_code == 304


def test_thumbnail_cached_and_regenerated(client, settings):
    owner = helpers.register(client)
    f = upload(client, owner, imagegen.png(800, 400)).get_json()["file"]
    url = _url(owner, f"{f['id']}/thumbnail")
    first = client.get(url, headers=owner["headers"])
    assert first.status_code == 200 and first.mimetype == "image/webp"
    assert max(Image.open(io.BytesIO(first.data)).size) == 320
    from prepress import thumbnails

    thumbnails.path_for(settings.cache_dir, f["sha256"]).unlink()
    again = client.get(url, headers=owner["headers"])
    assert again.status_code == 200 and again.data == first.data
    pdf = upload(client, owner, b"%PDF-1.4\n%\xe2\xe3\xcf\xd3\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n",
                 name="doc.pdf").get_json()["file"]
    helpers.assert_error(client.get(_url(owner, f"{pdf['id']}/thumbnail"), headers=owner["headers"]), 404)


def test_storage_stats(client):
    owner = helpers.register(client)
    a = upload(client, owner, imagegen.png()).get_json()["file"]
    b = upload(client, owner, imagegen.jpeg(), name="m.jpg", file_type="mockups").get_json()["file"]
    stats = client.get(_url(owner, "stats/storage"), headers=owner["headers"]).get_json()
    assert stats["by_type"]["designs"] == {"count": 1, "bytes": a["size_bytes"]}
    assert stats["total"] == {"count": 2, "bytes": a["size_bytes"] + b["size_bytes"]}
    assert stats["by_shop"]["none"]["count"] == 2 and stats["free_bytes"] > 0 and stats["backend"] == "local"


def test_roles(client):
    owner = helpers.register(client)
    viewer = helpers.add_member(client, owner, "viewer")
    helpers.assert_error(upload(client, {**owner, "headers": viewer["headers"]}, imagegen.png()), 403)
    f = upload(client, owner, imagegen.png()).get_json()["file"]
    assert client.get(_url(owner, f"{f['id']}/download"), headers=viewer["headers"]).status_code == 200
    helpers.assert_error(client.delete(_url(owner, str(f["id"])), headers=viewer["headers"]), 403)


def test_failed_commit_after_a_move_puts_the_object_back(client, settings, monkeypatch):
    from sqlalchemy import exc as sa_exc
    from sqlalchemy.orm import Session

    owner = helpers.register(client, shop_name="mover-back")
    f = upload(client, owner, imagegen.png(), name="stay.png").get_json()["file"]
    real_commit = Session.commit

    def failing_commit(self):
        monkeypatch.setattr(Session, "commit", real_commit)
        raise sa_exc.OperationalError("COMMIT", {}, Exception("connection lost"))

    monkeypatch.setattr(Session, "commit", failing_commit)
    response = client.patch(_url(owner, str(f["id"])), headers=owner["headers"], json={"file_type": "templates"})
    helpers.assert_error(response, 503)
    root = Path(settings.local_root_path)
    assert (root / "mover-back/designs/stay.png").exists() and not (root / "mover-back/templates/stay.png").exists()
    assert client.get(_url(owner, str(f["id"])), headers=owner["headers"]).get_json()["storage_key"] == \
        "mover-back/designs/stay.png"
