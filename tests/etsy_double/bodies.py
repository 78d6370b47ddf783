"""Request bodies checked against the spec as Etsy does: the declared media type, no unknown fields, typed values."""
from __future__ import annotations

import functools
from collections.abc import Mapping
from typing import Any

import jsonschema
from werkzeug.wrappers import Request

from tests.etsy_double import spec


class BodyError(ValueError):
    """A body Etsy would refuse with 400; the message is Etsy's error text."""


def _declared(operation_id: str) -> tuple[str, dict[str, Any]]:
    content = spec.operations()[operation_id].request_body["content"]
    media = next(iter(content))
    return media, content[media]["schema"]


def form(request: Request, operation_id: str) -> dict[str, Any]:
    """Typed fields of a form-encoded or multipart body (files excluded); BodyError like Etsy's 400."""
    media, schema = _declared(operation_id)
    if request.mimetype != media:
        raise BodyError(f"Expected a {media} body, got {request.mimetype or 'none'}")
    properties = schema.get("properties", {})
    fields = request.form
    unknown = sorted(set(fields) - set(properties))
    if unknown:
        raise BodyError(f"Unexpected parameter(s): {', '.join(unknown)}")
    missing = [name for name in schema.get("required", []) if name not in fields]
    if missing:
        raise BodyError(f"Missing required parameter(s): {', '.join(missing)}")
    try:
        return {name: spec.parse_value(name, properties[name], fields.getlist(name)) for name in fields}
    except spec.ParameterError as exc:
        raise BodyError(str(exc)) from None


def json_body(request: Request, operation_id: str) -> dict[str, Any]:
    """A JSON body valid against the operation's request schema (objects closed, as Etsy refuses unknown keys)."""
    media, _ = _declared(operation_id)
    if request.mimetype != media:
        raise BodyError(f"Expected a {media} body, got {request.mimetype or 'none'}")
    body = request.get_json(silent=True)
    if not isinstance(body, dict):
        raise BodyError("The body is not a JSON object")
    error = next(iter(sorted(_validator(operation_id).iter_errors(body), key=lambda e: list(map(str, e.path)))), None)
    if error is not None:
        where = "/".join(str(p) for p in error.absolute_path)
        raise BodyError(f"Invalid value at /{where}: {error.message}")
    return body


@functools.cache
def _validator(operation_id: str) -> jsonschema.protocols.Validator:
    _, schema = _declared(operation_id)
    return jsonschema.Draft202012Validator(_closed(spec.to_json_schema(schema, strict=False)))


def _closed(node: Any) -> Any:
    """Every object schema with declared properties refuses others."""
    if isinstance(node, list):
        return [_closed(n) for n in node]
    if not isinstance(node, Mapping):
        return node
    out = {key: _closed(value) for key, value in node.items()}
    if "properties" in out and out.get("type", "object") == "object":
        out.setdefault("additionalProperties", False)
    return out
