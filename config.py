"""Settings.from_env(): the only reader of os.environ."""
from __future__ import annotations

import builtins
import dataclasses
import os
import secrets
import time
from collections.abc import Mapping
from pathlib import Path
from urllib.parse import urlsplit

ROOT = Path(__file__).resolve().parent
VAR_DIR = ROOT / "var"
WORKER_TYPES = ("general", "print_jobs", "scheduler")
STORAGE_BACKENDS = ("local", "sftp", "hybrid")
ENVIRONMENTS = ("development", "production", "test")
MIN_SECRET_BYTES = 32


class ConfigError(RuntimeError):
    """Invalid or missing configuration; the message names the variable."""


@dataclasses.dataclass(frozen=True)
class Settings:
    """Typed, validated configuration of one process."""

    env: str
    # URLs may carry passwords: never in a repr (which ends up in logs and tracebacks).
    database_url: str = dataclasses.field(repr=False)
    redis_url: str | None = dataclasses.field(repr=False)
    jwt_secret: str = dataclasses.field(repr=False)
    access_token_minutes: int
    refresh_token_days: int
    token_encryption_key: str = dataclasses.field(repr=False)
    etsy_api_key: str | None
    etsy_client_secret: str | None = dataclasses.field(repr=False)
    storage_backend: str
    local_root_path: str
    nas_host: str | None
    nas_port: int
    nas_username: str | None
    nas_password: str | None = dataclasses.field(repr=False)
    nas_key_path: str | None
    nas_known_hosts_path: str | None
    nas_host_fingerprint: str | None
    nas_base_path: str
    nas_pool_size: int
    nas_timeout: float
    frontend_url: str | None
    worker_type: str
    port: int
    db_pool_size: int
    db_max_overflow: int
    max_upload_bytes: int
    max_json_bytes: int
    login_max_failures: int
    login_lockout_seconds: int
    auth_attempts_per_minute: int
    trusted_proxy_hops: int
    layout_max_seconds: float
    layout_concurrency: int
    upload_temp_max_age_seconds: int
    event_retention_days: int
    job_retention_days: int
    stalled_worker_seconds: int
    log_level: str
    metrics_multiproc_dir: str | None
    metrics_port: int | None
    metrics_token: str | None = dataclasses.field(repr=False)
    cache_dir: str
    max_image_pixels: int
    gang_max_quantity: int
    etsy_api_base_url: str
    etsy_authorize_url: str
    etsy_token_url: str
    etsy_redirect_uri: str | None
    etsy_rate_per_second: int
    etsy_rate_per_day: int
    etsy_timeout: float

    @property
    def sqlalchemy_url(self) -> str:
        """The DSN with SQLAlchemy's psycopg 3 driver name."""
        scheme, _, rest = self.database_url.partition("://")
        return "postgresql+psycopg://" + rest

    @property
    def psycopg_dsn(self) -> str:
        """The DSN as libpq (psycopg, procrastinate) takes it."""
        _, _, rest = self.database_url.partition("://")
        return "postgresql://" + rest

    @classmethod
    def from_env(cls, environ: Mapping[str, str] | None = None) -> Settings:
        """Read, default and validate every setting; raise ConfigError naming the first bad variable."""
        env = _Reader(os.environ if environ is None else environ)
        mode = env.choice("APP_ENV", ENVIRONMENTS, "development")
        dev = mode != "production"
        database_url = env.str("DATABASE_URL")
        if not database_url:
            if dev:
                # The dev runner and the test fixtures start an embedded server and export its URL.
                raise ConfigError("DATABASE_URL is not set (run `make run`, which starts an embedded PostgreSQL)")
            raise ConfigError("DATABASE_URL is required in production")
        if urlsplit(database_url).scheme not in ("postgres", "postgresql", "postgresql+psycopg"):
            raise ConfigError("DATABASE_URL must be a postgresql:// URL")
        jwt_secret = env.str("JWT_SECRET") or (_dev_secret("jwt-secret") if dev else None)
        if not jwt_secret:
            raise ConfigError("JWT_SECRET is required in production (at least 32 bytes)")
        if len(jwt_secret.encode()) < MIN_SECRET_BYTES:
            raise ConfigError(f"JWT_SECRET must be at least {MIN_SECRET_BYTES} bytes")
        enc_key = env.str("TOKEN_ENCRYPTION_KEY") or (_dev_secret("token-key") if dev else None)
        if not enc_key or len(enc_key.encode()) < MIN_SECRET_BYTES:
            raise ConfigError(f"TOKEN_ENCRYPTION_KEY must be set to at least {MIN_SECRET_BYTES} bytes")
        nas_host = env.str("QNAP_NAS_HOST")
        backend = env.choice("STORAGE_BACKEND", STORAGE_BACKENDS, "sftp" if nas_host else "local")
        if backend in ("sftp", "hybrid"):
            if not nas_host:
                raise ConfigError(f"QNAP_NAS_HOST is required when STORAGE_BACKEND={backend}")
            if not env.str("QNAP_NAS_USERNAME"):
                raise ConfigError("QNAP_NAS_USERNAME is required when a NAS is configured")
            if not (env.str("QNAP_NAS_PASSWORD") or env.str("QNAP_NAS_KEY_PATH")):
                raise ConfigError("QNAP_NAS_PASSWORD or QNAP_NAS_KEY_PATH is required when a NAS is configured")
            if not (env.str("QNAP_NAS_KNOWN_HOSTS") or env.str("QNAP_NAS_HOST_FINGERPRINT")):
                raise ConfigError("QNAP_NAS_KNOWN_HOSTS or QNAP_NAS_HOST_FINGERPRINT is required "
                                  "(host keys are verified)")
        return cls(
            env=mode,
            database_url=database_url,
            redis_url=env.str("REDIS_URL"),
            jwt_secret=jwt_secret,
            access_token_minutes=env.int("ACCESS_TOKEN_MINUTES", 15, 1, 24 * 60),
            refresh_token_days=env.int("REFRESH_TOKEN_DAYS", 14, 1, 365),
            token_encryption_key=enc_key,
            etsy_api_key=env.str("ETSY_API_KEY"),
            etsy_client_secret=env.str("ETSY_CLIENT_SECRET"),
            storage_backend=backend,
            local_root_path=env.str("LOCAL_ROOT_PATH") or str(VAR_DIR / "storage"),
            nas_host=nas_host,
            nas_port=env.int("QNAP_NAS_PORT", 22, 1, 65535),
            nas_username=env.str("QNAP_NAS_USERNAME"),
            nas_password=env.str("QNAP_NAS_PASSWORD"),
            nas_key_path=env.str("QNAP_NAS_KEY_PATH"),
            nas_known_hosts_path=env.str("QNAP_NAS_KNOWN_HOSTS"),
            nas_host_fingerprint=env.str("QNAP_NAS_HOST_FINGERPRINT"),
            nas_base_path=env.str("QNAP_NAS_BASE_PATH") or "/share/Graphics",
            nas_pool_size=env.int("QNAP_NAS_POOL_SIZE", 4, 1, 64),
            nas_timeout=float(env.int("QNAP_NAS_TIMEOUT", 20, 1, 600)),
            frontend_url=env.str("FRONTEND_URL"),
            worker_type=env.choice("WORKER_TYPE", WORKER_TYPES, "general"),
            port=env.int("PORT", 8000, 1, 65535),
            db_pool_size=env.int("DB_POOL_SIZE", 5, 1, 200),
            db_max_overflow=env.int("DB_MAX_OVERFLOW", 5, 0, 200),
            max_upload_bytes=env.int("MAX_UPLOAD_MB", 512, 1, 100_000) * 1024 * 1024,
            max_json_bytes=env.int("MAX_JSON_KB", 1024, 1, 100_000) * 1024,
            login_max_failures=env.int("LOGIN_MAX_FAILURES", 5, 1, 1000),
            login_lockout_seconds=env.int("LOGIN_LOCKOUT_SECONDS", 900, 1, 86400),
            # Sign-in, sign-up and refresh calls per client address and minute (429 with Retry-After past it).
            auth_attempts_per_minute=env.int("AUTH_ATTEMPTS_PER_MINUTE", 20, 1, 100_000),
            # Proxies in front of the web that append to X-Forwarded-For (Railway's edge: 1); 0 trusts none.
            trusted_proxy_hops=env.int("TRUSTED_PROXY_HOPS", 0, 0, 10),
            # The synchronous layout's longest search (larger asks: queue a gang_sheets job) and how many run at
            # once per organization, across every web worker.
            layout_max_seconds=float(env.int("LAYOUT_MAX_SECONDS", 1, 1, 30)),
            layout_concurrency=env.int("LAYOUT_CONCURRENCY", 2, 1, 64),
            upload_temp_max_age_seconds=env.int("UPLOAD_TEMP_MAX_AGE_HOURS", 6, 1, 24 * 30) * 3600,
            event_retention_days=env.int("EVENT_RETENTION_DAYS", 365, 1, 36500),
            job_retention_days=env.int("JOB_RETENTION_DAYS", 30, 1, 36500),
            stalled_worker_seconds=env.int("STALLED_WORKER_SECONDS", 60, 5, 86400),
            log_level=env.choice("LOG_LEVEL", ("DEBUG", "INFO", "WARNING", "ERROR"), "INFO"),
            metrics_multiproc_dir=env.str("PROMETHEUS_MULTIPROC_DIR"),
            # Workers serve their own /metrics on this port (the web serves them at /metrics on PORT); 0 is off.
            metrics_port=env.int("METRICS_PORT", 0, 0, 65535) or None,
            # When set, /metrics (web and workers) answers only `Authorization: Bearer <METRICS_TOKEN>`.
            metrics_token=env.str("METRICS_TOKEN"),
            cache_dir=env.str("CACHE_DIR") or str(VAR_DIR / "cache"),
            max_image_pixels=env.int("MAX_IMAGE_MEGAPIXELS", 600, 1, 10_000) * 1_000_000,
            gang_max_quantity=env.int("GANG_MAX_QUANTITY", 2000, 1, 100_000),
            etsy_api_base_url=(env.str("ETSY_API_BASE_URL") or "https://openapi.etsy.com").rstrip("/"),
            etsy_authorize_url=env.str("ETSY_AUTHORIZE_URL") or "https://www.etsy.com/oauth/connect",
            etsy_token_url=env.str("ETSY_TOKEN_URL") or "https://api.etsy.com/v3/public/oauth/token",
            etsy_redirect_uri=env.str("ETSY_REDIRECT_URI"),
            etsy_rate_per_second=env.int("ETSY_RATE_PER_SECOND", 10, 1, 1000),
            etsy_rate_per_day=env.int("ETSY_RATE_PER_DAY", 10_000, 1, 10_000_000),
            etsy_timeout=float(env.int("ETSY_TIMEOUT_SECONDS", 20, 1, 300)),
        )


