"""The console in a real headless Chromium against a live server and real workers: sign up and in, upload designs,
build and queue a gang sheet and watch it complete, match an unmatched item, place a mockup area and preview it,
sign out; another organization's ids are 404 pages and forms without their token are refused. The README's
screenshots come from here: `CONSOLE_SCREENSHOTS=docs/screenshots make test` (otherwise they stay in tmp)."""
from __future__ import annotations

import datetime as dt
import io
import math
import os
from pathlib import Path

import requests
from PIL import Image, ImageDraw
from sqlalchemy import select

from models import order as order_model
from models import organization as org_model
from models import shop as shop_model
from models import tenancy
from tests import browser, helpers, imagegen

VIEW = {"width": 1280, "height": 860}


def _art(kind: str, size: tuple[int, int], color: tuple[int, int, int]) -> bytes:
    """A design on a transparent canvas (a margin to trim), as shops upload them, at 300 DPI."""
    img = Image.new("RGBA", size, (0, 0, 0, 0))
    draw = ImageDraw.Draw(img)
    w, h = size
    if kind == "circle":
        draw.ellipse((w * .08, h * .08, w * .92, h * .92), fill=(*color, 255))
        draw.ellipse((w * .36, h * .36, w * .64, h * .64), fill=(110, 60, 20, 255))
    elif kind == "wave":
        top = [(x, h * .35 + h * .15 * math.sin(x / w * 2 * math.pi)) for x in range(0, w + 1, 10)]
        draw.polygon(top + [(w, h * .85), (0, h * .85)], fill=(*color, 255))
    else:
        draw.polygon([(w * .5, h * .06), (w * .94, h * .94), (w * .06, h * .94)], fill=(*color, 255))
        draw.polygon([(w * .5, h * .45), (w * .7, h * .88), (w * .3, h * .88)], fill=(255, 245, 230, 255))
    buf = io.BytesIO()
    img.save(buf, "PNG", dpi=(300, 300))
    return buf.getvalue()


def _tee_photo() -> bytes:
    """A product photo: a white tee on a soft background."""
    img = Image.new("RGB", (900, 700), (226, 232, 238))
    draw = ImageDraw.Draw(img)
    tee = [(300, 110), (380, 90), (450, 120), (520, 90), (600, 110), (720, 210), (650, 290), (610, 250),
           (610, 640), (290, 640), (290, 250), (250, 290), (180, 210)]
    draw.polygon([(x + 8, y + 10) for x, y in tee], fill=(200, 206, 212))
    draw.polygon(tee, fill=(252, 252, 250))
    buf = io.BytesIO()
    img.save(buf, "JPEG", quality=90)
    return buf.getvalue()


def _unmatched_order(session, org_id: int) -> None:
    """A paid order whose item no rule matches yet (as a shop sync leaves it)."""
    with tenancy.org_scope(org_id):
        shop = shop_model.Shop(org_id=org_id, status="connected", name="SunnyDTF", etsy_shop_id=9_100_000 + org_id)
        session.add(shop)
        session.flush()
        order = order_model.Order(org_id=org_id, shop_id=shop.id, etsy_receipt_id=3_300_001, buyer_name="Ada Buyer",
                                  is_paid=True, paid_at=dt.datetime.now(dt.UTC), currency="USD")
        session.add(order)
        session.flush()
        session.add(order_model.OrderItem(org_id=org_id, order_id=order.id, etsy_transaction_id=77_001,
                                          listing_id=555_001, title="Sunflower tee transfer", sku="SUNFLOWER-A",
                                          variations={"Size": "Adult"}, quantity=2, personalization="Ada"))
        session.commit()


