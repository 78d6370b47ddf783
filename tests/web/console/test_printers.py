"""The console's printer page and the job page's send: output settings saved (and refused) in the console, a
completed gang sheet job sent to the hot folder, then cancel, send again, delivery, mark printed and reprint;
viewers see but cannot act, another organization's printer is a 404 page."""
from __future__ import annotations

import re

from models import organization as org_model
from models import printer as printer_model
from models import tenancy
from services import rip_delivery
from tests import helpers
from tests.jobs import rip_helpers as h
from tests.web.console import pages
from tests.web.printer_helpers import DTF, _create


def _post(client, path: str, page: str, **form):
    return client.post(path, data={**form, "csrf_token": pages.csrf(client, page)})


def test_a_job_sent_to_the_rip_from_the_console(client, session):
    owner = helpers.register(client)
    env = h.local_env()
    folder, path = env.hot()
    pid = _create(client, owner, **DTF)["id"]
    pages.sign_in(client, owner["user"]["email"])
    page = f"/console/printers/{pid}"
    assert "Nothing sent yet" in client.get(page).get_data(as_text=True)

    refused = _post(client, f"{page}/output", page, hot_folder="../outside", output_format="png")
    assert refused.status_code == 302
    assert "storage root" in client.get(page).get_data(as_text=True)
    saved = _post(client, f"{page}/output", page, hot_folder=folder, output_format="tiff", mirror="on",
                  file_name_pattern="{job}_{sheet}")
    assert saved.status_code == 302
    with tenancy.org_scope(owner["org_id"]):
        printer = session.get(printer_model.Printer, pid, populate_existing=True)
        assert (printer.hot_folder, printer.output_format, printer.mirror, printer.auto_send) == (
            folder, "tiff", True, False)
        job, _ = h.completed_job(session, env, session.get(org_model.Organization, owner["org_id"]), printer)
        session.commit()

    job_page = client.get(f"/console/jobs/{job.id}").get_data(as_text=True)
    assert "Send to printer" in job_page and folder in job_page
    sent = _post(client, f"/console/jobs/{job.id}/send", f"/console/jobs/{job.id}", printer_id=str(pid))
    assert sent.status_code == 302 and sent.headers["Location"].endswith(page)
    listed = client.get(page).get_data(as_text=True)
    assert listed.count("badge s-queued") == 2 and f"{job.id}_1.tif" in listed
    first, second = sorted(int(i) for i in set(re.findall(r"/sends/(\d+)/cancel", listed)))

    assert _post(client, f"{page}/sends/{first}/cancel", page).status_code == 302
    assert "badge s-cancelled" in client.get(page).get_data(as_text=True)
    assert _post(client, f"{page}/sends/{first}/resend", page).status_code == 302
    with tenancy.org_scope(owner["org_id"]):
        rip_delivery.deliver(session, env.settings, pid)
        session.commit()
    assert sorted(p.name for p in path.iterdir()) == [f"{job.id}_1.tif", f"{job.id}_2.tif"]
    assert client.get(page).get_data(as_text=True).count("badge s-sent") == 2
    assert _post(client, f"{page}/sends/{second}/printed", page).status_code == 302
    assert _post(client, f"{page}/sends/{second}/reprint", page).status_code == 302
    after = client.get(page).get_data(as_text=True)
    assert "badge s-printed" in after and "reprint</span>" in after and "badge s-queued" in after
    # A sheet sent already is refused (reprint it instead), shown as a message, not an error page.
    again = _post(client, f"/console/jobs/{job.id}/send", f"/console/jobs/{job.id}", printer_id=str(pid))
    assert again.status_code == 302 and "already sent" in client.get(page).get_data(as_text=True)


def test_viewers_see_the_queue_and_other_orgs_get_404(client, session):
    owner = helpers.register(client)
    viewer = helpers.add_member(client, owner, "viewer")
    other = helpers.register(client)
    pid = _create(client, owner, **DTF)["id"]
    theirs = _create(client, other, **DTF)["id"]
    pages.sign_in(client, viewer["user"]["email"])
    page = f"/console/printers/{pid}"
    assert client.get(page).status_code == 200
    assert _post(client, f"{page}/output", page, hot_folder="x").status_code == 403
    assert client.get(f"/console/printers/{theirs}").status_code == 404
