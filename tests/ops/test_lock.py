"""The lock files and the installed packages agree, read from the packages' own metadata.

scripts/setup.sh installs requirements/pip.lock, then requirements/dev.lock (a server
installs base.lock instead). If a locked package asks for something the lock does not
pin as asked — another version, or an extra such as ``fonttools[woff]`` — pip's
hash-checking mode refuses the install on the day upstream publishes a new release.
These tests find that on the day the lock is written instead.
"""

import re
import sys
import tomllib
from importlib import metadata
from pathlib import Path

import pytest
from packaging.markers import default_environment
from packaging.requirements import Requirement
from packaging.utils import canonicalize_name

ROOT = Path(__file__).resolve().parents[2]
LOCKS = ROOT / "requirements"

# A pinned line of a lock: `name[extras]==version ; marker \`, followed by its hashes.
PIN = re.compile(r"^(?P<requirement>[A-Za-z0-9][^\\]*?)\s*\\?$")


def read_lock(name):
    """{canonical name: Requirement} of the lock's pins that apply to this machine."""
    pins = {}
    for line in (LOCKS / name).read_text().splitlines():
        match = PIN.match(line)
        if not match:
            continue
        requirement = Requirement(match["requirement"])
        (specifier,) = requirement.specifier  # exactly one `==` pin per line
        assert specifier.operator == "==", f"{name}: {line} is not pinned with =="
        assert requirement.url is None, f"{name}: {line} is a URL, not a pin"
        if requirement.marker is None or requirement.marker.evaluate():
            pins[canonicalize_name(requirement.name)] = requirement
    return pins


def hashes(name):
    """{name==version: its hashes}, markers left out, to compare two locks pin by pin.

    A pin's marker may differ between the locks (a package one tool needs everywhere may
    be needed only on CPython by the app), its version and files may not.
    """
    text = (LOCKS / name).read_text()
    blocks = re.findall(r"^([A-Za-z0-9][^\n]*?)\s*\\\n((?:\s+--hash=\S+\s*\\?\n)+)", text, re.M)
    return {
        head.split(";")[0].strip(): sorted(re.findall(r"--hash=(\S+)", body))
        for head, body in blocks
    }


def pinned_version(requirement):
    return next(iter(requirement.specifier)).version


def installed():
    """{canonical name: Distribution} of this virtual environment."""
    found = {}
    for distribution in metadata.distributions(path=sys.path):
        found.setdefault(canonicalize_name(distribution.metadata["Name"]), distribution)
    return found


def project_requirements(extra=None):
    project = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]
    lines = project["dependencies"] + (project["optional-dependencies"][extra] if extra else [])
    return [Requirement(line) for line in lines]


def requested(direct, distributions):
    """Every requirement the installed set asks for, with the extras asked of each package.

    Starts from the project's own requirements and follows each package's
    Requires-Dist, evaluating markers for the extras that were asked of that package,
    until nothing new is asked for.
    """
    extras = {}  # canonical name -> extras asked of it
    asked = []
    todo = list(direct)
    while todo:
        requirement = todo.pop()
        asked.append(requirement)
        name = canonicalize_name(requirement.name)
        new = set(requirement.extras) | {""}
        new -= extras.setdefault(name, set())
        if not new or name not in distributions:
            continue
        extras[name] |= new
        for line in distributions[name].requires or []:
            child = Requirement(line)
            for extra in new:
                environment = default_environment() | {"extra": extra}
                if child.marker is None or child.marker.evaluate(environment):
                    todo.append(child)
    return asked


def test_every_installed_package_is_locked_at_its_installed_version():
    pins = read_lock("pip.lock") | read_lock("dev.lock")
    found = installed()
    unlocked = sorted(set(found) - set(pins))
    assert not unlocked, f"installed but not in requirements/*.lock: {unlocked}"
    wrong = {
        name: (found[name].version, pinned_version(pins[name]))
        for name in found
        if found[name].version != pinned_version(pins[name])
    }
    assert not wrong, f"installed version differs from the lock (installed, locked): {wrong}"


def test_every_pin_that_applies_here_is_installed():
    pins = read_lock("pip.lock") | read_lock("dev.lock")
    missing = sorted(set(pins) - set(installed()))
    assert not missing, f"locked but not installed: {missing}"


@pytest.mark.parametrize("extra", [None, "dev"], ids=["base", "dev"])
def test_every_requirement_is_pinned_as_asked_extras_included(extra):
    lock = "dev.lock" if extra else "base.lock"
    pins = read_lock(lock)
    problems = []
    for requirement in requested(project_requirements(extra), installed()):
        name = canonicalize_name(requirement.name)
        pin = pins.get(name)
        if pin is None:
            problems.append(f"{requirement} is not pinned in {lock}")
        elif not requirement.specifier.contains(pinned_version(pin), prereleases=True):
            problems.append(f"{requirement} is not met by {pin}")
        elif not requirement.extras <= pin.extras:
            problems.append(f"{requirement} asks for extras the pin {pin} does not lock")
    assert not problems, "\n".join(sorted(set(problems)))


def test_pyproject_pins_are_the_locked_versions():
    pins = read_lock("dev.lock")
    for requirement in project_requirements("dev"):
        pin = pins[canonicalize_name(requirement.name)]
        assert requirement.specifier == pin.specifier, f"{requirement} but locked {pin}"


def test_a_server_runs_exactly_what_the_tests_ran():
    base, dev = hashes("base.lock"), hashes("dev.lock")
    assert base, "base.lock holds no pins"
    differ = {head for head in base if dev.get(head) != base[head]}
    assert not differ, f"pins of base.lock not in dev.lock with the same hashes: {differ}"


def test_the_installer_is_the_locked_one():
    pins = read_lock("pip.lock")
    assert metadata.version("pip") == pinned_version(pins["pip"])
