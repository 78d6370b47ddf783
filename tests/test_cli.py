"""Flask CLI admin commands."""
from __future__ import annotations

from sqlalchemy import select

from models import organization as org_model
from models import tenancy
from models import user as user_model
from services import organizations


def _run(app, *args: str, input: str | None = None):
    return app.test_cli_runner().invoke(args=list(args), input=input)


def test_create_org_user_list_feature_and_reset(app, session):
    result = _run(app, "orgs", "create", "--name", "CLI Shop", "--shop-name", "cli-shop")
    assert result.exit_code == 0, result.output
    assert "cli-shop" in _run(app, "orgs", "list").output
    result = _run(app, "users", "create", "--org", "cli-shop", "--email", "Admin@Example.com",
                  "--password", "long-enough-pw", "--role", "owner", "--superuser")
    assert result.exit_code == 0, result.output
    org = session.scalar(select(org_model.Organization).where(org_model.Organization.shop_name == "cli-shop"))
    with tenancy.org_scope(org.id):
        user = session.scalar(select(user_model.User))
        assert user.email == "admin@example.com" and user.is_superuser and user.role == "owner"
        version = user.token_version
    assert _run(app, "features", "set", "--org", str(org.id), "analytics", "off").exit_code == 0
    with tenancy.org_scope(org.id):
        assert organizations.features(session, org.id)["analytics"] is False
    result = _run(app, "users", "reset-password", "--email", "admin@example.com", "--password", "another-long-pw")
    assert result.exit_code == 0, result.output
    session.expire_all()
    with tenancy.org_scope(org.id):
        assert session.get(user_model.User, user.id).token_version == version + 1


def test_bad_input_exits_non_zero_with_a_message(app, session):
    cases = [
        (("orgs", "create", "--name", "Dup", "--shop-name", "dup-shop"), 0),
        (("orgs", "create", "--name", "Dup", "--shop-name", "dup-shop"), 1),
        (("users", "create", "--org", "nowhere", "--email", "a@b.co", "--password", "long-enough-pw"), 1),
        (("users", "create", "--org", "dup-shop", "--email", "a@b.co", "--password", "short"), 1),
        (("users", "create", "--org", "dup-shop", "--email", "a@b.co", "--password", "long-enough-pw",
          "--role", "king"), 2),
        (("features", "set", "--org", "dup-shop", "teleport", "on"), 1),
        (("users", "reset-password", "--email", "ghost@example.com", "--password", "long-enough-pw"), 1),
    ]
    for args, code in cases:
        result = _run(app, *args)
        assert result.exit_code == code, (args, result.output)
        if code:
            assert result.output.strip(), args


def test_every_command_has_help(app, session):
    for group, command in (("orgs", "create"), ("orgs", "list"), ("users", "create"), ("users", "reset-password"),
                           ("features", "set")):
        result = _run(app, group, command, "--help")
        assert result.exit_code == 0 and "Usage" in result.output


def test_library_import_is_queued_for_the_organizations_folder(app, session):
    assert _run(app, "orgs", "create", "--name", "CLI Library", "--shop-name", "cli-library").exit_code == 0
    result = _run(app, "library", "import", "--org", "cli-library", "--file-type", "designs",
                  "--file-type", "mockups")
    assert result.exit_code == 0, result.output
    assert "cli-library/{designs,mockups}" in result.output
    org = session.scalar(select(org_model.Organization).where(org_model.Organization.shop_name == "cli-library"))
    from models import print_job as job_model

    with tenancy.org_scope(org.id):
        job = session.scalar(select(job_model.PrintJob))
        assert job.job_type == "imports" and job.params == {"file_types": ["designs", "mockups"]}
    again = _run(app, "library", "import", "--org", "cli-library")
    assert again.exit_code != 0 and "already queued" in again.output
