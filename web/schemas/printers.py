"""Printer schemas."""
from __future__ import annotations

from marshmallow import Schema, fields, validate

from models import print_job, printer
from services import printer_output
from web.schemas import common

_POSITIVE = {"min": 0, "min_inclusive": False}


class PrinterSchema(Schema):
    """A printer as the API shows it."""

    id = fields.Integer(dump_only=True)
    org_id = fields.Integer(dump_only=True)
    name = fields.String(dump_only=True)
    printer_type = fields.String(dump_only=True)
    manufacturer = fields.String(dump_only=True, allow_none=True)
    model = fields.String(dump_only=True, allow_none=True)
    max_width_in = fields.Float(dump_only=True)
    max_height_in = fields.Float(dump_only=True, allow_none=True,
                                 metadata={"description": "null for a roll printer (any sheet length)"})
    is_roll = fields.Method("_is_roll", dump_only=True, metadata={"type": "boolean"})
    dpi = fields.Integer(dump_only=True)
    supported_media = fields.List(fields.String(), dump_only=True)
    supported_template_ids = fields.List(fields.Integer(), dump_only=True)
    is_active = fields.Boolean(dump_only=True)
    is_default = fields.Boolean(dump_only=True)
    hot_folder = fields.String(dump_only=True, allow_none=True)
    processed_folder = fields.String(dump_only=True, allow_none=True)
    output_format = fields.String(dump_only=True)
    mirror = fields.Boolean(dump_only=True)
    file_name_pattern = fields.String(dump_only=True)
    job_ticket = fields.Boolean(dump_only=True)
    auto_send = fields.Boolean(dump_only=True)
    created_at = fields.DateTime(dump_only=True)
    updated_at = fields.DateTime(dump_only=True)

    def _is_roll(self, obj: printer.Printer) -> bool:
        return obj.max_height_in is None


class PrinterUpdateSchema(Schema):
    """Body of PATCH /api/printers/{printer_id}; unknown fields are refused."""

    name = fields.String(validate=validate.Length(min=1, max=120))
    printer_type = fields.String(validate=validate.OneOf(printer.PRINTER_TYPES))
    manufacturer = fields.String(allow_none=True, validate=validate.Length(max=120))
    model = fields.String(allow_none=True, validate=validate.Length(max=120))
    max_width_in = fields.Decimal(places=3, validate=validate.Range(max=1000, **_POSITIVE))
    max_height_in = fields.Decimal(places=3, allow_none=True, validate=validate.Range(max=100000, **_POSITIVE),
                                   metadata={"description": "null for a roll printer (any sheet length)"})
    dpi = fields.Integer(strict=True, validate=validate.Range(min=72, max=4800))
    supported_media = fields.List(fields.String(validate=validate.Length(min=1, max=64)),
                                  validate=validate.Length(max=50))
    supported_template_ids = fields.List(fields.Integer(strict=True, validate=validate.Range(min=1)),
                                         validate=validate.Length(max=500),
                                         metadata={"description": "Templates of the organization"})
    is_active = common.StrictBoolean()
    is_default = common.StrictBoolean(metadata={
        "description": "true makes it the one default; false hands the default to the oldest other active printer"})
    hot_folder = fields.String(allow_none=True, validate=validate.Length(min=1, max=500), metadata={
        "description": "The RIP's hot folder: a folder inside the storage root (NAS share or local root) that exists"})
    processed_folder = fields.String(allow_none=True, validate=validate.Length(min=1, max=500), metadata={
        "description": "Where the RIP moves the files it took (optional, inside the storage root)"})
    output_format = fields.String(validate=validate.OneOf(printer.OUTPUT_FORMATS),
                                  metadata={"description": "png (default) or tiff (LZW, alpha kept)"})
    mirror = common.StrictBoolean(metadata={"description": "Mirror left to right (sublimation, some papers)"})
    file_name_pattern = fields.String(validate=validate.Length(min=1, max=300), metadata={
        "description": "File name in the hot folder; placeholders " + ", ".join(
            f"{{{k}}}" for k in printer_output.PLACEHOLDERS)})
    job_ticket = common.StrictBoolean(metadata={"description": "Write a JSON job ticket beside each sheet"})
    auto_send = common.StrictBoolean(metadata={"description": "Send completed gang sheet jobs automatically"})


