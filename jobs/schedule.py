"""Periodic tasks, registered only in the scheduler process; each fans out small jobs."""
from __future__ import annotations

from jobs import app as jobs_app
from jobs import backup, library, maintenance, reconcile, rip, shop_sync

app = jobs_app.app

app.periodic(cron="* * * * *", periodic_id="requeue_stalled")(maintenance.requeue_stalled_jobs)
app.periodic(cron="17 3 * * *", periodic_id="prune_jobs")(maintenance.prune_finished_jobs)
app.periodic(cron="27 3 * * *", periodic_id="prune_events")(maintenance.fan_out_prune_events)
app.periodic(cron="37 * * * *", periodic_id="sweep_upload_temp")(maintenance.sweep_upload_temp)
app.periodic(cron="*/5 * * * *", periodic_id="fold_event_counts")(maintenance.fold_event_counts)
app.periodic(cron="*/5 * * * *", periodic_id="fold_sales_totals")(maintenance.fold_sales_totals)
app.periodic(cron="*/15 * * * *", periodic_id="sweep_files")(backup.fan_out_file_sweeps)
app.periodic(cron="*/5 * * * *", periodic_id="reconcile_jobs")(reconcile.fan_out_reconcile_jobs)
app.periodic(cron="*/5 * * * *", periodic_id="sync_shops")(shop_sync.fan_out_shop_syncs)
app.periodic(cron="*/5 * * * *", periodic_id="produce_orders")(shop_sync.fan_out_production)
app.periodic(cron="41 * * * *", periodic_id="import_library")(library.fan_out_library_imports)
app.periodic(cron="* * * * *", periodic_id="check_printed")(rip.fan_out_printed_checks)
