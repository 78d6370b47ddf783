"""End to end through a real general worker: the NAS is down when sheets are sent, the send shows it waits for the
printer folder while the queue retries, and once the NAS is back every sheet lands in the hot folder exactly once."""
from __future__ import annotations

from sqlalchemy import text

from models import print_job as job_model
from models import tenancy
from services import rip
from tests.jobs import rip_helpers as h
from tests.jobs.conftest import wait_for
from tests.jobs.rip_helpers import everything, sends


def _nas_env(server, share) -> dict[str, str]:
    return {"STORAGE_BACKEND": "sftp", "QNAP_NAS_HOST": server.host, "QNAP_NAS_PORT": str(server.port),
            "QNAP_NAS_USERNAME": server.username, "QNAP_NAS_KEY_PATH": str(server.client_key),
            "QNAP_NAS_KNOWN_HOSTS": str(server.known_hosts), "QNAP_NAS_BASE_PATH": str(share),
            "QNAP_NAS_TIMEOUT": "3"}


def test_a_send_waits_for_the_nas_and_then_delivers_once(committed, start_worker, own_sshd, tmp_path):
    session, created = committed
    env = h.sftp_env(own_sshd, tmp_path, nas_timeout=3)
    folder, path = env.hot()
    org = h.org(session, "Worker Rip")
    created.append(org.id)
    session.commit()
    with tenancy.org_scope(org.id):
        printer = h.printer(session, org.id, folder, job_ticket=True)
        job, made = h.completed_job(session, env, org, printer)
        session.commit()
        own_sshd.stop()
        rows = rip.send(session, printer.id, job.id)
        session.commit()
        job_id, printer_id, names = job.id, printer.id, [r.filename for r in rows] + [r.ticket_name for r in rows]
    start_worker("general", **_nas_env(own_sshd, env.root))

    def waiting():
        session.rollback()
        with tenancy.org_scope(org.id):
            first = sends(session, job_id)[0]
            return first.status == "waiting" and first.message == rip.WAITING_MESSAGE

    wait_for(waiting, timeout=60)
    with tenancy.org_scope(org.id):
        assert session.get(job_model.PrintJob, job_id).progress_message == "Waiting for the printer folder"
        assert [r.status for r in sends(session, job_id)][1] == "queued"  # sheet 2 never goes first
    own_sshd.restart()

    def delivered():
        session.rollback()
        with tenancy.org_scope(org.id):
            return [r.status for r in sends(session, job_id)] == ["sent", "sent"]

    wait_for(delivered, timeout=180, interval=0.5)
    assert everything(path) == sorted(names)
    with tenancy.org_scope(org.id):
        for row, (data, _) in zip(sends(session, job_id), made, strict=True):
            assert (path / row.filename).read_bytes() == data and row.attempts >= 1
    retried = session.execute(text("SELECT attempts FROM procrastinate_jobs WHERE task_name = 'deliver_to_printer' "
                                   "AND args->>'printer_id' = :p AND status = 'succeeded'"),
                              {"p": str(printer_id)}).scalar()
    assert retried is not None and retried >= 1
