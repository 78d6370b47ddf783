"""A production day, end to end through the API and real worker processes, at the size a DTF shop prints.

A 22 in roll printer at 300 DPI taking sheets up to 120 in; 31 designs with transparency (one 22 x 60 in, most on
padded canvases) uploaded through the API and analysed by the general worker; one gang sheet job of 200 pieces
rendered by a print worker that is killed with SIGKILL in the middle of a sheet. Every output is read back: its
pixel size is its physical size times the DPI, its DPI is recorded, its alpha is kept, and every piece's trimmed
artwork is where the layout placed it, the right way up (sampled pixels). The run ends with exactly one set of
outputs: each sheet and its preview once, in the rows and in storage.
"""
from __future__ import annotations

import asyncio
import io
import os
import signal
import time
from pathlib import Path

import pytest
import pyvips
from PIL import Image

from jobs import maintenance
from tests import helpers, imagegen, pixels
from tests.jobs.conftest import wait_for

pytestmark = pytest.mark.slow

DPI = 300
SHEET_MAX_IN = 120
WIDTHS_IN = (3.0, 3.5, 4.0, 4.5, 5.0, 5.5, 6.0)
ASPECTS = (0.6, 0.8, 1.0, 1.25, 1.5)
BANNER = (6600, 18000), (300, 600, 6300, 17400)  # 22 x 60 in canvas, 20 x 56 in of artwork


def _colours(n: int) -> tuple[tuple[int, int, int], tuple[int, int, int]]:
    """Two colours per design, distinct across designs: its artwork's upper and lower halves."""
    return (40 + 6 * n, 200 - 5 * n, 30 + (37 * n) % 180), (230 - 6 * n, 25 + 4 * n, 220 - (29 * n) % 160)


def _designs() -> list[dict]:
    """30 ordinary designs and the banner: name, bytes, colours, and the item that orders them."""
    out = []
    for n in range(30):
        art_w, art_h = round(WIDTHS_IN[n % 7] * DPI), round(WIDTHS_IN[n % 7] * ASPECTS[n % 5] * DPI)
        pad = 0 if n % 5 == 0 else 40 + 30 * (n % 4)  # most arrive on a padded canvas
        top, bottom = _colours(n)
        data = imagegen.padded(art_w + 2 * pad, art_h + 2 * pad, (pad, pad, pad + art_w, pad + art_h), color=top,
                               split=bottom)
        item: dict = {"quantity": 6 + n % 2}
        if n % 2:
            item["width_in"] = WIDTHS_IN[n % 7]  # the rest print at their natural size (300 DPI metadata)
        if n % 3:
            item["group"] = f"R{1000 + n // 3}"
        out.append({"name": f"design-{n:02d}.png", "data": data, "colours": (top, bottom), "item": item})
    (width, height), box = BANNER
    colours = ((250, 200, 20), (20, 20, 120))
    out.append({"name": "banner-22x60.png", "data": imagegen.padded(width, height, box, color=colours[0],
                                                                     split=colours[1]),
                "colours": colours, "item": {"quantity": 1}})
    return out


def _requeue_stalled() -> int:
    async def run() -> int:
        async with maintenance.app.open_async():
            return await maintenance.requeue_stalled_jobs.func()
    return asyncio.run(run())