class PrinterCreateSchema(PrinterUpdateSchema):
    """Body of POST /api/printers/; the org's first active printer becomes the default unless told otherwise."""

    name = fields.String(required=True, validate=validate.Length(min=1, max=120))
    printer_type = fields.String(required=True, validate=validate.OneOf(printer.PRINTER_TYPES))
    max_width_in = fields.Decimal(required=True, places=3, validate=validate.Range(max=1000, **_POSITIVE))
    dpi = fields.Integer(strict=True, load_default=300, validate=validate.Range(min=72, max=4800))
    supported_media = fields.List(fields.String(validate=validate.Length(min=1, max=64)),
                                  load_default=list, validate=validate.Length(max=50))
    supported_template_ids = fields.List(fields.Integer(strict=True, validate=validate.Range(min=1)),
                                         load_default=list, validate=validate.Length(max=500))
    is_active = common.StrictBoolean(load_default=True)


class PrinterQueryArgsSchema(Schema):
    """Filters of the printer list."""

    printer_type = fields.String(validate=validate.OneOf(printer.PRINTER_TYPES))
    is_active = fields.Boolean()
    q = fields.String(validate=validate.Length(min=1, max=120), metadata={"description": "Name contains"})


class SheetSchema(Schema):
    """Body of POST /api/printers/{printer_id}/check-capability: the sheet to print."""

    width_in = fields.Float(required=True, validate=validate.Range(**_POSITIVE))
    length_in = fields.Float(required=True, validate=validate.Range(**_POSITIVE))
    dpi = fields.Integer(required=True, strict=True, validate=validate.Range(min=1, max=100000))


class CompatibleQueryArgsSchema(Schema):
    """Query of GET /api/printers/compatible/find; length and DPI are checked only when given."""

    width_in = fields.Float(required=True, validate=validate.Range(**_POSITIVE))
    length_in = fields.Float(validate=validate.Range(**_POSITIVE))
    dpi = fields.Integer(validate=validate.Range(min=1, max=100000))


class CapabilitySchema(Schema):
    """Whether a sheet fits a printer, and why not."""

    fits = fields.Boolean()
    reasons = fields.List(fields.String())
    printer = fields.Nested(PrinterSchema)


class PrinterStatsSchema(Schema):
    """Jobs and film of one printer."""

    printer_id = fields.Integer()
    name = fields.String()
    printer_type = fields.String()
    is_active = fields.Boolean()
    is_default = fields.Boolean()
    jobs = fields.Dict(keys=fields.String(validate=validate.OneOf(print_job.STATUSES)), values=fields.Integer())
    jobs_total = fields.Integer()
    completed_length_in = fields.Float(metadata={"description": "Sheet length of completed jobs, in inches"})


class PrinterStatsSummarySchema(Schema):
    """Jobs and film per printer, and in total."""

    printers = fields.List(fields.Nested(PrinterStatsSchema))
    jobs_total = fields.Integer()
    completed_length_in = fields.Float()


class PrinterProposalSchema(Schema):
    """A printer configuration to consider."""

    key = fields.String()
    source = fields.String(metadata={"description": "preset"})
    name = fields.String()
    printer_type = fields.String()
    max_width_in = fields.Float()
    max_height_in = fields.Float(allow_none=True)
    dpi = fields.Integer()
    supported_media = fields.List(fields.String())
    reason = fields.String()
    already_covered = fields.Boolean(metadata={"description": "An active printer already does this"})


class UsageSchema(Schema):
    """How much the organization uses a value, and why it is proposed."""

    source = fields.String(metadata={"description": "history or preset"})
    templates = fields.Integer()
    completed_jobs = fields.Integer()
    reason = fields.String()
    already_covered = fields.Boolean(metadata={"description": "An active printer already supports it"})


class WidthProposalSchema(UsageSchema):
    """A sheet width the organization prints often."""

    width_in = fields.Float()


class DpiProposalSchema(UsageSchema):
    """A DPI the organization prints at often, or a common preset."""

    dpi = fields.Integer()


class SuggestionsSchema(Schema):
    """Proposals for configuring printers."""

    printers = fields.List(fields.Nested(PrinterProposalSchema))
    widths = fields.List(fields.Nested(WidthProposalSchema))
    dpis = fields.List(fields.Nested(DpiProposalSchema))
