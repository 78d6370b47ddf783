"""The periodic NAS library import, fanned out per organization (only those that asked for it start one)."""
from __future__ import annotations

from jobs import app as jobs_app
from jobs import context, maintenance
from services import library_import

app = jobs_app.app


@app.task(name="fan_out_library_imports", queue="scheduler")
def fan_out_library_imports(timestamp: int | None = None) -> int:
    """Defer one due-import check per organization."""
    return maintenance.fan_out(import_library_if_due, "import_library")


@app.task(name="import_library_if_due", queue="designs")
def import_library_if_due(org_id: int) -> int | None:
    """Queue an imports job when the organization's interval has passed; its id, or None."""
    with context.running(org_id, task_name="import_library_if_due") as ctx:
        job = library_import.start_if_due(ctx.session, org_id)
        return job.id if job is not None else None