def test_a_production_day(app, committed, start_worker, tmp_path):
    started = time.monotonic()
    _, created = committed
    api = app.test_client()  # the real API on committed data, which the worker processes see
    owner = helpers.register(api, org_name="Production Day DTF")
    created.append(owner["org_id"])
    org_url = f"/api/organizations/{owner['org_id']}"
    printer = api.post("/api/printers/", headers=owner["headers"], json={
        "name": "DTF 22 in roll", "printer_type": "dtf", "max_width_in": 22, "max_height_in": SHEET_MAX_IN,
        "dpi": DPI, "is_default": True})
    assert printer.status_code == 201, printer.get_json()

    start_worker("general")  # analyses every upload in the background
    designs = _designs()
    for design in designs:
        answer = api.post(f"{org_url}/files/", headers=owner["headers"], content_type="multipart/form-data",
                          data={"file": (io.BytesIO(design["data"]), design["name"]), "file_type": "designs"})
        assert answer.status_code == 201, answer.get_json()
        design["file"] = answer.get_json()["file"]
    banner = designs[-1]["file"]
    assert (banner["width_px"], banner["height_px"], banner["dpi"]) == (6600, 18000, 300.0)

    def analysed() -> bool:
        listed = api.get(f"{org_url}/files/?page_size=100", headers=owner["headers"]).get_json()
        return len(listed) == len(designs) and all(f["analysis"]["analysed"] for f in listed)

    wait_for(analysed, timeout=120, interval=0.5)
    uploaded = time.monotonic()

    items = [{"file_id": d["file"]["id"], **d["item"]} for d in designs]
    created_job = api.post(f"{org_url}/print-jobs/", headers=owner["headers"], json={
        "job_type": "gang_sheets", "params": {"margin": 0.25, "items": items}})
    assert created_job.status_code == 201, created_job.get_json()
    job_id = created_job.get_json()["id"]
    assert created_job.get_json()["params"]["quality"] == "thorough"

    def job() -> dict:
        return api.get(f"{org_url}/print-jobs/{job_id}", headers=owner["headers"]).get_json()

    doomed = start_worker("print_jobs")
    wait_for(lambda: (job()["progress_message"] or "").startswith("Rendering sheet 2 of"), timeout=180,
             interval=0.05)
    os.kill(doomed.pid, signal.SIGKILL)  # in the middle of the second sheet, the first one already stored
    doomed.wait()
    assert job()["status"] == "processing"
    start_worker("print_jobs")
    # The dead worker's heartbeat goes stale after STALLED_WORKER_SECONDS (8 s in the tests).
    wait_for(lambda: _requeue_stalled() == 1, timeout=60, interval=1)
    wait_for(lambda: job()["status"] in ("completed", "failed", "cancelled"), timeout=300, interval=0.5)
    done = job()
    assert done["status"] == "completed" and done["attempts"] == 2, (done["status"], done["error"])
    rendered = time.monotonic()

    result = done["result"]
    sheets = result["sheets"]
    pieces = sum(len(s["placements"]) for s in result["layout"]["sheets"])
    assert len(designs) == 31 and pieces == sum(i["quantity"] for i in items) >= 150
    assert len(sheets) >= 3 and all(s["length_in"] <= SHEET_MAX_IN for s in sheets)
    assert sum(s["length_in"] >= SHEET_MAX_IN - 6 for s in sheets) >= 2  # full 120 in sheets
    # Exactly one set of outputs: each sheet and its preview once, in the rows and in storage.
    outputs = {f["id"]: f for f in done["outputs"] if f["file_type"] == "gang_sheets"}
    assert [f["tags"] for f in done["outputs"] if f["file_type"] == "exports"] == [[f"job-{job_id}", "pick-list"]]
    assert sorted(outputs) == sorted(i for s in sheets for i in (s["file_id"], s["preview_file_id"]))
    folder = Path(app.extensions["esa_settings"].local_root_path, owner["organization"]["shop_name"], "gang_sheets")
    assert sorted(p.name for p in folder.iterdir()) == sorted(f["filename"] for f in outputs.values())

    colours = {d["file"]["id"]: d["colours"] for d in designs}
    by_label = {label: colours[d["file_id"]] for label, d in result["designs"].items()}
    assert result["designs"]["banner-22x60.png"]["crop_px"] == list(BANNER[1])
    for number, (sheet, laid) in enumerate(zip(sheets, result["layout"]["sheets"], strict=True), start=1):
        path = tmp_path / f"sheet-{number}.png"
        download = api.get(f"{org_url}/files/{sheet['file_id']}/download", headers=owner["headers"])
        assert download.status_code == 200
        path.write_bytes(download.data)
        image = pyvips.Image.new_from_file(str(path))
        assert (image.width, image.height) == (22 * DPI, round(laid["length"] * DPI))
        assert round(image.xres * 25.4) == DPI and round(image.yres * 25.4) == DPI
        assert image.bands == 4 and image.interpretation == "srgb"
        expected: dict = {}
        for placement in laid["placements"]:
            expected.update(pixels.expected_points(placement, DPI, *by_label[placement["key"]]))
        gaps = pixels.gap_points(laid["placements"], DPI, image.width)
        found = pixels.sample(path, [*expected, *gaps])
        wrong = {pt: (found[pt], want) for pt, want in expected.items() if found[pt] != want}
        assert not wrong, f"sheet {number}: {len(wrong)} of {len(expected)} differ: {list(wrong.items())[:3]}"
        assert {found[pt][3] for pt in gaps} == {0}
        preview = api.get(f"{org_url}/files/{sheet['preview_file_id']}/download", headers=owner["headers"])
        assert max(Image.open(io.BytesIO(preview.data)).size) <= 1600
    print(f"\nproduction day: {len(designs)} designs, {pieces} pieces on {len(sheets)} sheets of "
          f"{', '.join(format(s['length_in'], 'g') for s in sheets)} in, utilization {result['utilization']:.3f}; "
          f"uploads and analyses {uploaded - started:.0f} s, job with one kill {rendered - uploaded:.0f} s, "
          f"checks {time.monotonic() - rendered:.0f} s")
