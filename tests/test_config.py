"""Settings.from_env: defaults for development, one clear error naming the variable otherwise."""
from __future__ import annotations

import pytest

import config

PROD = {"APP_ENV": "production", "DATABASE_URL": "postgresql://u@db/esa", "JWT_SECRET": "s" * 40,
        "TOKEN_ENCRYPTION_KEY": "k" * 40}


def test_production_config_reads_every_name():
    settings = config.Settings.from_env({**PROD, "REDIS_URL": "redis://localhost:6379/0", "PORT": "9000",
                                         "WORKER_TYPE": "print_jobs", "FRONTEND_URL": "https://app.example.com",
                                         "QNAP_NAS_HOST": "nas.local", "QNAP_NAS_USERNAME": "admin",
                                         "QNAP_NAS_PASSWORD": "pw", "QNAP_NAS_HOST_FINGERPRINT": "SHA256:abc",
                                         "QNAP_NAS_BASE_PATH": "/share/Prints", "ETSY_API_KEY": "key",
                                         "ETSY_CLIENT_SECRET": "shh"})
    assert settings.port == 9000 and settings.worker_type == "print_jobs"
    assert settings.storage_backend == "sftp" and settings.nas_base_path == "/share/Prints"
    assert settings.sqlalchemy_url == "postgresql+psycopg://u@db/esa"
    assert settings.psycopg_dsn == "postgresql://u@db/esa"
    assert "shh" not in repr(settings) and "pw" not in repr(settings) and "s" * 40 not in repr(settings)


@pytest.mark.parametrize("change, variable", [
    ({"JWT_SECRET": "short"}, "JWT_SECRET"),
    ({"JWT_SECRET": ""}, "JWT_SECRET"),
    ({"DATABASE_URL": ""}, "DATABASE_URL"),
    ({"DATABASE_URL": "mysql://x/y"}, "DATABASE_URL"),
    ({"PORT": "eighty"}, "PORT"),
    ({"PORT": "70000"}, "PORT"),
    ({"WORKER_TYPE": "gpu"}, "WORKER_TYPE"),
    ({"STORAGE_BACKEND": "sftp"}, "QNAP_NAS_HOST"),
    ({"QNAP_NAS_HOST": "nas", "QNAP_NAS_USERNAME": "u", "QNAP_NAS_PASSWORD": "p"}, "QNAP_NAS_KNOWN_HOSTS"),
    ({"TOKEN_ENCRYPTION_KEY": "tiny"}, "TOKEN_ENCRYPTION_KEY"),
])
def test_bad_production_config_names_the_variable(change, variable):
    with pytest.raises(config.ConfigError) as info:
        config.Settings.from_env({**PROD, **change})
    assert variable in str(info.value)


def test_development_creates_and_keeps_a_local_secret(tmp_path, monkeypatch):
    monkeypatch.setattr(config, "VAR_DIR", tmp_path)
    first = config.Settings.from_env({"DATABASE_URL": "postgresql://localhost/esa"})
    second = config.Settings.from_env({"DATABASE_URL": "postgresql://localhost/esa"})
    assert len(first.jwt_secret) >= 32 and first.jwt_secret == second.jwt_secret
    assert (tmp_path / "jwt-secret").stat().st_mode & 0o077 == 0
    assert first.storage_backend == "local"


def test_every_variable_is_documented_in_env_example():
    import re

    read = set(re.findall(r'env\.(?:str|int|choice)\("([A-Z0-9_]+)"', (config.ROOT / "config.py").read_text()))
    documented = set(re.findall(r"^([A-Z0-9_]+)=", (config.ROOT / ".env.example").read_text(), re.M))
    assert read - documented == set()


def test_the_nas_timeout_comes_from_config_alone():
    import nas

    nas_env = {**PROD, "QNAP_NAS_HOST": "nas.local", "QNAP_NAS_USERNAME": "admin", "QNAP_NAS_PASSWORD": "pw",
               "QNAP_NAS_HOST_FINGERPRINT": "SHA256:abc"}
    assert nas.sftp_config(config.Settings.from_env(nas_env)).timeout == 20
    assert nas.sftp_config(config.Settings.from_env({**nas_env, "QNAP_NAS_TIMEOUT": "7"})).timeout == 7
