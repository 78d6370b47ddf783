"""Retry policy: transient failures back off from seconds to a few minutes; permanent ones fail at once."""
from __future__ import annotations

import contextlib
import dataclasses
from collections.abc import Iterator

from procrastinate import jobs, retry
from redis import exceptions as redis_errors
from sqlalchemy import exc as sa_exc

from etsy import client as etsy
from models import errors
from nas import errors as nas_errors


class Permanent(Exception):
    """A failure retrying cannot fix (bad input file, missing row, a refusal by the service)."""


class EtsyDown(Exception):
    """Etsy kept failing (5xx, timeouts, rate limits) past the client's own retries: try the job later."""


class WorkerShutdown(Exception):
    """The worker stopped (deploy, scale-down) while the job ran: run it again elsewhere."""


def _transient_types() -> tuple[type[BaseException], ...]:
    return (sa_exc.OperationalError, sa_exc.DisconnectionError, errors.Unavailable, ConnectionError, TimeoutError,
            EtsyDown, WorkerShutdown, nas_errors.StorageUnavailable, redis_errors.ConnectionError,
            redis_errors.TimeoutError)


@dataclasses.dataclass
class CappedBackoff(retry.BaseRetryStrategy):
    """Retry transient errors up to `max_attempts` times, waiting base * 2**attempts seconds, at most `cap`."""

    max_attempts: int = 8
    base: int = 5
    cap: int = 600

    def get_retry_decision(self, *, exception: BaseException, job: jobs.Job) -> retry.RetryDecision | None:
        if job.attempts + 1 >= self.max_attempts or not isinstance(exception, _transient_types()):
            return None
        return retry.RetryDecision(retry_in={"seconds": min(self.cap, self.base * 2 ** job.attempts)})


TRANSIENT = CappedBackoff()


@contextlib.contextmanager
def policy() -> Iterator[None]:
    """Classify what a job's services raise: Etsy outages are retried later, the services' refusals never."""
    try:
        yield
    except (etsy.EtsyUnavailable, etsy.EtsyRateLimited) as exc:
        raise EtsyDown(str(exc)) from exc
    except errors.Unavailable:
        raise
    except errors.DomainError as exc:
        raise Permanent(exc.message) from exc
