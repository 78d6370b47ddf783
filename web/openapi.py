"""OpenAPI details: the bearer scheme and the error responses every operation can give."""
from __future__ import annotations

import warnings

from flask_smorest import Api

from models import organization as org_model
from services import features, job_types
from web import features as feature_gates

_FLAGS = "\n".join(f"- `{name}` (default {'on' if org_model.FEATURE_DEFAULTS[name] else 'off'}): {meaning}"
                   for name, meaning in features.MEANINGS.items())
SPEC_OPTIONS = {
    "components": {"securitySchemes": {
        "bearerAuth": {"type": "http", "scheme": "bearer", "bearerFormat": "JWT"},
        "metricsToken": {"type": "http", "scheme": "bearer", "description": "METRICS_TOKEN, when it is set"},
    }},
    "security": [{"bearerAuth": []}],
    "info": {"description": "Production backend for Etsy print shops. Every organization's data is isolated: "
                            "another organization's ids answer 404.\n\n"
                            "Feature flags (`GET/PUT /api/organizations/{org_id}/features`) turn parts of the API and "
                            "job types on or off per organization; a request for a part that is off answers 403 "
                            "with the flag in `errors.feature`. Gated operations list theirs in `x-feature-flags`.\n\n"
                            "Lists take `page` and `page_size` and answer an `X-Pagination` header. Its `total` is "
                            "exact up to 10,000 rows, on the last page, and for the unfiltered events list; past "
                            "10,000 rows of a filtered list it is the database's estimate.\n\n"
                            + _FLAGS},
}

_DESCRIPTIONS = {
    400: "Malformed request (e.g. invalid JSON)",
    401: "Missing, expired or invalid bearer token",
    403: "The caller's role does not allow this",
    404: "Not found, or not in the caller's organization",
    409: "Conflicts with the current state (duplicate, wrong status)",
    413: "Request body too large",
    422: "Invalid input; `errors` names each field",
    500: "Unexpected error",
    503: "A dependency (database, NAS) is unavailable",
}


def document_errors(api: Api) -> None:
    """Add the shared error responses to every operation the blueprints registered."""
    for path, operations in api.spec._paths.items():  # apispec keeps registered paths here
        for method, operation in operations.items():
            if method not in ("get", "post", "put", "patch", "delete"):
                continue
            # Public: no security, or an optional one (an empty requirement among them).
            public = operation.get("security") == [] or {} in operation.get("security", [None])
            codes = [400, 500, 503]
            if not public:
                codes += [401, 403]
            if "{" in path or not public:
                codes.append(404)
            if method in ("post", "put", "patch"):
                codes += [409, 413, 422]
            if method == "get" and operation.get("parameters"):
                codes.append(422)
            responses = operation.setdefault("responses", {})
            for code in codes:
                responses.setdefault(str(code), {
                    "description": _DESCRIPTIONS[code],
                    "content": {"application/json": {"schema": {"$ref": "#/components/schemas/Error"}}},
                })


def document_job_params(api: Api) -> None:
    """Publish each print job type's parameter schema, and say in the create body which goes with which type."""
    names = []
    for job_type in job_types.MODULES:
        name = "".join(part.title() for part in job_type.split("_")) + "JobParams"
        with warnings.catch_warnings():
            # The gang sheet layout preview already published the same schema class under its own name.
            warnings.simplefilter("ignore", UserWarning)
            api.spec.components.schema(name, schema=job_types.module(job_type).ParamsSchema)
        names.append((job_type, name))
    create = api.spec.components.schemas.get("PrintJobCreate")
    if create is not None:
        create["properties"]["params"]["description"] = "Parameters of the job type: " + ", ".join(
            f"{job_type} -> #/components/schemas/{name}" for job_type, name in names)
        create["properties"]["params"]["oneOf"] = [{"$ref": f"#/components/schemas/{name}"} for _, name in names]


def document_features(api: Api) -> None:
    """Publish the feature flags and their meaning, and say on each gated operation which flags it needs."""
    api.spec.components.schema("FeatureFlags", {
        "type": "object", "additionalProperties": False,
        "properties": {name: {"type": "boolean", "default": org_model.FEATURE_DEFAULTS[name], "description": meaning}
                       for name, meaning in features.MEANINGS.items()}})
    for name in ("Features", "FeaturesUpdate"):
        schema = api.spec.components.schemas.get(name)
        if schema is not None:
            schema["properties"]["features"] = {"$ref": "#/components/schemas/FeatureFlags"}
    for operations in api.spec._paths.values():  # apispec keeps registered paths here
        for operation in operations.values():
            flags = operation.get(feature_gates.DOC_KEY) if isinstance(operation, dict) else None
            if not flags:
                continue
            names = [f"`{flag}`" for flag in flags]
            operation["description"] = (operation.get("description", "") + "\n\nNeeds the feature flag "
                                        f"{' and '.join(names)}: 403 naming the flag while it is off.").strip()
            forbidden = operation["responses"].get("403")
            if forbidden is not None:
                forbidden["description"] += f", or the organization turned off {' or '.join(names)}"
    create = api.spec.components.schemas.get("PrintJobCreate")
    if create is not None:
        create["properties"]["job_type"]["description"] = "Each type needs its feature flag: " + ", ".join(
            f"{job_type} -> `{flag}`" for job_type, flag in features.JOB_TYPES.items())
