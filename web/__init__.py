"""The Flask application: create_app() binds the extensions and registers every blueprint."""
from __future__ import annotations

import logging

from flask import Flask, send_from_directory
from swagger_ui_bundle import swagger_ui_path

import config
from models import db
from prepress import imagelimits
from services import uploads as services_uploads
from web import cli, console, errors, extensions, json_provider, observability, openapi, uploads
from web.api import auth as auth_api
from web.api import (
    design_mappings,
    events,
    files,
    gang_sheets,
    health,
    insights,
    library,
    listing_drafts,
    members,
    mockup_templates,
    orders,
    organizations,
    print_jobs,
    printer_sends,
    printers,
    shipments,
    shops,
    templates,
)

BLUEPRINTS = (health.blp, auth_api.blp, organizations.blp, members.blp, events.blp, files.blp, templates.blp,
              print_jobs.blp, printers.blp, printer_sends.blp, gang_sheets.blp, mockup_templates.blp, shops.blp,
              shops.callback_blp,
              orders.blp, design_mappings.blp, listing_drafts.blp,
              shipments.blp, library.blp, insights.blp)


def create_app(settings: config.Settings | None = None) -> Flask:
    """A configured app; `settings` defaults to the environment's."""
    settings = settings or config.get_settings()
    logging.basicConfig(level=settings.log_level, format="%(asctime)s %(levelname)s %(name)s %(message)s")
    app = Flask(__name__)
    app.request_class = uploads.UploadRequest
    app.json = json_provider.NumbersJSONProvider(app)
    app.config.update(
        API_TITLE="Etsy Seller Automater",
        API_VERSION="1.0",
        OPENAPI_VERSION="3.0.3",
        OPENAPI_URL_PREFIX="/api",
        OPENAPI_JSON_PATH="openapi.json",
        OPENAPI_SWAGGER_UI_PATH="/docs",
        OPENAPI_SWAGGER_UI_URL="/api/docs/assets/",
        API_SPEC_OPTIONS=openapi.SPEC_OPTIONS,
        # Room for the multipart envelope around the largest allowed file.
        MAX_CONTENT_LENGTH=settings.max_upload_bytes + 1024 * 1024,
        MAX_FORM_MEMORY_SIZE=settings.max_json_bytes,
        JSON_SORT_KEYS=False,
    )
    app.extensions["esa_settings"] = settings
    # The one image-size policy (uploads capped by MAX_IMAGE_MEGAPIXELS), also what Pillow refuses above.
    imagelimits.configure(settings.max_image_pixels)
    db.engine(settings)
    # A web worker killed mid-upload leaves its spool file; the worker gunicorn starts in its place sweeps them.
    services_uploads.sweep_temp(settings.upload_temp_max_age_seconds)
    extensions.api.init_app(app)
    if settings.frontend_url:
        extensions.cors.init_app(app, origins=[settings.frontend_url], expose_headers=["X-Pagination",
                                                                                     "X-Next-Cursor", "X-Request-ID"])
    for blueprint in BLUEPRINTS:
        extensions.api.register_blueprint(blueprint)
    openapi.document_errors(extensions.api)
    openapi.document_job_params(extensions.api)
    openapi.document_features(extensions.api)
    errors.register(app)
    console.register(app)
    observability.register(app)
    app.before_request(json_provider.check_request_body)
    cli.register(app)

    @app.route("/api/docs/assets/<path:filename>")
    def swagger_assets(filename: str):
        return send_from_directory(swagger_ui_path, filename, max_age=86400)

    @app.teardown_appcontext
    def _remove_session(exc: BaseException | None) -> None:
        db.session.remove()

    return app
