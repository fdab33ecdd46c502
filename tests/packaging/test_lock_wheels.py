"""Every runtime dependency in uv.lock installs from a wheel on a kiosk.

install.sh installs no compiler (g++, python3-dev) and make_wheelhouse.sh only
downloads wheels (--only-binary=:all:): both rely on this. A new dependency
that PyPI has only as source fails here, not on a site PC.
"""

from __future__ import annotations

import re
import tomllib

import pytest
from packaging.markers import Marker

from tests.packaging.installer import REPO

# The kiosk targets (installers/README.md): Debian 12 (Python 3.11, glibc 2.36),
# Ubuntu 22.04+ (glibc 2.35; 24.04 has Python 3.12), x86_64.
GLIBC = (2, 35)
TARGETS = ["3.11", "3.12"]


def _environment(python: str) -> dict[str, str]:
    return {
        "python_version": python,
        "python_full_version": f"{python}.0",
        "sys_platform": "linux",
        "platform_system": "Linux",
        "platform_machine": "x86_64",
        "os_name": "posix",
        "implementation_name": "cpython",
        "platform_python_implementation": "CPython",
        "extra": "",
    }


def runtime_packages(lock: dict, python: str) -> dict[str, dict]:
    """Walk the lock from facekiosk's runtime dependencies (no dev groups)."""
    env = _environment(python)
    by_name: dict[str, list[dict]] = {}
    for package in lock["package"]:
        by_name.setdefault(package["name"], []).append(package)
    wanted: dict[str, dict] = {}
    todo = list(by_name["facekiosk"][0]["dependencies"])
    while todo:
        dep = todo.pop()
        if "marker" in dep and not Marker(dep["marker"]).evaluate(env):
            continue
        candidates = [
            p for p in by_name[dep["name"]] if p.get("version") == dep.get("version", p["version"])
        ]
        assert len(candidates) == 1, dep
        package = candidates[0]
        todo.extend(
            d for extra in dep.get("extra", []) for d in package["optional-dependencies"][extra]
        )
        if package["name"] not in wanted:
            wanted[package["name"]] = {"wheels": [], **package}  # sdist-only: no key
            todo.extend(package.get("dependencies", []))
    return wanted


def installs_from_wheel(wheel: str, python: str) -> bool:
    pythons, abi, platforms = wheel.removesuffix(".whl").split("-")[-3:]
    minor = int(python.split(".")[1])
    cp = f"cp3{minor}"
    python_ok = any(
        tag in ("py3", cp) or (abi == "abi3" and tag.startswith("cp3") and int(tag[3:]) <= minor)
        for tag in pythons.split(".")
    )
    if not python_ok or abi not in ("none", "abi3", cp):
        return False
    if platforms == "any":
        return True
    glibcs = [
        (int(glibc_major), int(glibc_minor))
        for glibc_major, glibc_minor in re.findall(r"manylinux_(\d+)_(\d+)_x86_64", platforms)
    ]
    glibcs += [(2, 17)] if "manylinux2014_x86_64" in platforms else []
    return any(glibc <= GLIBC for glibc in glibcs)


@pytest.mark.parametrize("python", TARGETS)
def test_every_runtime_dependency_has_a_wheel_for_the_kiosk(python):
    lock = tomllib.loads((REPO / "uv.lock").read_text())
    packages = runtime_packages(lock, python)
    assert {"faiss-cpu", "numpy", "pyside6-essentials", "onnxruntime"} <= set(packages)
    assert "pytest" not in packages and "pyinstaller" not in packages
    source_only = [
        f"{p['name']} {p['version']}"
        for p in packages.values()
        if not any(installs_from_wheel(w["url"].rsplit("/", 1)[1], python) for w in p["wheels"])
    ]
    assert source_only == [], f"no cp{python} manylinux x86_64 wheel: {source_only}"


def test_the_wheel_check_rejects_what_a_kiosk_cannot_install():
    assert installs_from_wheel("faiss_cpu-1.15.1-cp310-abi3-manylinux_2_27_x86_64.whl", "3.11")
    assert installs_from_wheel("insightface-2.1-py3-none-any.whl", "3.11")
    assert not installs_from_wheel("numpy-2.5.5-cp312-cp312-manylinux_2_27_x86_64.whl", "3.11")
    assert not installs_from_wheel("x-1.0-cp311-cp311-manylinux_2_39_x86_64.whl", "3.11")
    assert not installs_from_wheel("x-1.0-cp311-cp311-musllinux_1_2_x86_64.whl", "3.11")
    assert not installs_from_wheel("x-1.0-cp311-cp311-manylinux_2_27_aarch64.whl", "3.11")
    assert not installs_from_wheel("x-1.0-cp312-abi3-manylinux_2_27_x86_64.whl", "3.11")
    assert installs_from_wheel("x-1.0-cp39-abi3-manylinux2014_x86_64.whl", "3.12")
