"""NAS library import schemas."""
from __future__ import annotations

from marshmallow import Schema, fields, validate

from services import library_import


class LibraryImportSchema(Schema):
    """Body of POST .../library/imports: which of the organization's NAS folders to register."""

    file_types = fields.List(fields.String(validate=validate.OneOf(library_import.FILE_TYPES)),
                             load_default=lambda: ["designs"],
                             validate=validate.Length(min=1, max=len(library_import.FILE_TYPES)))
