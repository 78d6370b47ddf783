"""List pages whose JSON PostgreSQL writes: no model object, schema dump or JSON encoding per row in Python.

The events list is the API's busiest list (a console or an integration polls it, 50 rows a page); building its rows
in Python cost more than the rest of the request together. `columns(schema, model)` turns a response schema into one
`json_build_object` per row, from the schema's own fields, so the shape stays the schema's:
- Integer and String fields are their integer and text columns, Dict fields their json(b) columns (as stored);
- DateTime fields (of timestamptz columns) are written like Python's `isoformat()` of the value psycopg returns
  (the session's time zone, microseconds only when there are any).
Any other field, or a column of another type, is refused when the columns are built (ValueError), at import time in
the views.
The JSON is the same as the schema's dump, key for key and value for value (tests/web/test_rowjson.py); only the
order of keys, the spaces PostgreSQL puts around `:` and `,`, and the escaping of non-ASCII text differ, none of which
JSON gives a meaning to.
"""
from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import flask
import marshmallow
from marshmallow import fields
from sqlalchemy import Text, case, cast, func
from sqlalchemy import types as sa_types
from sqlalchemy.sql.elements import ColumnElement

JSON_LABEL = "row_json"
# The fields written as their column's own value, and the column types they need for the schema's result.
_COLUMN_FIELDS: dict[type, type] = {fields.Integer: sa_types.Integer, fields.String: sa_types.String,
                                    fields.Dict: sa_types.JSON}


def columns(schema: marshmallow.Schema, model: Any, *extra: Any) -> tuple[Any, ...]:
    """The columns of a page: each row's JSON (as text, labelled JSON_LABEL), then `extra` (e.g. a cursor's keys)."""
    pairs: list[Any] = []
    for name, field in sorted(schema.dump_fields.items(), key=lambda item: item[1].data_key or item[0]):
        pairs += [field.data_key or name, _value(model, name, field)]
    return (cast(func.json_build_object(*pairs), Text).label(JSON_LABEL), *extra)


def response(rows: Sequence[Any]) -> flask.Response:
    """The JSON array of the rows' JSON, as a response flask-smorest passes on (its pagination header is added)."""
    return flask.Response("[" + ",".join(getattr(row, JSON_LABEL) for row in rows) + "]", mimetype="application/json")


def _value(model: Any, name: str, field: fields.Field) -> ColumnElement:
    column = getattr(model, field.attribute or name, None)
    kind = type(field)
    if column is None or "." in (field.attribute or name) or not hasattr(column, "type"):
        raise ValueError(f"{name}: not a column of {model.__name__}")
    if kind in _COLUMN_FIELDS and isinstance(column.type, _COLUMN_FIELDS[kind]) \
            and not getattr(field, "as_string", False) \
            and not (kind is fields.Dict and (field.key_field or field.value_field)):
        return column
    if kind is fields.DateTime and field.format in (None, "iso", "iso8601") \
            and isinstance(column.type, sa_types.DateTime) and column.type.timezone:
        return _isoformat(column)
    raise ValueError(f"{name}: a {kind.__name__} field of a {column.type} column is not written by PostgreSQL here")


def _isoformat(column: Any) -> ColumnElement:
    """A timestamptz as Python's isoformat() gives it: 2026-11-30T20:56:43.684058+00:00, no fraction when zero."""
    micro = func.to_char(column, "US")
    return (func.to_char(column, 'YYYY-MM-DD"T"HH24:MI:SS')
            + case((micro == "000000", ""), else_="." + micro)
            + func.to_char(column, "TZH:TZM"))
