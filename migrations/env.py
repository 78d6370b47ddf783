"""Alembic environment: our models' metadata; procrastinate's own objects are left alone."""
from __future__ import annotations

from logging.config import fileConfig

from alembic import context
from sqlalchemy import create_engine, pool

import config
import models
from models import base

alembic_config = context.config
if alembic_config.config_file_name is not None and alembic_config.attributes.get("configure_logger", True):
    fileConfig(alembic_config.config_file_name, disable_existing_loggers=False)

target_metadata = base.Base.metadata
assert models  # imported for its side effect of registering every model


def include_object(obj, name, type_, reflected, compare_to) -> bool:
    """Skip procrastinate's tables: its vendored SQL owns them."""
    if type_ == "table" and name and name.startswith("procrastinate_"):
        return False
    return True


def _url() -> str:
    return alembic_config.attributes.get("url") or config.get_settings().sqlalchemy_url


def run_migrations_offline() -> None:
    context.configure(url=_url(), target_metadata=target_metadata, literal_binds=True, include_object=include_object)
    with context.begin_transaction():
        context.run_migrations()


def run_migrations_online() -> None:
    connection = alembic_config.attributes.get("connection")
    if connection is not None:
        _run(connection)
        return
    engine = create_engine(_url(), poolclass=pool.NullPool)
    with engine.connect() as conn:
        _run(conn)


def _run(connection) -> None:
    context.configure(connection=connection, target_metadata=target_metadata, include_object=include_object,
                      compare_type=True, compare_server_default=True)
    with context.begin_transaction():
        context.run_migrations()


if context.is_offline_mode():
    run_migrations_offline()
else:
    run_migrations_online()
