"""The app's JSON encoding: decimals are JSON numbers (Flask's default writes them as strings)."""
from __future__ import annotations

import decimal
from typing import Any

from flask.json import provider


class NumbersJSONProvider(provider.DefaultJSONProvider):
    """Flask's JSON provider, with Decimal written as a number (money, lengths, and the OpenAPI document's limits)."""

    @staticmethod
    def default(o: Any) -> Any:
        """A JSON-encodable stand-in for `o`."""
        if isinstance(o, decimal.Decimal):
            # Integral values stay exact integers (sums of bigint columns come back as Decimal).
            return int(o) if o == o.to_integral_value() else float(o)
        return provider.DefaultJSONProvider.default(o)
