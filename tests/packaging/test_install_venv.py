"""The full install into a throw-away root: real venv from uv.lock, real first start.

Needs PyPI (uv is bootstrapped from it) and about 1.5 min with a warm uv cache, so
it runs only when asked: FACEKIOSK_TEST_INSTALL_VENV=1.
"""

from __future__ import annotations

import json
import os
import sqlite3
import stat
import subprocess
from pathlib import Path

import pytest

from tests.packaging.installer import changed_paths, run_install, snapshot_source, tree_state

pytestmark = [
    pytest.mark.slow,
    pytest.mark.skipif(
        os.environ.get("FACEKIOSK_TEST_INSTALL_VENV") != "1",
        reason="set FACEKIOSK_TEST_INSTALL_VENV=1 (needs PyPI, ~1.5 min)",
    ),
    pytest.mark.timeout(1800),
]


@pytest.fixture(scope="module")
def installed(tmp_path_factory) -> tuple[Path, Path, str]:
    base = tmp_path_factory.mktemp("venv-install")
    source = snapshot_source(base / "src")
    root = base / "root"
    res = run_install(source, "--prefix", root)
    assert res.returncode == 0, res.stdout[-3000:] + res.stderr[-3000:]
    return source, root, res.stdout


def _app(root: Path, *args: str) -> subprocess.CompletedProcess:
    return subprocess.run(
        [str(root / "opt/facekiosk/venv/bin/facekiosk"), *args],
        capture_output=True,
        text=True,
        timeout=300,
        env={**os.environ, "FACEKIOSK_HOME": str(root / "var/lib/facekiosk")},
    )


def test_first_start_created_the_vault_and_a_private_device_key(installed):
    _, root, out = installed
    line = next(ln for ln in out.splitlines() if ln.startswith("{"))
    first = json.loads(line)
    assert first["vault"] == "created" and first["device_key_mode"] == "0o600"
    key = root / "var/lib/facekiosk/vault.kek"
    assert stat.S_IMODE(key.stat().st_mode) == 0o600
    listing = _app(root, "admin", "list", "--json")
    assert listing.returncode == 0, listing.stderr
    assert json.loads(listing.stdout)["total"] == 0


def test_installed_app_is_non_editable_and_carries_resources(installed):
    _, root, _ = installed
    probe = subprocess.run(
        [
            str(root / "opt/facekiosk/venv/bin/python"),
            "-c",
            "import facekiosk.paths as p; print(p.__file__); print(p.resources_dir())",
        ],
        capture_output=True,
        text=True,
        check=True,
    )
    module, resources = probe.stdout.split()
    assert module.startswith(str(root / "opt/facekiosk/venv"))
    assert (Path(resources) / "consent" / "en.md").is_file()
    dev = root / "opt/facekiosk/venv/lib"
    assert not list(dev.glob("python3*/site-packages/pytest")), "dev group leaked into the venv"


def test_second_run_changes_nothing_at_all(installed):
    source, root, _ = installed
    before = tree_state(root)
    res = run_install(source, "--prefix", root)
    assert res.returncode == 0, res.stderr
    assert changed_paths(before, tree_state(root)) == []
    assert "venv up to date" in res.stdout and "already initialised" in res.stdout


def test_upgrade_onto_a_newer_vault_is_refused_after_the_backup(installed):
    """A vault written by a newer app: the installed app refuses it, nothing is lost."""
    source, root, _ = installed
    data = root / "var/lib/facekiosk"
    conn = sqlite3.connect(data / "vault.sqlite")
    try:
        with conn:
            newest = conn.execute("SELECT MAX(version) FROM schema_version").fetchone()[0]
            conn.execute(
                "INSERT INTO schema_version(version, applied_at) VALUES (?, 'future')",
                (newest + 1,),
            )
    finally:
        conn.close()
    refused = _app(root, "admin", "list", "--json")
    assert refused.returncode == 1 and "newer facekiosk" in refused.stderr
    vault_bytes = (data / "vault.sqlite").read_bytes()
    # Pretend an older app was installed: the installer backs up, then first start refuses.
    (root / "opt/facekiosk/VERSION").write_text("0.0.1\n")
    res = run_install(source, "--prefix", root)
    assert res.returncode == 1
    assert "first start failed" in res.stderr and "newer facekiosk" in res.stderr
    backups = list((root / "var/backups/facekiosk").iterdir())
    assert len(backups) == 1
    assert (backups[0] / "vault.sqlite").read_bytes() == vault_bytes
    assert (data / "vault.sqlite").read_bytes() == vault_bytes
