"""Print job schemas (each job type's parameters are validated by its own schema in jobs/<type>.py)."""
from __future__ import annotations

from marshmallow import Schema, fields, validate

from models import print_job
from web.schemas import common, files


class PrintJobSchema(Schema):
    """A print job as the API shows it."""

    id = fields.Integer(dump_only=True)
    org_id = fields.Integer(dump_only=True)
    job_type = fields.String(dump_only=True)
    status = fields.String(dump_only=True)
    params = fields.Dict(dump_only=True)
    printer_id = fields.Integer(dump_only=True, allow_none=True)
    template_id = fields.Integer(dump_only=True, allow_none=True)
    created_by = fields.Integer(dump_only=True, allow_none=True)
    progress = fields.Integer(dump_only=True)
    progress_message = fields.String(dump_only=True, allow_none=True)
    attempts = fields.Integer(dump_only=True)
    cancel_requested = fields.Boolean(dump_only=True)
    error = fields.String(dump_only=True, allow_none=True)
    result = fields.Dict(dump_only=True, allow_none=True)
    output_length_in = fields.Float(dump_only=True, allow_none=True)
    queued_at = fields.DateTime(dump_only=True)
    started_at = fields.DateTime(dump_only=True, allow_none=True)
    finished_at = fields.DateTime(dump_only=True, allow_none=True)
    created_at = fields.DateTime(dump_only=True)


class PrintJobDetailSchema(PrintJobSchema):
    """A job with its output files."""

    outputs = fields.List(fields.Nested(files.FileSchema), dump_only=True)


class PrintJobCreateSchema(Schema):
    """Body of POST .../print-jobs/: a type and that type's parameters."""

    job_type = fields.String(required=True, validate=validate.OneOf(print_job.JOB_TYPES))
    params = fields.Dict(keys=fields.String(), required=True,
                         metadata={"description": "Typed by job_type; see the job type's documentation"})


class PrintJobQueryArgsSchema(common.TimeRangeArgsSchema):
    """Filters of the job search."""

    status = fields.String(validate=validate.OneOf(print_job.STATUSES))
    job_type = fields.String(validate=validate.OneOf(print_job.JOB_TYPES))
    created_by = fields.Integer()
    printer_id = fields.Integer()


class PrintJobStatsSchema(Schema):
    """Counts, durations and failure rate."""

    total = fields.Integer()
    by_status = fields.Dict()
    by_type = fields.Dict()
    failure_rate = fields.Float()


class QueueInfoSchema(Schema):
    """The organization's queue depth, oldest waiting job and running jobs, and the live workers."""

    queues = fields.Dict(metadata={"description": "Per queue: this organization's `waiting` and `running` jobs and "
                                                  "its `oldest_waiting_seconds`"})
    workers_alive = fields.Integer()
    running_now = fields.Integer()
