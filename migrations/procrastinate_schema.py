"""Installs procrastinate's schema from the SQL vendored for the pinned procrastinate version."""
from __future__ import annotations

from pathlib import Path

from sqlalchemy.engine import Connection

# Must match the procrastinate pin in setup.cfg; a version bump adds a migration applying procrastinate's
# own migration files from sql/migrations between the two versions.
VERSION = "3.10.0"
SQL_FILE = Path(__file__).with_name("sql") / f"procrastinate-{VERSION}.sql"


def install(connection: Connection) -> None:
    """Run the vendored schema on the migration's connection (same transaction)."""
    # The raw driver call skips parameter parsing: the SQL holds literal '%' in RAISE messages.
    connection.connection.driver_connection.execute(SQL_FILE.read_text())


def uninstall(connection: Connection) -> None:
    """Drop every procrastinate table, function and type."""
    connection.connection.driver_connection.execute(
        """
        DROP TABLE IF EXISTS procrastinate_events, procrastinate_periodic_defers, procrastinate_jobs,
            procrastinate_workers CASCADE;
        DO $$ DECLARE r record; BEGIN
          FOR r IN SELECT p.oid::regprocedure AS sig FROM pg_proc p JOIN pg_namespace n ON n.oid = p.pronamespace
                   WHERE n.nspname = current_schema() AND p.proname LIKE 'procrastinate%' LOOP
            EXECUTE 'DROP FUNCTION IF EXISTS ' || r.sig || ' CASCADE';
          END LOOP;
        END $$;
        DROP TYPE IF EXISTS procrastinate_job_to_defer_v1, procrastinate_job_event_type,
            procrastinate_job_status CASCADE;
        """
    )
