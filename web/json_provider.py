"""The app's JSON: decimals are JSON numbers (Flask writes them as strings), and request bodies are read strictly."""
from __future__ import annotations

import decimal
import json
from typing import Any

import flask
from flask.json import provider

MAX_DEPTH = 64
MAX_INT_DIGITS = 40


class NumbersJSONProvider(provider.DefaultJSONProvider):
    """Flask's JSON provider, with Decimal written as a number (money, lengths, and the OpenAPI document's limits)
    and bodies parsed by `strict_loads`."""

    @staticmethod
    def default(o: Any) -> Any:
        """A JSON-encodable stand-in for `o`."""
        if isinstance(o, decimal.Decimal):
            # Integral values stay exact integers (sums of bigint columns come back as Decimal).
            return int(o) if o == o.to_integral_value() else float(o)
        return provider.DefaultJSONProvider.default(o)

    def loads(self, s: str | bytes, **kwargs: Any) -> Any:
        """A request body (Flask answers 400 to the ValueError of a malformed one)."""
        return strict_loads(s)


def strict_loads(data: str | bytes) -> Any:
    """Parse JSON a database and the schemas can hold; ValueError for lone surrogates, nesting past MAX_DEPTH,
    integers of more than MAX_INT_DIGITS digits, NaN and infinities."""
    try:
        value = json.loads(data, parse_int=_int, parse_float=_float, parse_constant=_constant)
    except RecursionError:
        raise ValueError(f"JSON nested deeper than {MAX_DEPTH} levels") from None
    _check(value)
    return value


def _int(text: str) -> int:
    if len(text.lstrip("-")) > MAX_INT_DIGITS:
        raise ValueError(f"integer of more than {MAX_INT_DIGITS} digits")
    return int(text)


def _float(text: str) -> float:
    number = float(text)
    if number in (float("inf"), float("-inf")):
        raise ValueError("number out of range")
    return number


def _constant(text: str) -> float:
    raise ValueError(f"{text} is not a JSON number")


def _check(value: Any) -> None:
    # Iterative, so a deep document cannot exhaust the stack here either.
    stack = [(value, 1)]
    while stack:
        item, depth = stack.pop()
        if isinstance(item, str):
            _text(item)
        elif isinstance(item, (dict, list)):
            if depth > MAX_DEPTH:
                raise ValueError(f"JSON nested deeper than {MAX_DEPTH} levels")
            if isinstance(item, dict):
                for key in item:
                    _text(key)
                stack.extend((v, depth + 1) for v in item.values())
            else:
                stack.extend((v, depth + 1) for v in item)


def _text(text: str) -> None:
    try:
        text.encode("utf-8")
    except UnicodeEncodeError:
        raise ValueError("a string holds a lone surrogate (invalid Unicode)") from None


def check_request_body() -> None:
    """Read a JSON body once, before authentication and any view: a malformed one is a 400 on every endpoint."""
    request = flask.request
    if request.is_json and request.get_data(cache=True):
        request.get_json()
