"""Spec-complete blank objects: every declared property present, so the double's answers never miss a field."""
from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from tests.etsy_double import spec

Json = dict[str, Any]


def blank(schema: Mapping[str, Any], name: str | None = None) -> Any:
    """The plainest value the spec allows for `schema`, every declared property present (nulls where nullable)."""
    if "$ref" in schema:
        ref = schema["$ref"].rsplit("/", 1)[-1]
        return blank(spec.document()["components"]["schemas"][ref], ref)
    if schema.get("nullable"):
        return None
    if "allOf" in schema:
        return blank(schema["allOf"][0])
    kind = schema.get("type", "object")
    if kind == "object":
        skip = spec.OPTIONAL.get(name or "", set())
        return {key: blank(sub) for key, sub in schema.get("properties", {}).items() if key not in skip}
    if "enum" in schema:
        return schema["enum"][0]
    return {"integer": max(0, schema.get("minimum", 0)), "number": float(schema.get("minimum", 0)),
            "boolean": False, "array": [], "string": ""}[kind]


def template(name: str) -> Json:
    """A blank instance of components/schemas/`name`."""
    return blank({"$ref": f"#/components/schemas/{name}"})


def money(amount: int, currency: str = "USD") -> Json:
    """A Money object (amount in cents)."""
    return {"amount": amount, "divisor": 100, "currency_code": currency}
