"""Console tests reuse the real worker processes of the job tests."""
from tests.jobs.conftest import start_worker  # noqa: F401
