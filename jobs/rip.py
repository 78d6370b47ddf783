"""Printer hot folders: deliver a printer's pending sheets (retried until the folder takes them), and the periodic
printed detection fanned out per organization."""
from __future__ import annotations

import dataclasses

from procrastinate import jobs, retry

from jobs import app as jobs_app
from jobs import context, maintenance
from jobs import retry as job_retry
from services import defer, rip_delivery, rip_printed

app = jobs_app.app


@dataclasses.dataclass
class UntilTheFolderTakesIt(job_retry.CappedBackoff):
    """An unreachable NAS and a refusing folder (disk full, permission) are both retried, with capped backoff."""

    def get_retry_decision(self, *, exception: BaseException, job: jobs.Job) -> retry.RetryDecision | None:
        if isinstance(exception, rip_delivery.SendFailed) and job.attempts + 1 < self.max_attempts:
            return retry.RetryDecision(retry_in={"seconds": min(self.cap, self.base * 2 ** job.attempts)})
        return super().get_retry_decision(exception=exception, job=job)


# A NAS or RIP computer can be away for hours: keep trying for about a day, at most 15 minutes apart.
UNTIL_THE_FOLDER_TAKES_IT = UntilTheFolderTakesIt(max_attempts=100, base=10, cap=900)


@app.task(name=defer.DELIVER_TO_PRINTER, queue=defer.DELIVER_QUEUE, retry=UNTIL_THE_FOLDER_TAKES_IT)
def deliver_to_printer(org_id: int, printer_id: int) -> dict[str, int]:
    """Deliver the printer's pending sheets to its hot folder, in order; idempotent."""
    with context.running(org_id, task_name=defer.DELIVER_TO_PRINTER) as ctx:
        return rip_delivery.deliver(ctx.session, ctx.settings, printer_id)


@app.task(name="fan_out_printed_checks", queue="scheduler")
def fan_out_printed_checks(timestamp: int | None = None) -> int:
    """Defer one printed check per organization."""
    return maintenance.fan_out(check_printed, "check_printed")


@app.task(name="check_printed", queue="default")
def check_printed(org_id: int) -> dict[str, int]:
    """Mark sent sheets printed once the RIP moved them out of the hot folder."""
    with context.running(org_id, task_name="check_printed") as ctx:
        return rip_printed.check(ctx.session, ctx.settings)
