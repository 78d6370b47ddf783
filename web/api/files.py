"""/api/organizations/{org_id}/files: upload, search, get, update, delete, download, thumbnail, storage stats."""
from __future__ import annotations

import urllib.parse

from flask import Response, current_app, request
from flask.views import MethodView
from flask_smorest import Blueprint

from models import db, errors
from models import file as file_model
from models import organization as org_model
from nas import shared
from web import auth, file_store, pagination, uploads
from web.schemas import files as schemas

blp = Blueprint("files", __name__, url_prefix="/api/organizations/<int:org_id>/files",
                description="Files on the NAS (designs, mockups, print files, gang sheets...)")


def _settings():
    return current_app.extensions["esa_settings"]


def _get(file_id: int) -> file_model.File:
    row = db.get_session().get(file_model.File, file_id)
    if row is None:
        raise errors.NotFound("File not found")
    return row


@blp.route("/")
class Files(MethodView):
    @auth.required()
    @blp.arguments(schemas.FileQueryArgsSchema, location="query")
    @blp.response(200, schemas.FileSchema(many=True))
    @blp.paginate()
    def get(self, args, org_id, pagination_parameters):
        """Search files by type, name, tags, date range, DPI and status."""
        return pagination.page(db.get_session(), file_model.search(args), pagination_parameters)

    @auth.required("operator")
    @blp.arguments(schemas.FileUploadFormSchema, location="form")
    @blp.arguments(schemas.FileUploadPartsSchema, location="files")
    @blp.response(201, schemas.FileUploadResultSchema)
    @blp.alt_response(200, schema=schemas.FileUploadResultSchema,
                      description="Identical content already stored: the existing file (duplicate=true)")
    def post(self, form, parts, org_id):
        """Upload a file (multipart: `file`, `file_type`, optional `tags`, `shop_id`, `allow_duplicate`)."""
        session = db.get_session()
        org = session.get(org_model.Organization, org_id)
        row, duplicate = file_store.upload(session, _settings(), org, auth.current_user().id, parts["file"], form)
        return {"file": row, "duplicate": duplicate}, (200 if duplicate else 201)


@blp.route("/<int:file_id>")
class File(MethodView):
    @auth.required()
    @blp.response(200, schemas.FileSchema)
    def get(self, org_id, file_id):
        """One file."""
        return _get(file_id)

    @auth.required("operator")
    @blp.arguments(schemas.FileUpdateSchema)
    @blp.response(200, schemas.FileSchema)
    def patch(self, data, org_id, file_id):
        """Rename, retag, archive/restore, or move to another file type (the stored object moves too)."""
        session = db.get_session()
        org = session.get(org_model.Organization, org_id)
        return file_store.update(session, _settings(), org, _get(file_id), data)

    @auth.required("operator")
    @blp.response(204)
    def delete(self, org_id, file_id):
        """Delete the file: the stored object and the row go together."""
        file_store.delete(db.get_session(), _settings(), _get(file_id))


@blp.route("/<int:file_id>/download")
class Download(MethodView):
    @auth.required()
    @blp.response(200, content_type="application/octet-stream",
                  description="The content, streamed; supports Range and If-None-Match (ETag is the sha256)")
    @blp.alt_response(206, description="Partial content for a Range request", success=True)
    @blp.alt_response(304, description="Not modified (If-None-Match matched)", success=True)
    @blp.alt_response(416, response="DEFAULT_ERROR", description="Range not satisfiable")
    def get(self, org_id, file_id):
        """Download the stored content."""
        row = _get(file_id)
        etag = row.sha256 or str(row.id)
        if request.if_none_match.contains(etag):
            return Response(status=304, headers={"ETag": f'"{etag}"'})
        handle, size = file_store.open_object(_settings(), row)
        start, length, status = 0, size, 200
        headers = {"ETag": f'"{etag}"', "Accept-Ranges": "bytes", "Cache-Control": "private, max-age=0",
                   "Content-Disposition": f"attachment; filename*=UTF-8''{_quote(row.filename)}"}
        if request.range is not None:
            span = request.range.range_for_length(size)
            if span is None or request.range.units != "bytes":
                handle.close()
                raise errors.RangeNotSatisfiable(f"Range not satisfiable for {size} bytes", size=size)
            start, stop = span
            length, status = stop - start, 206
            headers["Content-Range"] = f"bytes {start}-{stop - 1}/{size}"
        headers["Content-Length"] = str(length)
        return Response(uploads.stream_range(handle, start, length), status=status, mimetype=row.mime_type,
                        headers=headers, direct_passthrough=True)


@blp.route("/<int:file_id>/thumbnail")
class Thumbnail(MethodView):
    @auth.required()
    @blp.response(200, content_type="image/webp", description="A WebP preview, at most 320 px on its long side")
    def get(self, org_id, file_id):
        """A small preview of an image file (cached)."""
        row = _get(file_id)
        data = file_store.thumbnail(_settings(), row)
        if data is None:
            raise errors.NotFound("This file has no thumbnail")
        return Response(data, mimetype="image/webp",
                        headers={"ETag": f'"thumb-{row.sha256}"', "Cache-Control": "private, max-age=86400"})


@blp.route("/stats/storage")
class StorageStats(MethodView):
    @auth.required()
    @blp.response(200, schemas.StorageStatsSchema)
    def get(self, org_id):
        """Bytes and counts per type and per shop, the total, and free space on the storage when it can tell."""
        settings = _settings()
        stats = file_model.storage_stats(db.get_session())
        return {**stats, "backend": settings.storage_backend,
                "free_bytes": shared.storage_for(settings).free_space()}


def _quote(name: str) -> str:
    return urllib.parse.quote(name, safe="")
