"""Feature flag gates on views: a turned-off flag answers 403 naming it; gated operations say so in OpenAPI."""
from __future__ import annotations

import copy
import functools
from collections.abc import Callable
from typing import Any

from models import db
from services import features

DOC_KEY = "x-feature-flags"


def required(name: str) -> Callable:
    """Refuse the view while the organization has `name` off; goes under auth.required, which sets the org."""
    if name not in features.MEANINGS:
        raise ValueError(f"unknown feature flag {name}")

    def decorate(view: Callable) -> Callable:
        @functools.wraps(view)
        def wrapper(*args: Any, **kwargs: Any) -> Any:
            features.require(db.get_session(), name)
            return view(*args, **kwargs)

        # flask-smorest merges `manual_doc` into the operation; web/openapi turns the marker into prose.
        apidoc = copy.deepcopy(getattr(view, "_apidoc", {}))
        manual = apidoc.setdefault("manual_doc", {})
        manual[DOC_KEY] = [*manual.get(DOC_KEY, []), name]
        wrapper._apidoc = apidoc  # type: ignore[attr-defined]
        return wrapper

    return decorate
