"""/api/organizations/{org_id}/files: upload, search, get, update, delete, download, thumbnail, storage stats."""
from __future__ import annotations

from flask import Response
from flask.views import MethodView

from models import db
from services import files, uploads
from web import auth, downloads, multipart, pagination, views
from web import uploads as received
from web.schemas import files as schemas

blp = multipart.Blueprint("files", __name__, url_prefix="/api/organizations/<int:org_id>/files",
                description="Files on the NAS (designs, mockups, print files, gang sheets...)")


@blp.route("/search", methods=["GET"])  # the deployment guide's paths
@blp.route("/upload", methods=["POST"])
@blp.route("/")
class Files(MethodView):
    @auth.required()
    @blp.arguments(schemas.FileQueryArgsSchema, location="query")
    @blp.response(200, schemas.FileSchema(many=True))
    @blp.paginate()
    def get(self, args, org_id, pagination_parameters):
        """Search files by type, name, tags, date range, DPI and status."""
        return pagination.page(db.get_session(), files.search(args), pagination_parameters)

    @auth.required("operator")
    @blp.arguments(schemas.FileUploadSchema, location=multipart.LOCATION)
    @blp.response(201, schemas.FileUploadResultSchema)
    @blp.alt_response(200, schema=schemas.FileUploadResultSchema,
                      description="Identical content already stored: the existing file (duplicate=true)")
    def post(self, form, org_id):
        """Upload a file (multipart: `file`, `file_type`, optional `tags`, `shop_id`, `allow_duplicate`)."""
        part = form.pop("file")
        row, duplicate = uploads.upload(db.get_session(), views.settings(), org_id=org_id,
                                        user_id=auth.current_user().id, path=received.spooled_path(part),
                                        original_filename=part.filename, form=form)
        return {"file": row, "duplicate": duplicate}, (200 if duplicate else 201)


@blp.route("/<int:file_id>")
class File(MethodView):
    @auth.required()
    @blp.response(200, schemas.FileSchema)
    def get(self, org_id, file_id):
        """One file."""
        return files.get(db.get_session(), file_id)

    @auth.required("operator")
    @blp.arguments(schemas.FileUpdateSchema)
    @blp.response(200, schemas.FileSchema)
    def patch(self, data, org_id, file_id):
        """Rename, retag, archive/restore, or move to another file type (the stored object moves too)."""
        return files.update(db.get_session(), views.settings(), file_id, data)

    put = patch  # the deployment guide's clients update with PUT

    @auth.required("operator")
    @blp.response(204)
    def delete(self, org_id, file_id):
        """Delete the file: the stored object and the row go together."""
        files.delete(db.get_session(), views.settings(), file_id)


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
        return downloads.send(views.settings(), files.get(db.get_session(), file_id))


@blp.route("/<int:file_id>/thumbnail")
class Thumbnail(MethodView):
    @auth.required()
    @blp.arguments(schemas.ThumbnailArgsSchema, location="query")
    @blp.response(200, content_type="image/webp",
                  description="A WebP preview, at most `size` px (default 320) on its long side")
    def get(self, args, org_id, file_id):
        """A small preview of an image file (cached per size)."""
        row, data = files.thumbnail(db.get_session(), views.settings(), file_id, args["size"])
        return Response(data, mimetype="image/webp", headers={"ETag": f'"thumb-{args["size"]}-{row.sha256}"',
                                                              "Cache-Control": "private, max-age=86400"})


@blp.route("/stats/storage")
class StorageStats(MethodView):
    @auth.required()
    @blp.response(200, schemas.StorageStatsSchema)
    def get(self, org_id):
        """Bytes and counts per type and per shop, the total, and free space on the storage when it can tell."""
        return files.storage_stats(db.get_session(), views.settings())
