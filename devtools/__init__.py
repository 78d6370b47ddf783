"""Developer tooling: the embedded PostgreSQL and the one-command runner behind `make run`."""
