"""File storage for shop files: local disk, the QNAP NAS over SFTP, or both (see `nas.base` for the API)."""
from __future__ import annotations

from typing import Any

from nas import base, hybrid, local, paths, sftp, sftp_pool


def sftp_config(settings: Any) -> sftp_pool.SFTPConfig:
    """The SFTP connection settings out of the app settings."""
    return sftp_pool.SFTPConfig(
        host=settings.nas_host,
        port=int(getattr(settings, "nas_port", None) or 22),
        username=settings.nas_username,
        password=getattr(settings, "nas_password", None) or None,
        key_path=getattr(settings, "nas_key_path", None) or None,
        known_hosts_path=getattr(settings, "nas_known_hosts_path", None) or None,
        host_fingerprint=getattr(settings, "nas_host_fingerprint", None) or None,
        base_path=getattr(settings, "nas_base_path", None) or paths.DEFAULT_BASE_PATH,
        pool_size=int(getattr(settings, "nas_pool_size", None) or 4),
        # No default here: config.py is the one place the timeout (QNAP_NAS_TIMEOUT, 20 s) is defaulted.
        timeout=float(settings.nas_timeout),
    )


def open_storage(settings: Any) -> base.Storage:
    """The backend named by `settings.storage_backend` ("local" | "sftp" | "hybrid"); connections open lazily."""
    backend = settings.storage_backend
    if backend == "local":
        return local.LocalStorage(settings.local_root_path)
    if backend == "sftp":
        return sftp.SFTPStorage(sftp_config(settings))
    if backend == "hybrid":
        remote = sftp.SFTPStorage(sftp_config(settings))
        return hybrid.HybridStorage(local.LocalStorage(settings.local_root_path), remote)
    raise ValueError(f"unknown storage_backend {backend!r} (expected local, sftp or hybrid)")
