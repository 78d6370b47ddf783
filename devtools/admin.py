"""The `flask` admin commands against the database `make run` uses: `make admin ARGS='orgs list'`.

    python -m devtools.admin orgs create --name "My Print Shop"
    python -m devtools.admin users create --org my-print-shop --email me@example.com --role owner --superuser

With DATABASE_URL set, that database. Otherwise the embedded PostgreSQL under var/pgdata: the one `make run` is
running (it keeps running after the command), or started for the command and stopped after it. The schema is
migrated first, as `make run` does, so this works on a fresh checkout too.
"""
from __future__ import annotations

import os
import subprocess
import sys
from collections.abc import Mapping, Sequence
from pathlib import Path

from devtools import run

FLASK = ("-m", "flask", "--app", "web:create_app")


def main(argv: Sequence[str], environ: Mapping[str, str] | None = None, var_dir: Path = run.VAR) -> int:
    """Run `flask --app web:create_app ARGV...` against make run's database; its exit status."""
    env = dict(os.environ if environ is None else environ)
    with run.database(env, var_dir):
        migrated = run.migrate(env)
        if migrated != 0:
            print("migration failed; the command did not run", file=sys.stderr)
            return migrated
        return subprocess.run([sys.executable, *FLASK, *argv], cwd=run.ROOT, env=env).returncode


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