def test_a_day_in_the_console(app, committed, start_worker, tmp_path):
    session, created = committed
    shots = Path(os.environ.get("CONSOLE_SCREENSHOTS") or tmp_path)
    shots.mkdir(parents=True, exist_ok=True)
    files = []
    for name, kind, color, size in (("sunflower.png", "circle", (236, 178, 22), (600, 600)),
                                    ("wave.png", "wave", (30, 110, 200), (900, 450)),
                                    ("fox.png", "fox", (214, 96, 32), (500, 700))):
        path = tmp_path / name
        path.write_bytes(_art(kind, size, color))
        files.append(str(path))
    photo = tmp_path / "white-tee.jpg"
    photo.write_bytes(_tee_photo())
    start_worker("general")
    start_worker("print_jobs")
    with browser.serve(app) as base, browser.chromium() as chromium:
        page = chromium.new_page(viewport=VIEW)
        page.set_default_timeout(30_000)
        # Sign up, sign out, sign in.
        page.goto(f"{base}/")
        page.click("text=Create an organization")
        page.fill("#organization_name", "Sunny Transfers")
        page.fill("#email", "ops@sunny.example")
        page.fill("#password", helpers.PASSWORD)
        page.click("button[type=submit]")
        page.wait_for_selector("h1:has-text('Today')")
        with tenancy.system_access("the test finds the organization it signed up"):
            org_id = session.scalar(select(org_model.Organization.id)
                                    .where(org_model.Organization.name == "Sunny Transfers"))
        created.append(org_id)
        page.click("text=Sign out")
        page.fill("#email", "ops@sunny.example")
        page.fill("#password", helpers.PASSWORD)
        page.keyboard.press("Enter")
        page.wait_for_selector("h1:has-text('Today')")

        # Upload three designs at once; each shows its own progress, then the grid shows them.
        page.click("nav >> text=Designs")
        page.set_input_files("#files", files)
        page.wait_for_selector(".design >> text=fox.png")
        assert page.locator(".grid .design").count() == 3
        page.wait_for_function("document.querySelectorAll('.grid img').length === 3 && "
                               "[...document.querySelectorAll('.grid img')].every(i => i.complete)")
        page.screenshot(path=str(tmp_path / "designs.png"))

        # Gang sheet: pick quantities and widths; the layout follows; queue it and watch it complete.
        page.click("nav >> text=Gang sheets")
        for name, qty, width in (("sunflower.png", "6", "3"), ("wave.png", "4", "4"), ("fox.png", "3", "2.5")):
            row = page.locator("tr[data-file]", has_text=name)
            row.locator(".qty").fill(qty)
            row.locator(".width").fill(width)
        page.fill("#sheet_width", "22")
        page.locator("#sheet_width").blur()
        page.wait_for_function("document.getElementById('summary').textContent.includes('% used') && "
                               "!document.getElementById('sheet').hidden && document.getElementById('sheet').complete")
        summary = page.inner_text("#summary")
        assert "1 sheet" in summary and "22 in roll" in summary, summary
        page.wait_for_function("[...document.querySelectorAll('.pick img')].every(i => i.complete)")
        page.evaluate("window.scrollTo(0, 0)")
        page.screenshot(path=str(shots / "gang-sheet-builder.png"))
        page.set_viewport_size({"width": 800, "height": 1100})  # a tablet held upright
        page.screenshot(path=str(tmp_path / "gang-sheet-builder-tablet.png"))
        page.set_viewport_size(VIEW)
        page.click("#queue")
        page.wait_for_selector("h1:has-text('Job #')")
        page.wait_for_selector(".badge.s-completed", timeout=120_000)
        assert page.locator(".outputs a[download]").count() >= 2
        page.wait_for_function("[...document.querySelectorAll('.outputs img')].every(i => i.complete)")
        page.screenshot(path=str(shots / "print-job.png"), full_page=True)

        # Match the unmatched item to its suggested design; the rule is saved.
        _unmatched_order(session, org_id)
        page.click("nav >> text=Today")
        assert page.inner_text(".tiles .tile >> nth=0").startswith("1")
        page.screenshot(path=str(tmp_path / "today.png"))
        page.click("nav >> text=Unmatched")
        item = page.locator("article.item", has_text="Sunflower tee transfer")
        assert item.locator(".pickable", has_text="sunflower.png").count() == 1
        page.screenshot(path=str(tmp_path / "unmatched.png"), full_page=True)
        item.locator("button:has-text('Match')").click()
        page.wait_for_selector(".flash.ok >> text=Matched item")
        assert "Every order item is matched" in page.inner_text("main")

        # Mockup template: upload a photo, click four corners, save, and preview a design on it.
        page.click("nav >> text=Mockups")
        page.fill("#name", "White tee, front")
        page.set_input_files("#photo", str(photo))
        page.click("button:has-text('Upload and place')")
        page.wait_for_selector("#photo-img")
        page.wait_for_function("document.getElementById('photo-img').complete")
        box = page.locator("#photo-img").bounding_box()
        assert box is not None
        for fx, fy in ((0.39, 0.32), (0.61, 0.32), (0.61, 0.66), (0.39, 0.66)):
            page.mouse.click(box["x"] + fx * box["width"], box["y"] + fy * box["height"])
        assert page.inner_text("#corner-count") == "Four corners placed."
        page.click("#save-area")
        page.wait_for_selector(".flash.ok >> text=Print area saved")
        page.select_option("#design", label="fox.png")
        page.wait_for_function("!document.getElementById('mockup-preview').hidden && "
                               "document.getElementById('mockup-preview').naturalWidth > 0")
        page.screenshot(path=str(shots / "mockup.png"))

        page.click("nav >> text=Settings")
        page.screenshot(path=str(tmp_path / "settings.png"), full_page=True)
        page.click("nav >> text=Jobs")
        page.screenshot(path=str(tmp_path / "jobs.png"))
        page.click("text=Sign out")
        page.wait_for_selector("h1:has-text('Sign in')")
        page.screenshot(path=str(tmp_path / "sign-in.png"))
        page.goto(f"{base}/console/jobs")
        assert "/console/sign-in" in page.url
    with tenancy.org_scope(org_id):
        item = session.scalars(select(order_model.OrderItem)).one()
        rule = session.scalars(select(order_model.DesignMapping)).one()
    assert item.match_status == "matched" and rule.listing_id == 555_001


