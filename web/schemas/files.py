"""File schemas."""
from __future__ import annotations

from typing import Any

from marshmallow import Schema, ValidationError, fields, post_load, validate, validates

from models import file as file_model
from prepress import thumbnails
from services import design_analysis
from web.schemas import common, fast

Tag = fields.String(validate=validate.Regexp(r"^[\w .:+#/-]{1,64}$"))


def _split_tags(value: str) -> list[str]:
    tags = [t.strip() for t in value.split(",") if t.strip()]
    for tag in tags:
        if len(tag) > 64:
            raise ValidationError("Each tag is at most 64 characters")
    if len(tags) > 50:
        raise ValidationError("At most 50 tags")
    return sorted(set(tags))


class SizeCheckSchema(Schema):
    """The design's effective DPI at one template size, and its verdict."""

    template_id = fields.Integer()
    template = fields.String()
    size_id = fields.Integer()
    size = fields.String()
    effective_dpi = fields.Float(metadata={"description": "Of the printed (trimmed) artwork fitted to the size"})
    target_dpi = fields.Integer()
    status = fields.String(metadata={"description": "ok, below_target (under the template's DPI) or too_low"})


class NaturalSizeSchema(Schema):
    """A physical size in inches."""

    width_in = fields.Float()
    height_in = fields.Float()


class FileAnalysisSchema(Schema):
    """What the pixels of an image design say: verdict and DPI per size, visible artwork box, natural size."""

    status = fields.String(allow_none=True, metadata={
        "description": "Worst verdict over the sizes: ok, below_target, too_low; or unreadable, empty, not_raster"})
    checked_at = fields.String(allow_none=True)
    sizes = fields.List(fields.Nested(SizeCheckSchema))
    analysed = fields.Boolean(metadata={"description": "False until the background analysis after upload ran"})
    error = fields.String(allow_none=True, metadata={"description": "Why the pixels could not be analysed"})
    trim_box = fields.Dict(allow_none=True, metadata={
        "description": "The visible artwork (alpha above alpha_threshold) in pixels: left, top, right, bottom "
                       "(right and bottom exclusive); null when nothing is visible"})
    trimmed_width_px = fields.Integer()
    trimmed_height_px = fields.Integer()
    trimmed_width_in = fields.Float(allow_none=True)
    trimmed_height_in = fields.Float(allow_none=True)
    alpha_threshold = fields.Integer()
    natural_size_in = fields.Nested(NaturalSizeSchema, allow_none=True, metadata={
        "description": "The trimmed artwork's print size from the file's DPI metadata (what an item without "
                       "width_in or size_id prints at); null without DPI metadata"})


class _Analysis(fields.Nested):
    """The file's analysis as services.design_analysis describes it (two stored records, one view)."""

    def get_value(self, obj: Any, attr: str, accessor: Any = None, default: Any = None) -> Any:
        return design_analysis.describe(obj)


class FileSchema(fast.Schema):
    """A file as the API shows it."""

    id = fields.Integer(dump_only=True)
    org_id = fields.Integer(dump_only=True)
    shop_id = fields.Integer(dump_only=True, allow_none=True)
    file_type = fields.String(dump_only=True)
    status = fields.String(dump_only=True)
    filename = fields.String(dump_only=True)
    original_filename = fields.String(dump_only=True, allow_none=True)
    storage_key = fields.String(dump_only=True)
    mime_type = fields.String(dump_only=True)
    size_bytes = fields.Integer(dump_only=True)
    sha256 = fields.String(dump_only=True, allow_none=True)
    width_px = fields.Integer(dump_only=True, allow_none=True)
    height_px = fields.Integer(dump_only=True, allow_none=True)
    dpi_x = fields.Float(dump_only=True, allow_none=True)
    dpi_y = fields.Float(dump_only=True, allow_none=True)
    dpi = fields.Float(dump_only=True, allow_none=True)
    color_mode = fields.String(dump_only=True, allow_none=True)
    has_alpha = fields.Boolean(dump_only=True, allow_none=True)
    has_thumbnail = fields.Boolean(dump_only=True)
    tags = fields.List(fields.String(), dump_only=True)
    created_by = fields.Integer(dump_only=True, allow_none=True)
    backed_up_at = fields.DateTime(dump_only=True, allow_none=True)
    analysis = _Analysis(FileAnalysisSchema, dump_only=True, allow_none=True,
                         metadata={"description": "The stored analysis of an image design (null for other files)"})
    created_at = fields.DateTime(dump_only=True)
    updated_at = fields.DateTime(dump_only=True)


class FileUploadSchema(Schema):
    """A multipart upload: the `file` part and the form fields that describe it."""

    file = fields.Raw(required=True, metadata={"type": "string", "format": "binary"})
    file_type = fields.String(required=True, validate=validate.OneOf(file_model.FILE_TYPES))
    shop_id = fields.Integer(validate=validate.Range(min=1))
    tags = fields.String(load_default="", metadata={"description": "Comma-separated tags"})
    allow_duplicate = fields.Boolean(load_default=False, metadata={
        "description": "Store even if identical content already exists in the organization"})

    @validates("tags")
    def _tags(self, value: str, **kwargs) -> None:
        _split_tags(value)

    @post_load
    def _tag_list(self, data: dict, **kwargs) -> dict:
        # Services take the cleaned list; the form carries one comma-separated string.
        return {**data, "tags": _split_tags(data.get("tags") or "")}


class FileUploadResultSchema(Schema):
    """An upload's answer: the stored file, or the existing one with identical content."""

    duplicate = fields.Boolean()
    file = fields.Nested(FileSchema)


class FileUpdateSchema(Schema):
    """Body of PATCH .../files/{file_id}: rename, retag, move to another type (the stored object moves too)."""

    filename = fields.String(validate=validate.Length(min=1, max=200))
    tags = fields.List(Tag, validate=validate.Length(max=50))
    file_type = fields.String(validate=validate.OneOf(file_model.FILE_TYPES))
    status = fields.String(validate=validate.OneOf(["archived", "ready"]),
                           metadata={"description": "Archive a file, or restore an archived one"})


class FileQueryArgsSchema(common.TimeRangeArgsSchema):
    """Filters of the file search."""

    file_type = fields.String(validate=validate.OneOf(file_model.FILE_TYPES))
    status = fields.String(validate=validate.OneOf(file_model.STATUSES))
    shop_id = fields.Integer()
    mime_type = fields.String(validate=validate.Length(max=100))
    q = fields.String(validate=validate.Length(min=1, max=200), metadata={"description": "Name contains"})
    tags = fields.List(Tag, metadata={"description": "Files carrying all of these tags"})
    min_dpi = fields.Float(validate=validate.Range(min=0))
    max_dpi = fields.Float(validate=validate.Range(min=0))


class ThumbnailArgsSchema(Schema):
    """Query of the thumbnail: its size."""

    size = fields.Integer(load_default=thumbnails.SIZE, validate=validate.Range(min=thumbnails.MIN_SIZE,
                                                                               max=thumbnails.MAX_SIZE),
                          metadata={"description": f"Long side in pixels, {thumbnails.MIN_SIZE} to "
                                                   f"{thumbnails.MAX_SIZE}"})


class StorageStatsSchema(Schema):
    """Bytes and counts of live files."""

    backend = fields.String()
    by_type = fields.Dict()
    by_shop = fields.Dict()
    total = fields.Dict()
    free_bytes = fields.Integer(allow_none=True)
