"""The analyse_design task: a design's pixels read once after upload (trim box, DPI per size), kept with the file."""
from __future__ import annotations

from jobs import app as jobs_app
from jobs import context, retry
from services import defer, design_analysis

app = jobs_app.app


@app.task(name=defer.ANALYSE_DESIGN, queue=defer.DESIGNS_QUEUE, retry=retry.TRANSIENT)
def analyse_design(org_id: int, file_id: int) -> str:
    """Analyse one uploaded design; idempotent (an analysed file is left as it is)."""
    with context.running(org_id, task_name=defer.ANALYSE_DESIGN) as ctx:
        return design_analysis.run(ctx.session, ctx.settings, file_id)