def test_another_orgs_pages_and_forms_without_the_token_in_the_browser(app, committed, tmp_path):
    session, created = committed
    with browser.serve(app) as base, browser.chromium() as chromium:
        theirs = requests.post(f"{base}/api/auth/register", timeout=10, json={
            "email": "them@example.com", "password": helpers.PASSWORD, "organization_name": "Their Prints"}).json()
        created.append(theirs["organization"]["id"])
        upload = requests.post(f"{base}/api/organizations/{theirs['organization']['id']}/files/upload",
                               headers=helpers.bearer(theirs["access_token"]), timeout=10,
                               files={"file": ("theirs.png", imagegen.png(), "image/png")},
                               data={"file_type": "designs"}).json()
        mine = requests.post(f"{base}/api/auth/register", timeout=10, json={
            "email": "me@example.com", "password": helpers.PASSWORD, "organization_name": "My Prints"}).json()
        created.append(mine["organization"]["id"])
        page = chromium.new_page(viewport=VIEW)
        page.goto(f"{base}/console/sign-in")
        page.fill("#email", "me@example.com")
        page.fill("#password", helpers.PASSWORD)
        page.click("button[type=submit]")
        page.wait_for_selector("h1:has-text('Today')")
        for path in (f"/console/files/{upload['file']['id']}/download", "/console/jobs/999999",
                     f"/console/mockups/{upload['file']['id']}"):
            answer = page.goto(base + path)
            assert answer is not None and answer.status == 404, path
            assert page.inner_text("h1") == "Not found"
        # A form posted without its token (as another site would) is refused, and nothing changes.
        page.goto(f"{base}/console/settings")
        status = page.evaluate("""async () => {
            const form = new FormData(); form.append("name", "Forged"); form.append("printer_type", "dtf");
            form.append("max_width_in", "22");
            return (await fetch("/console/settings/printers", {method: "POST", body: form})).status; }""")
        assert status == 400
        page.locator("form[action$='/settings/printers'] input[name=csrf_token]").evaluate("e => e.value = 'x'")
        page.fill("#p-name", "Forged too")
        page.click("button:has-text('Add printer')")
        assert "expired" in page.inner_text("main")
        page.goto(f"{base}/console/settings")
        assert "No printers yet" in page.inner_text("#printers")
