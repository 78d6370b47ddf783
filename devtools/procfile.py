"""Run one Procfile process by name, without a shell: the container entry point of every Railway service.

    python -m devtools.procfile web|worker|print_worker|scheduler|release

Platforms that run a start command in exec form (Railway with a Dockerfile, `docker run`) pass no shell, so a
command that says `$PORT` would get those four characters. The Procfile stays the one list of processes: each line
is `name: [VAR=value ...] program args`, split like a shell would split it but with no expansion; leading
assignments go into the environment, then the program replaces this process (signals reach it directly).
"""
from __future__ import annotations

import os
import shlex
import shutil
import sys
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path

PROCFILE = Path(__file__).resolve().parent.parent / "Procfile"


class ProcfileError(ValueError):
    """The Procfile or the requested process name is not usable."""


@dataclass(frozen=True)
class Process:
    """One Procfile line: its name, the variables it sets and the program with its arguments."""

    name: str
    env: Mapping[str, str]
    argv: tuple[str, ...]


def parse(text: str) -> dict[str, Process]:
    """Every process of a Procfile, in file order."""
    processes: dict[str, Process] = {}
    for number, raw in enumerate(text.splitlines(), start=1):
        line = raw.strip()
        if not line or line.startswith("#"):
            continue
        name, sep, command = line.partition(":")
        name = name.strip()
        if not sep or not name.replace("_", "").replace("-", "").isalnum():
            raise ProcfileError(f"Procfile line {number} is not `name: command`")
        words = shlex.split(command)
        env: dict[str, str] = {}
        while words and "=" in words[0] and words[0].split("=", 1)[0].isidentifier():
            key, value = words.pop(0).split("=", 1)
            env[key] = value
        if not words:
            raise ProcfileError(f"Procfile line {number} ({name}) has no command")
        processes[name] = Process(name, env, tuple(words))
    return processes


def load(path: Path = PROCFILE) -> dict[str, Process]:
    """The processes of the repository's Procfile."""
    return parse(path.read_text())


def resolve(name: str, processes: Mapping[str, Process]) -> Process:
    """The process called `name` (`-` and `_` are interchangeable, as platforms spell service names either way)."""
    wanted = name.replace("-", "_")
    for process in processes.values():
        if process.name.replace("-", "_") == wanted:
            return process
    raise ProcfileError(f"no process {name!r} in the Procfile; known: {', '.join(processes)}")


def main(argv: Sequence[str] | None = None) -> int:
    """Replace this process with the named Procfile process (`PROCESS` names it when no argument does)."""
    args = list(sys.argv[1:] if argv is None else argv)
    name = args[0] if args else os.environ.get("PROCESS", "web")
    try:
        process = resolve(name, load())
        env = {**os.environ, **process.env}
        program = executable(process.argv[0], env)
    except (OSError, ProcfileError) as exc:
        print(f"devtools.procfile: {exc}", file=sys.stderr)
        return 2
    os.execve(program, [program, *process.argv[1:]], env)
    return 0  # not reached: exec replaced the process


def executable(program: str, env: Mapping[str, str]) -> str:
    """The file to run for `program`: `python` is this interpreter; other names are looked up on PATH, then
    beside this interpreter (a virtualenv's scripts when it is not activated)."""
    if program == "python":
        return sys.executable
    search = os.pathsep.join(filter(None, (env.get("PATH", os.defpath), os.path.dirname(sys.executable))))
    found = shutil.which(program, path=search)
    if found is None:
        raise ProcfileError(f"{program!r} not found on PATH")
    return found


if __name__ == "__main__":
    sys.exit(main())
