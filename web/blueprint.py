"""The API's blueprint: flask-smorest's, with each argument schema made once instead of on every request."""
from __future__ import annotations

from typing import Any

import flask_smorest
import marshmallow as ma
from flask_smorest.pagination import PaginationMetadataSchema
from webargs import flaskparser


class Parser(flaskparser.FlaskParser):
    """webargs' Flask parser keeping one instance per schema class (webargs makes one per request; loading with a
    shared instance is safe: a load keeps its state in its own call)."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self._schemas: dict[type, ma.Schema] = {}

    def _get_schema(self, argmap: Any, req: Any) -> ma.Schema:
        if isinstance(argmap, type) and issubclass(argmap, ma.Schema):
            schema = self._schemas.get(argmap)
            if schema is None:
                schema = self._schemas.setdefault(argmap, argmap())
            return schema
        return super()._get_schema(argmap, req)


_PAGINATION_METADATA = PaginationMetadataSchema()


class Blueprint(flask_smorest.Blueprint):
    """Every API blueprint's class."""

    ARGUMENTS_PARSER = Parser()
    PAGINATION_ARGUMENTS_PARSER = Parser()

    @staticmethod
    def _make_pagination_metadata(page: int, page_size: int, item_count: int) -> Any:
        """flask-smorest's X-Pagination header, dumped with one shared schema."""
        metadata: dict[str, int] = {"total": item_count}
        if item_count == 0:
            metadata["total_pages"] = 0
        else:
            last_page = (item_count - 1) // page_size + 1
            metadata.update(total_pages=last_page, first_page=1, last_page=last_page)
            if page <= last_page:
                metadata["page"] = page
                if page > 1:
                    metadata["previous_page"] = page - 1
                if page < last_page:
                    metadata["next_page"] = page + 1
        return _PAGINATION_METADATA.dump(metadata)
