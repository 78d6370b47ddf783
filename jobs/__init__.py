"""Background jobs on procrastinate: one module per job type, thin tasks that take ids."""
