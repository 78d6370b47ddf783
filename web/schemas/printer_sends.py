"""Schemas of sheets sent to a printer's hot folder."""
from __future__ import annotations

from marshmallow import Schema, fields, validate

from models import printer_send


class PrinterSendSchema(Schema):
    """One sheet sent (or to be sent) to a printer's hot folder."""

    id = fields.Integer(dump_only=True)
    printer_id = fields.Integer(dump_only=True)
    print_job_id = fields.Integer(dump_only=True)
    file_id = fields.Integer(dump_only=True, allow_none=True)
    sheet = fields.Integer(dump_only=True)
    sheets = fields.Integer(dump_only=True)
    length_in = fields.Float(dump_only=True, allow_none=True)
    hot_folder = fields.String(dump_only=True)
    filename = fields.String(dump_only=True)
    ticket_name = fields.String(dump_only=True, allow_none=True)
    output_format = fields.String(dump_only=True)
    mirror = fields.Boolean(dump_only=True)
    status = fields.String(dump_only=True, metadata={"enum": list(printer_send.STATUSES)})
    message = fields.String(dump_only=True, allow_none=True,
                            metadata={"description": "e.g. 'Waiting for the printer folder'"})
    error = fields.String(dump_only=True, allow_none=True)
    attempts = fields.Integer(dump_only=True)
    order_ids = fields.List(fields.Integer(), dump_only=True)
    reprint_of = fields.Integer(dump_only=True, allow_none=True)
    created_by = fields.Integer(dump_only=True, allow_none=True)
    size_bytes = fields.Integer(dump_only=True, allow_none=True)
    sent_at = fields.DateTime(dump_only=True, allow_none=True)
    printed_at = fields.DateTime(dump_only=True, allow_none=True)
    printed_by = fields.String(dump_only=True, allow_none=True, metadata={"description": "rip or operator"})
    created_at = fields.DateTime(dump_only=True)


class SendRequestSchema(Schema):
    """Body of POST /api/printers/{printer_id}/sends: a completed gang sheet job, all its sheets or some."""

    print_job_id = fields.Integer(required=True, strict=True, validate=validate.Range(min=1))
    sheets = fields.List(fields.Integer(strict=True, validate=validate.Range(min=1)),
                         validate=validate.Length(min=1, max=500), metadata={"description": "Default: every sheet"})


class QueueArgsSchema(Schema):
    """Filters of a printer's queue."""

    status = fields.String(validate=validate.OneOf(printer_send.STATUSES))
