"""Flask CLI admin commands: organizations, users, feature flags, passwords."""
from __future__ import annotations

from typing import NoReturn

import click
from flask import Flask
from sqlalchemy import select
from sqlalchemy.orm import Session

from models import audit, db, errors, tenancy
from models import organization as org_model
from models import user as user_model
from services import accounts, library_import, organizations

orgs = click.Group("orgs", help="Manage organizations.")
users = click.Group("users", help="Manage users.")
features = click.Group("features", help="Manage organization feature flags.")
library = click.Group("library", help="The existing NAS library.")
CLI = audit.Actor(source="cli")


def register(app: Flask) -> None:
    """Attach the command groups to `flask`."""
    for group in (orgs, users, features, library):
        app.cli.add_command(group)


def _fail(message: str) -> NoReturn:
    db.get_session().rollback()
    raise click.ClickException(message)


def _org(session: Session, ref: str) -> org_model.Organization:
    stmt = select(org_model.Organization)
    stmt = stmt.where(org_model.Organization.id == int(ref)) if ref.isdigit() else stmt.where(
        org_model.Organization.shop_name == ref)
    org = session.scalar(stmt)
    if org is None:
        _fail(f"No organization {ref!r} (give an id or a shop_name)")
    return org


@orgs.command("create")
@click.option("--name", required=True, help="Display name.")
@click.option("--shop-name", help="Unique slug naming the NAS folder (derived from the name if omitted).")
def create_org(name: str, shop_name: str | None) -> None:
    """Create an organization."""
    session = db.get_session()
    try:
        org = organizations.create(session, name=name, shop_name=shop_name)
    except errors.DomainError as exc:
        _fail(exc.message)
    with tenancy.org_scope(org.id), audit.acting_as(CLI):
        organizations.record_created(session, org, ("name",))
        session.commit()
    click.echo(f"Created organization {org.id} ({org.shop_name})")


@orgs.command("list")
@click.option("--all", "include_inactive", is_flag=True, help="Include deactivated organizations.")
def list_orgs(include_inactive: bool) -> None:
    """List organizations."""
    stmt = select(org_model.Organization).order_by(org_model.Organization.id)
    if not include_inactive:
        stmt = stmt.where(org_model.Organization.is_active.is_(True))
    for org in db.get_session().scalars(stmt):
        click.echo(f"{org.id}\t{org.shop_name}\t{org.name}\t{'active' if org.is_active else 'inactive'}")


@users.command("create")
@click.option("--org", "org_ref", required=True, help="Organization id or shop_name.")
@click.option("--email", required=True)
@click.option("--password", prompt=True, hide_input=True, confirmation_prompt=True)
@click.option("--role", type=click.Choice(user_model.ROLES), default="viewer", show_default=True)
@click.option("--superuser", is_flag=True, help="May manage every organization.")
def create_user(org_ref: str, email: str, password: str, role: str, superuser: bool) -> None:
    """Create a user in an organization."""
    if len(password) < 10:
        _fail("Password must be at least 10 characters")
    if "@" not in email:
        _fail(f"Not an email address: {email!r}")
    session = db.get_session()
    org = _org(session, org_ref)
    with tenancy.org_scope(org.id), audit.acting_as(CLI):
        try:
            user = accounts.create_user(session, org_id=org.id, email=email, password=password, role=role,
                                        is_superuser=superuser)
        except errors.DomainError as exc:
            _fail(exc.message)
        session.commit()
    click.echo(f"Created user {user.id} <{user.email}> as {role}{' (superuser)' if superuser else ''}")


@users.command("reset-password")
@click.option("--email", required=True)
@click.option("--password", prompt=True, hide_input=True, confirmation_prompt=True)
def reset_password(email: str, password: str) -> None:
    """Set a new password, unlock the account and revoke its refresh tokens."""
    if len(password) < 10:
        _fail("Password must be at least 10 characters")
    session = db.get_session()
    found = accounts.find_for_login(session, email)
    if found is None:
        _fail(f"No user with email {email!r}")
    user = found[0]
    with tenancy.org_scope(user.org_id), audit.acting_as(CLI):
        accounts.reset_password(session, user, password)
        session.commit()
    click.echo(f"Password reset for {user.email}")


@features.command("set")
@click.option("--org", "org_ref", required=True, help="Organization id or shop_name.")
@click.argument("name")
@click.argument("value", type=click.Choice(["on", "off"]))
def set_feature(org_ref: str, name: str, value: str) -> None:
    """Turn a feature flag on or off."""
    if name not in org_model.FEATURE_DEFAULTS:
        _fail(f"Unknown feature {name!r}; known: {', '.join(sorted(org_model.FEATURE_DEFAULTS))}")
    session = db.get_session()
    org = _org(session, org_ref)
    with tenancy.org_scope(org.id), audit.acting_as(CLI):
        organizations.set_features(session, org.id, {name: value == "on"})
        session.commit()
    click.echo(f"{org.shop_name}: {name} = {value}")


@library.command("import")
@click.option("--org", "org_ref", required=True, help="Organization id or shop_name.")
@click.option("--file-type", "file_types", multiple=True, default=("designs",), show_default=True,
              type=click.Choice(library_import.FILE_TYPES), help="Folder to import (repeatable).")
@click.option("--run", "run_now", is_flag=True, help="Run the import here instead of queueing it for a worker.")
def import_library(org_ref: str, file_types: tuple[str, ...], run_now: bool) -> None:
    """Register the files already under the organization's NAS folder (nothing is moved or copied)."""
    session = db.get_session()
    org = _org(session, org_ref)
    with tenancy.org_scope(org.id), audit.acting_as(CLI):
        try:
            job = library_import.start(session, list(file_types), None)
        except errors.DomainError as exc:
            _fail(exc.message)
        session.commit()
        job_id = job.id
    click.echo(f"Queued import job {job_id} of {org.folder}/{{{','.join(file_types)}}}")
    if run_now:
        from jobs import runner

        click.echo(f"Import job {job_id}: {runner.execute(org.id, job_id)}")
