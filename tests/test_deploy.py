"""Deploying as the guide does: every Procfile process starts from its Railway config and the image's entry point,
run the way the platform runs it (exec form: no shell, no variable expansion)."""
from __future__ import annotations

import json
import os
import re
import shlex
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

import pytest
from sqlalchemy import text

from devtools import procfile
from models import db

ROOT = Path(__file__).resolve().parent.parent
SERVICES = ("web", "worker", "print_worker", "scheduler")


def _railway_configs() -> dict[str, dict]:
    """Each Railway service's config-as-code file, by the process its start command runs."""
    files = [ROOT / "railway.json", *sorted((ROOT / "railway").glob("*.json"))]
    configs = {}
    for path in files:
        config = json.loads(path.read_text())
        argv = shlex.split(config["deploy"]["startCommand"])
        assert argv[:3] == ["python", "-m", "devtools.procfile"], path
        configs[argv[3]] = config
    return configs


def _dockerfile_argv() -> list[str]:
    """ENTRYPOINT + CMD of the image, both in exec (JSON) form."""
    text_ = (ROOT / "Dockerfile").read_text()
    entry = json.loads(re.search(r"^ENTRYPOINT (\[.*\])$", text_, re.M).group(1))
    cmd = json.loads(re.search(r"^CMD (\[.*\])$", text_, re.M).group(1))
    return entry + cmd


def test_every_process_has_one_railway_service_and_migrations_run_once():
    processes = procfile.load()
    configs = _railway_configs()
    assert set(processes) == {*SERVICES, "release"}
    assert set(configs) == set(SERVICES)
    for name, config in configs.items():
        raw = json.dumps(config)
        assert "$" not in raw.replace("$schema", ""), f"{name}: Railway does not expand variables in exec form"
        assert config["build"]["builder"] == "DOCKERFILE"
    # The release step belongs to one service only, so a deploy migrates once; only the web answers /health.
    pre = {name: c["deploy"].get("preDeployCommand") for name, c in configs.items()}
    assert pre == {"web": "python -m devtools.procfile release", "worker": None, "print_worker": None,
                   "scheduler": None}
    assert [n for n, c in configs.items() if c["deploy"].get("healthcheckPath")] == ["web"]
    assert _dockerfile_argv() == ["python", "-m", "devtools.procfile", "web"]


def test_procfile_lines_parse_without_a_shell():
    parsed = procfile.parse("# comment\nweb: gunicorn -c g.py app\nworker: WORKER_TYPE=general A=b python -m x\n")
    assert parsed["web"].argv == ("gunicorn", "-c", "g.py", "app") and not parsed["web"].env
    assert parsed["worker"].env == {"WORKER_TYPE": "general", "A": "b"}
    assert procfile.resolve("print-worker", procfile.load()).name == "print_worker"
    with pytest.raises(procfile.ProcfileError):
        procfile.resolve("nope", procfile.load())
    with pytest.raises(procfile.ProcfileError):
        procfile.parse("broken line\n")


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _platform_env(port: int) -> dict[str, str]:
    # The image has `python` and `gunicorn` on PATH; here they are this virtualenv's.
    env = {**os.environ, "PORT": str(port), "PATH": f"{Path(sys.executable).parent}{os.pathsep}{os.environ['PATH']}"}
    env.pop("GUNICORN_CMD_ARGS", None)
    env.pop("WORKER_TYPE", None)
    return env


def _start(argv: list[str], port: int) -> subprocess.Popen:
    # A list, not a string: exactly how an exec-form start command reaches the kernel.
    return subprocess.Popen(argv, cwd=ROOT, env=_platform_env(port), stdout=subprocess.PIPE,
                            stderr=subprocess.STDOUT, text=True)


def _stop(proc: subprocess.Popen) -> str:
    if proc.poll() is None:
        proc.terminate()
    try:
        out, _ = proc.communicate(timeout=45)
    except subprocess.TimeoutExpired:
        proc.kill()
        out, _ = proc.communicate()
    return out


def _wait(predicate, proc: subprocess.Popen, what: str, timeout: float = 60) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            raise AssertionError(f"{what} exited with {proc.returncode}:\n{_stop(proc)}")
        if predicate():
            return
        time.sleep(0.3)
    raise AssertionError(f"{what} did not come up within {timeout}s:\n{_stop(proc)}")


def _answers_ping(port: int) -> bool:
    try:
        with urllib.request.urlopen(f"http://127.0.0.1:{port}/ping", timeout=2) as resp:
            return resp.status == 200
    except OSError:
        return False


def _worker_ids() -> set[int]:
    with db.engine().connect() as conn:
        return set(conn.execute(text("SELECT id FROM procrastinate_workers")).scalars())


@pytest.mark.slow
@pytest.mark.parametrize("service", SERVICES)
def test_each_railway_service_starts_from_its_start_command(committed, service):
    argv = shlex.split(_railway_configs()[service]["deploy"]["startCommand"])
    port, before = _free_port(), _worker_ids()
    proc = _start(argv, port)
    try:
        if service == "web":
            _wait(lambda: _answers_ping(port), proc, "web")
        else:
            # A worker is up once it has registered with the queue and sends heartbeats.
            _wait(lambda: _worker_ids() - before, proc, service)
    finally:
        out = _stop(proc)
    assert proc.returncode == 0, out


@pytest.mark.slow
def test_release_and_the_image_default_run_without_a_shell(committed):
    configs = _railway_configs()
    release = subprocess.run(shlex.split(configs["web"]["deploy"]["preDeployCommand"]), cwd=ROOT,
                             env=_platform_env(_free_port()), capture_output=True, text=True, timeout=120)
    assert release.returncode == 0, release.stdout + release.stderr
    port = _free_port()
    proc = _start(_dockerfile_argv(), port)
    try:
        _wait(lambda: _answers_ping(port), proc, "image default (web)")
    finally:
        _stop(proc)


def test_readme_deploy_table_matches_the_railway_configs():
    """The README's step 4 says which config file, start command and pre-deploy command each service has."""
    readme = (ROOT / "README.md").read_text()
    rows = re.findall(r"^\s*\| `(\w+)` \| `([\w/.]+\.json)`[^|]*\| `([^`]+)` \| (?:`([^`]+)`|none) \|", readme, re.M)
    configs = _railway_configs()
    assert {name for name, *_ in rows} == set(SERVICES)
    for name, path, start, pre in rows:
        config = json.loads((ROOT / path).read_text())
        assert configs[name] == config, name
        assert config["deploy"]["startCommand"] == start
        assert config["deploy"].get("preDeployCommand") == (pre or None), name
