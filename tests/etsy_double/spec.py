"""Etsy's published OpenAPI 3.0 document as the double's contract: operations, parameter checks, response schemas."""
from __future__ import annotations

import dataclasses
import functools
import json
from collections.abc import Mapping
from pathlib import Path
from typing import Any

import jsonschema

ROOT = Path(__file__).resolve().parents[2]
SPEC = ROOT / "etsy" / "spec" / "openapi-3.0.0.json"
KEEP = {"type", "enum", "format", "minimum", "maximum", "minLength", "maxLength", "pattern", "minItems", "maxItems",
        "uniqueItems", "required", "default", "multipleOf", "minProperties", "maxProperties"}
# Association fields that Etsy only fills when `includes` asks for them; every other declared field is required.
OPTIONAL = {
    "ShopListingWithAssociations": {"shipping_profile", "user", "shop", "images", "videos", "inventory",
                                    "translations"},
    "Self": {"shop_id"},
}


class ParameterError(ValueError):
    """A request parameter the spec does not allow."""


def spec_path() -> Path:
    """Where Etsy's spec lives: kept in the repository under etsy/spec/."""
    return SPEC


@functools.cache
def document() -> dict[str, Any]:
    """The parsed spec (read once per process)."""
    return json.loads(spec_path().read_text())


def to_json_schema(node: Mapping[str, Any], strict: bool = True, name: str | None = None) -> dict[str, Any]:
    """An OpenAPI 3.0 schema object as JSON Schema; strict closes objects and requires every declared property."""
    if "$ref" in node:
        return {"$ref": "#/$defs/" + node["$ref"].rsplit("/", 1)[-1]}
    out: dict[str, Any] = {k: v for k, v in node.items() if k in KEEP}
    if "properties" in node:
        out["properties"] = {key: to_json_schema(sub, strict) for key, sub in node["properties"].items()}
    for key in ("items", "not"):
        if isinstance(node.get(key), Mapping):
            out[key] = to_json_schema(node[key], strict)
    if isinstance(node.get("additionalProperties"), Mapping):
        out["additionalProperties"] = to_json_schema(node["additionalProperties"], strict)
    elif "additionalProperties" in node:
        out["additionalProperties"] = node["additionalProperties"]
    for key in ("allOf", "oneOf", "anyOf"):
        if key in node:
            out[key] = [to_json_schema(sub, strict) for sub in node[key]]
    if node.get("exclusiveMinimum") is True and "minimum" in out:
        out["exclusiveMinimum"] = out.pop("minimum")
    if node.get("exclusiveMaximum") is True and "maximum" in out:
        out["exclusiveMaximum"] = out.pop("maximum")
    if strict and "properties" in out and out.get("type", "object") == "object":
        out.setdefault("additionalProperties", False)
        optional = OPTIONAL.get(name or "", set())
        out["required"] = sorted(set(out.get("required", [])) | (set(out["properties"]) - optional))
    if node.get("nullable"):
        if isinstance(out.get("type"), str):
            out["type"] = [out["type"], "null"]
            if "enum" in out:
                out["enum"] = list(out["enum"]) + [None]
        else:
            out = {"anyOf": [{"type": "null"}, out]}
    return out


@functools.cache
def definitions(strict: bool = True) -> dict[str, Any]:
    """Every components/schemas entry, converted."""
    schemas = document()["components"]["schemas"]
    return {name: to_json_schema(schema, strict, name) for name, schema in schemas.items()}


def validator(schema: Mapping[str, Any], strict: bool = True) -> jsonschema.protocols.Validator:
    """A Draft 2020-12 validator for an OpenAPI schema object, its $refs resolved against the spec's components."""
    root = dict(to_json_schema(schema, strict))
    root["$defs"] = definitions(strict)
    return jsonschema.Draft202012Validator(root)


@dataclasses.dataclass(frozen=True)
class Operation:
    """One operation of the spec."""

    operation_id: str
    method: str
    path: str
    parameters: tuple[dict[str, Any], ...]
    responses: dict[str, Any]
    security: tuple[dict[str, list[str]], ...]
    request_body: dict[str, Any] | None

    @property
    def scopes(self) -> set[str] | None:
        """The OAuth scopes the operation needs, or None when an API key alone is enough."""
        needs = [req["oauth2"] for req in self.security if "oauth2" in req]
        return set(needs[0]) if needs else None

    def response_validator(self, status: int) -> jsonschema.protocols.Validator | None:
        """The validator of this status's JSON body; errors without a declared schema use ErrorSchema."""
        return _response_validator(self.operation_id, status)

    def parse(self, location: str, raw: Mapping[str, list[str]], strict: bool = True) -> dict[str, Any]:
        """Typed values of the `location` ("path"/"query") parameters; ParameterError like Etsy's 400."""
        declared = {p["name"]: p for p in self.parameters if p["in"] == location}
        if strict:
            unknown = sorted(set(raw) - set(declared))
            if unknown:
                raise ParameterError(f"Unexpected parameter(s): {', '.join(unknown)}")
        values: dict[str, Any] = {}
        for name, param in declared.items():
            if name not in raw or raw[name] == [""] and location == "query":
                if param.get("required"):
                    raise ParameterError(f"Missing required parameter: {name}")
                continue
            values[name] = parse_value(name, param["schema"], raw[name])
        return values


def parse_value(name: str, schema: Mapping[str, Any], raw: list[str]) -> Any:
    """Coerce query/form strings to the schema's type and check enums and ranges."""
    kind = schema.get("type")
    if kind == "array":
        items = [part for value in raw for part in value.split(",") if part != ""]
        value: Any = [_scalar(name, schema.get("items", {}), item) for item in items]
    else:
        value = _scalar(name, schema, raw[-1])
    errors = sorted(jsonschema.Draft202012Validator(to_json_schema(schema, strict=False)).iter_errors(value),
                    key=str)
    if errors:
        raise ParameterError(f"Invalid value for '{name}': {errors[0].message}")
    return value


def _scalar(name: str, schema: Mapping[str, Any], raw: str) -> Any:
    kind = schema.get("type")
    try:
        if kind == "integer":
            return int(raw)
        if kind == "number":
            return float(raw)
    except ValueError:
        raise ParameterError(f"Expected {kind} for '{name}', got {raw!r}") from None
    if kind == "boolean":
        if raw.lower() in ("true", "1"):
            return True
        if raw.lower() in ("false", "0"):
            return False
        raise ParameterError(f"Expected boolean for '{name}', got {raw!r}")
    return raw


@functools.cache
def operations() -> dict[str, Operation]:
    """Every operation of the spec, by operationId."""
    doc = document()
    found = {}
    for path, item in doc["paths"].items():
        shared = item.get("parameters", [])
        for method, op in item.items():
            if not isinstance(op, dict) or "operationId" not in op:
                continue
            found[op["operationId"]] = Operation(
                op["operationId"], method.upper(), path, tuple(shared) + tuple(op.get("parameters", [])),
                op.get("responses", {}), tuple(op.get("security", doc.get("security", []))), op.get("requestBody"))
    return found


@functools.cache
def _response_validator(operation_id: str, status: int) -> jsonschema.protocols.Validator | None:
    declared = operations()[operation_id].responses.get(str(status))
    if declared is None:
        if status < 400:
            raise KeyError(f"{operation_id} does not declare a {status} response")
        declared = {"content": {"application/json": {"schema": {"$ref": "#/components/schemas/ErrorSchema"}}}}
    schema = declared.get("content", {}).get("application/json", {}).get("schema")
    return validator(schema) if schema is not None else None
