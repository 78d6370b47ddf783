"""Which kind of worker (WORKER_TYPE) each live procrastinate worker is; the row goes when the worker does."""
from __future__ import annotations

import datetime as dt

from sqlalchemy import BigInteger, CheckConstraint, Column, DateTime, ForeignKey, Integer, String, Table, func
from sqlalchemy.orm import Mapped, mapped_column

from models import base

# procrastinate's own table (installed by the first migration); declared only so the foreign key can name it.
procrastinate_workers = Table(
    "procrastinate_workers", base.Base.metadata,
    Column("id", BigInteger, primary_key=True),
    Column("last_heartbeat", DateTime(timezone=True), nullable=False),
)


class WorkerProcess(base.Base):
    """A worker process: its procrastinate worker id, WORKER_TYPE, host and pid (not org-owned: system state)."""

    __tablename__ = "worker_processes"
    __table_args__ = (
        CheckConstraint("worker_type IN ('general', 'print_jobs', 'scheduler')", name="worker_type"),
    )

    # procrastinate deletes a worker's row when it stops or is pruned as stalled; this one goes with it.
    worker_id: Mapped[int] = mapped_column(
        BigInteger, ForeignKey("procrastinate_workers.id", ondelete="CASCADE"), primary_key=True)
    worker_type: Mapped[str] = mapped_column(String(20), nullable=False)
    hostname: Mapped[str] = mapped_column(String(255), nullable=False)
    pid: Mapped[int] = mapped_column(Integer, nullable=False)
    started_at: Mapped[dt.datetime] = mapped_column(DateTime(timezone=True), nullable=False,
                                                    server_default=func.now())

