"""What a long operation needs from whoever runs it (a job): the session, settings, its org and progress reports."""
from __future__ import annotations

from typing import Protocol

from sqlalchemy.orm import Session

import config


class Run(Protocol):
    """One run of a long operation; jobs.context.JobContext is the implementation the workers use."""

    org_id: int
    settings: config.Settings
    session: Session

    def progress(self, percent: int, message: str = "") -> None:
        """Report progress (0-100); also a point where a cancelled run stops."""
        ...
