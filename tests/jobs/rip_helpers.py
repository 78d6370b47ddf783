"""Helpers for hot folder tests: storage over local or a real sshd, a completed gang sheet job with orders."""
from __future__ import annotations

import dataclasses
import hashlib
import io
import uuid
from pathlib import Path

import numpy as np
import pytest
from PIL import Image

import config
from models import file as file_model
from models import order as order_model
from models import print_job as job_model
from models import printer as printer_model
from models import printer_send as send_model
from models import shop as shop_model
from models import tenancy
from nas import base, paths, shared
from services import organizations


@dataclasses.dataclass
class Env:
    """Settings of one storage backend and the directory on disk where its root is."""

    settings: config.Settings
    root: Path

    def hot(self, name: str = "hot") -> tuple[str, Path]:
        """A fresh hot folder: its path relative to the root, and on disk."""
        folder = f"RIP/{uuid.uuid4().hex[:8]}/{name}"
        path = self.root / folder
        path.mkdir(parents=True)
        return folder, path

    def storage(self) -> base.Storage:
        return shared.storage_for(self.settings)


def local_env() -> Env:
    settings = config.get_settings()
    return Env(settings, Path(settings.local_root_path))


def sftp_env(server, tmp_path: Path, **overrides) -> Env:
    share = tmp_path / "share"
    values = vars(server.settings(nas_base_path=str(share), local_root_path=str(tmp_path / "local"), **overrides))
    return Env(dataclasses.replace(config.get_settings(), **values), share)


def sheet_png(width: int, height: int, seed: int = 0, noise: bool = False) -> tuple[bytes, np.ndarray]:
    """An RGBA PNG at 300 DPI whose columns all differ (a mirror shows), with graded alpha."""
    pixels = np.zeros((height, width, 4), np.uint8)
    if noise:
        pixels[:] = np.random.default_rng(seed).integers(0, 256, pixels.shape, dtype=np.uint8)
    else:
        pixels[..., 0] = ((np.arange(width) + seed) % 256)[None, :]
        pixels[..., 1] = (np.arange(height) % 256)[:, None]
        pixels[..., 3] = ((np.arange(width) * 5) % 256)[None, :]
    out = io.BytesIO()
    Image.fromarray(pixels, "RGBA").save(out, "PNG", dpi=(300, 300))
    return out.getvalue(), pixels


def org(session, name: str = "Rip Shop"):
    row = organizations.create(session, name=f"{name} {uuid.uuid4().hex[:6]}")
    return row


def printer(session, org_id: int, hot_folder: str, **output) -> printer_model.Printer:
    row = printer_model.Printer(org_id=org_id, name=f"Epson F2100 {uuid.uuid4().hex[:4]}", printer_type="dtf",
                                max_width_in=24, dpi=300, hot_folder=hot_folder, **output)
    session.add(row)
    session.flush()
    return row


def completed_job(session, env: Env, org, printer_row, sheets=((600, 900), (600, 300)),
                  groups=(("R1001",), ("R1001", "R1002")), noise: bool = False) -> tuple[job_model.PrintJob, list]:
    """A completed gang sheet job: its sheets stored as PNGs, its layout's order groups, the orders it produced."""
    job = job_model.PrintJob(org_id=org.id, job_type="gang_sheets", status="completed", params={},
                             printer_id=printer_row.id)
    session.add(job)
    session.flush()
    made, pixels = [], []
    for n, (width, height) in enumerate(sheets, 1):
        data, px = sheet_png(width, height, n, noise)
        key = paths.folder_key(org.folder, "gang_sheets", f"job{job.id}-sheet{n}.png")
        env.storage().put(key, io.BytesIO(data), on_conflict="replace")
        row = file_model.File(org_id=org.id, file_type="gang_sheets", status="ready", storage_key=key,
                              filename=f"job{job.id}-sheet{n}.png", mime_type="image/png", size_bytes=len(data),
                              sha256=hashlib.sha256(data).hexdigest(), width_px=width, height_px=height, dpi=300,
                              has_alpha=True, print_job_id=job.id)
        session.add(row)
        session.flush()
        made.append({"file_id": row.id, "sheet": n, "length_in": round(height / 300, 3), "width_px": width,
                     "height_px": height, "data": data})
        pixels.append(px)
    layout = {"sheets": [{"length": s["length_in"], "placements": [{"key": f"d{i}", "group": g, "x": 0, "y": 0,
                                                                   "width": 1, "height": 1, "rotated": False}
                                                                  for i, g in enumerate(gs)]}
                         for s, gs in zip(made, groups, strict=True)]}
    job.result = {"sheets": [{k: v for k, v in s.items() if k != "data"} for s in made], "layout": layout,
                  "sheet_width": 2, "dpi": 300, "sheet_count": len(made)}
    shop = shop_model.Shop(org_id=org.id, name="Shop", status="connected")
    session.add(shop)
    session.flush()
    for receipt in sorted({g for gs in groups for g in gs}):
        order = order_model.Order(org_id=org.id, shop_id=shop.id, etsy_receipt_id=int(receipt[1:]),
                                  buyer_name=f"Buyer {receipt}", is_paid=True)
        session.add(order)
        session.flush()
        session.add(order_model.OrderItem(org_id=org.id, order_id=order.id, etsy_transaction_id=int(receipt[1:]) * 10,
                                          quantity=1, print_job_id=job.id))
    session.flush()
    return job, [(s["data"], px) for s, px in zip(made, pixels, strict=True)]


def orders(session, job) -> dict[int, order_model.Order]:
    from sqlalchemy import select

    return {o.etsy_receipt_id: o for o in session.scalars(
        select(order_model.Order).execution_options(populate_existing=True))}


def scoped(org_id: int):
    return tenancy.org_scope(org_id)


@pytest.fixture(name="env", params=["local", "sftp"])
def hot_env(request, tmp_path) -> Env:
    """Each backend in turn: local storage, then SFTP on the session's sshd."""
    if request.param == "local":
        return local_env()
    return sftp_env(request.getfixturevalue("sshd_server"), tmp_path)


def visible(path: Path) -> list[str]:
    """What a RIP watching the folder sees."""
    return sorted(p.name for p in path.iterdir() if not p.name.startswith("."))


def everything(path: Path) -> list[str]:
    """Every entry, hidden temps included."""
    return sorted(p.name for p in path.iterdir())


def sends(session, job_id: int) -> list[send_model.PrinterSend]:
    """The job's sends, fresh from the database."""
    from sqlalchemy import select

    return list(session.scalars(select(send_model.PrinterSend).where(send_model.PrinterSend.print_job_id == job_id)
                                .order_by(send_model.PrinterSend.id).execution_options(populate_existing=True)))
