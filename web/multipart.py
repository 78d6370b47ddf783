"""Multipart bodies as one OpenAPI 3 request body: the form fields and the file parts in one schema."""
from __future__ import annotations

from typing import Any

import flask
import flask_smorest
from marshmallow import Schema
from webargs import flaskparser
from werkzeug.datastructures import CombinedMultiDict, MultiDict

from web import blueprint

LOCATION = "multipart"


class Parser(blueprint.Parser):
    """webargs' Flask parser with a `multipart` location that reads form fields and file parts together."""

    __location_map__ = {**flaskparser.FlaskParser.__location_map__, LOCATION: "load_multipart"}

    def load_multipart(self, req: flask.Request, schema: Schema) -> Any:
        """The body's form fields and files, as one multidict; a blank field counts as not given."""
        # Browsers, and Swagger UI's "Try it out", send every field of a form, the ones left blank as "".
        given = MultiDict([(key, value) for key, value in req.form.items(multi=True) if value != ""])
        return self._makeproxy(CombinedMultiDict([given, req.files]), schema)


class Blueprint(blueprint.Blueprint):
    """A blueprint whose `location="multipart"` arguments document as a multipart/form-data request body.

    flask-smorest documents `form` arguments as `in: formData` parameters, which OpenAPI 3 does not have: Swagger UI
    then sends only the file part, and every other field goes missing.
    """

    ARGUMENTS_PARSER = Parser()
    DEFAULT_LOCATION_CONTENT_TYPE_MAPPING = {**flask_smorest.Blueprint.DEFAULT_LOCATION_CONTENT_TYPE_MAPPING,
                                             LOCATION: "multipart/form-data"}
