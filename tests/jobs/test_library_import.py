"""Importing the existing NAS library: files registered where they are, checked in the background, resumable."""
from __future__ import annotations

import contextlib
import dataclasses
import hashlib
import io

import pytest
from sqlalchemy import select

import config
from jobs import runner
from models import errors, tenancy
from models import file as file_model
from models import order as order_model
from models import print_job as job_model
from models import shop as shop_model
from nas import errors as nas_errors
from nas import shared
from services import library_import, organizations
from tests import imagegen
from tests.jobs import factories


class GoesAway:
    """The real storage, until the NAS goes away after `opens` files were read."""

    def __init__(self, storage, opens: int):
        self._storage, self.left, self.opened = storage, opens, []

    def __getattr__(self, name):
        return getattr(self._storage, name)

    def open(self, key):
        if self.left <= 0:
            raise nas_errors.StorageUnavailable("NAS unreachable: connection refused")
        self.left -= 1
        self.opened.append(key)
        return self._storage.open(key)


@contextlib.contextmanager
def storage_as(monkeypatch, replacement):
    monkeypatch.setattr(shared, "storage_for", lambda settings: replacement)
    yield
    monkeypatch.undo()


def _library(settings, folder: str) -> dict[str, bytes]:
    files = {f"{folder}/designs/TEE-CAT.png": imagegen.png(120, 90), f"{folder}/designs/Sun Flower.JPG":
             imagegen.jpeg(60, 40), f"{folder}/designs/notes.txt": b"not a design",
             f"{folder}/designs/broken.png": b"\x89PNG\r\n\x1a\n" + b"\0" * 40,
             f"{folder}/mockups/front.png": imagegen.png(30, 30)}
    storage = shared.storage_for(settings)
    for key, data in files.items():
        storage.put(key, io.BytesIO(data), on_conflict="replace")
    return files


def _import(session, org_id: int, file_types=("designs",)) -> int:
    with tenancy.org_scope(org_id):
        job = library_import.start(session, list(file_types), None)
        session.commit()
        return job.id


def test_an_existing_library_is_registered_in_place_and_resumes(committed, monkeypatch):
    session, created = committed
    settings = config.get_settings()
    org, _ = factories.org_with_owner(session, created, "Library Prints")
    with tenancy.org_scope(org.id):
        organizations.update(session, org.id, {"nas_folder": "Library Prints NAS"}, superuser=False)
        shop = shop_model.Shop(org_id=org.id, etsy_shop_id=5, status="connected")
        session.add(shop)
        session.flush()
        order = order_model.Order(org_id=org.id, shop_id=shop.id, etsy_receipt_id=77, is_paid=True)
        session.add(order)
        session.flush()
        session.add(order_model.OrderItem(org_id=org.id, order_id=order.id, etsy_transaction_id=78, sku="TEE-CAT"))
        session.commit()
        org_id = org.id
    files = _library(settings, "Library Prints NAS")
    job_id = _import(session, org_id)
    # The NAS goes away after the first file was read: the job fails for now and is retried later.
    flaky = GoesAway(shared.storage_for(settings), opens=1)
    with storage_as(monkeypatch, flaky), pytest.raises(nas_errors.StorageUnavailable):
        runner.execute(org_id, job_id, settings=settings)
    with tenancy.org_scope(org_id):
        session.rollback()
        job = session.get(job_model.PrintJob, job_id, populate_existing=True)
        rows = {f.storage_key: f for f in session.scalars(select(file_model.File))}
    assert job.status == "failed" and "NAS unreachable" in job.error
    assert sorted(rows) == sorted(k for k in files if k.endswith((".png", ".JPG")) and "/designs/" in k)
    assert [k for k, f in rows.items() if f.sha256] == flaky.opened

    # Back again: only the files not yet checked are read; nothing is registered twice.
    counting = GoesAway(shared.storage_for(settings), opens=100)
    with tenancy.org_scope(org_id):
        session.execute(job_model.PrintJob.__table__.update().where(job_model.PrintJob.__table__.c.id == job_id)
                        .values(status="queued"))
        session.commit()
    with storage_as(monkeypatch, counting):
        assert runner.execute(org_id, job_id, settings=settings) == "completed"
    assert set(counting.opened).isdisjoint(flaky.opened) and len(counting.opened) == 2
    session.rollback()
    with tenancy.org_scope(org_id):
        job = session.get(job_model.PrintJob, job_id, populate_existing=True)
        rows = {f.storage_key: f for f in session.scalars(select(file_model.File).execution_options(
            populate_existing=True))}
        item = session.scalar(select(order_model.OrderItem))
    assert job.result == {"found": 4, "registered": 0, "unsupported": 1, "checked": 1, "failed": 1, "matched": 1}
    cat = rows["Library Prints NAS/designs/TEE-CAT.png"]
    assert cat.sha256 == hashlib.sha256(files[cat.storage_key]).hexdigest() and cat.has_thumbnail
    assert (cat.width_px, cat.height_px, cat.mime_type, cat.file_type) == (120, 90, "image/png", "designs")
    sun = rows["Library Prints NAS/designs/Sun Flower.JPG"]
    assert sun.mime_type == "image/jpeg" and sun.status == "ready" and sun.filename == "Sun Flower.JPG"
    assert rows["Library Prints NAS/designs/broken.png"].status == "failed"
    assert item.design_file_id == cat.id and item.matched_by == "sku"
    # Nothing moved or was copied: the library is exactly what it was.
    listed = {i.key for i in shared.storage_for(settings).list("Library Prints NAS/")}
    assert listed == set(files)