class _Reader:
    """Typed access to an environment mapping, with errors naming the variable."""

    def __init__(self, environ: Mapping[str, str]):
        self._environ = environ

    def str(self, name: str) -> str | None:
        value = self._environ.get(name, "").strip()
        return value or None

    def int(self, name: builtins.str, default: builtins.int, low: builtins.int, high: builtins.int) -> builtins.int:
        raw = self.str(name)
        if raw is None:
            return default
        try:
            value = int(raw)
        except ValueError:
            raise ConfigError(f"{name} must be an integer, got {raw!r}") from None
        if not low <= value <= high:
            raise ConfigError(f"{name} must be between {low} and {high}, got {value}")
        return value

    def choice(self, name: builtins.str, choices: tuple[builtins.str, ...], default: builtins.str) -> builtins.str:
        value = self.str(name) or default
        if value not in choices:
            raise ConfigError(f"{name} must be one of {', '.join(choices)}, got {value!r}")
        return value


def _dev_secret(name: str) -> str:
    """A random secret kept under var/ so restarts of the quick start keep sessions valid."""
    path = VAR_DIR / name
    VAR_DIR.mkdir(parents=True, exist_ok=True)
    try:
        # O_EXCL: when several dev processes start at once, exactly one writes the secret and all read it.
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    except FileExistsError:
        for _ in range(50):
            value = path.read_text().strip()
            if value:
                return value
            time.sleep(0.05)
        raise ConfigError(f"{path} is empty; delete it to generate a new development secret") from None
    value = secrets.token_urlsafe(48)
    with os.fdopen(fd, "w") as out:
        out.write(value)
    return value


_cached: Settings | None = None


def get_settings() -> Settings:
    """The process-wide settings, read once."""
    global _cached
    if _cached is None:
        _cached = Settings.from_env()
    return _cached


def reset_settings() -> None:
    """Forget the cached settings (tests change the environment)."""
    global _cached
    _cached = None