def test_one_import_at_a_time_and_the_periodic_option(committed):
    session, created = committed
    org, _ = factories.org_with_owner(session, created, "Periodic Prints")
    with tenancy.org_scope(org.id):
        assert library_import.start_if_due(session, org.id) is None  # not asked for
        organizations.update(session, org.id, {"settings": {"nas_import_every_hours": 6,
                                                            "nas_import_file_types": ["designs", "mockups"]}},
                             superuser=False)
        job = library_import.start_if_due(session, org.id)
        assert job is not None and job.params == {"file_types": ["designs", "mockups"]}
        with pytest.raises(errors.Conflict):
            library_import.start(session, ["designs"], None)
        assert library_import.start_if_due(session, org.id) is None
        with pytest.raises(errors.Invalid):
            organizations.update(session, org.id, {"nas_folder": "../elsewhere"}, superuser=False)
        session.rollback()


def test_an_import_over_sftp_resumes_after_the_nas_went_away(committed, own_sshd, tmp_path, monkeypatch):
    session, created = committed
    settings = dataclasses.replace(config.get_settings(), **vars(own_sshd.settings(
        nas_base_path=str(tmp_path / "share"), local_root_path=str(tmp_path / "local"))))
    org, _ = factories.org_with_owner(session, created, "Sftp Library")
    folder = "Sftp LIBRARY"
    with tenancy.org_scope(org.id):
        organizations.update(session, org.id, {"nas_folder": folder}, superuser=False)
        session.commit()
        org_id = org.id
    files = {f"{folder}/designs/Design {n}.png": imagegen.png(50 + n, 40) for n in range(3)}
    storage = shared.storage_for(settings)
    for key, data in files.items():
        storage.put(key, io.BytesIO(data), on_conflict="replace")
    job_id = _import(session, org_id)
    checked: list[str] = []
    original = library_import._check

    def check_then_lose_the_nas(ctx, row):
        ok = original(ctx, row)
        checked.append(row.storage_key)
        if len(checked) == 1:
            own_sshd.stop()  # the NAS goes away after the first file
        return ok
    monkeypatch.setattr(library_import, "_check", check_then_lose_the_nas)
    with pytest.raises(nas_errors.StorageUnavailable):
        runner.execute(org_id, job_id, settings=settings)
    assert len(checked) == 1
    own_sshd.restart()
    with tenancy.org_scope(org_id):
        session.execute(job_model.PrintJob.__table__.update().where(job_model.PrintJob.__table__.c.id == job_id)
                        .values(status="queued"))
        session.commit()
    assert runner.execute(org_id, job_id, settings=settings) == "completed"
    assert len(checked) == 3 and len(set(checked)) == 3
    session.rollback()
    with tenancy.org_scope(org_id):
        rows = {f.storage_key: f for f in session.scalars(select(file_model.File).execution_options(
            populate_existing=True))}
    assert set(rows) == set(files)
    assert all(rows[k].sha256 == hashlib.sha256(files[k]).hexdigest() for k in files)
    assert {i.key for i in storage.list(f"{folder}/")} == set(files)
