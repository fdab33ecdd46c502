"""installers/linux/install.sh, exercised in a throw-away root (--prefix) and --dry-run.

These runs skip the venv (--skip-venv) to stay fast; test_install_venv.py does the
full install with the real venv and first start.
"""

from __future__ import annotations

import os
import re
import shutil
import stat
import subprocess
import tempfile
import tomllib
from pathlib import Path

import pytest

from tests.packaging.installer import (
    INSTALL_SH,
    changed_paths,
    run_install,
    snapshot_source,
    tree_state,
)

FAST = ("--skip-venv",)


@pytest.fixture(scope="module")
def source(tmp_path_factory) -> Path:
    return snapshot_source(tmp_path_factory.mktemp("src") / "facekiosk")


@pytest.fixture
def root(tmp_path) -> Path:
    return tmp_path / "root"


def _mode(path: Path) -> int:
    return stat.S_IMODE(path.stat().st_mode)


def test_shellcheck_clean():
    if shutil.which("shellcheck") is None:
        pytest.skip("shellcheck not installed (apt-get install shellcheck)")
    proc = subprocess.run(["shellcheck", str(INSTALL_SH)], capture_output=True, text=True)
    assert proc.returncode == 0, proc.stdout


def test_help_lists_every_option(source):
    res = run_install(source, "--help")
    assert res.returncode == 0
    for option in ("--uninstall", "--purge-data", "--prefix", "--dry-run", "--mode", "--user"):
        assert option in res.stdout


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (("--purge-data",), "--purge-data is only valid with --uninstall"),
        (("--mode", "tv"), "--mode must be boot or session"),
        (("--user", "Root;rm"), "not a valid user name"),
        (("--frobnicate",), "unknown option '--frobnicate'"),
    ],
)
def test_bad_options_are_refused_before_any_change(source, root, args, message):
    res = run_install(source, "--prefix", root, *args)
    assert res.returncode != 0
    assert message in res.stderr
    assert not root.exists()


def test_without_prefix_a_non_root_user_is_told_to_use_sudo(source):
    if shutil.which("setpriv") is None or os.geteuid() != 0:
        pytest.skip("needs root and setpriv to run the check as another user")
    # pytest's tmp dirs are private to root: give 'nobody' a readable copy.
    shared = Path(tempfile.mkdtemp(prefix="fk-nonroot-"))
    try:
        shared.chmod(0o755)
        for name in ("pyproject.toml", "uv.lock"):
            shutil.copy2(source / name, shared / name)
        script = shared / "install.sh"
        shutil.copy2(INSTALL_SH, script)
        proc = subprocess.run(
            [
                "setpriv",
                "--reuid=65534",
                "--regid=65534",
                "--clear-groups",
                "bash",
                str(script),
                "--source",
                str(shared),
                "--skip-apt",
            ],
            capture_output=True,
            text=True,
            timeout=60,
            check=False,
        )
    finally:
        shutil.rmtree(shared)
    assert proc.returncode == 1
    assert "run as root (sudo), or use --prefix DIR / --dry-run" in proc.stderr


def test_dry_run_prints_every_step_and_changes_nothing(source, root):
    res = run_install(source, "--prefix", root, "--dry-run")
    assert res.returncode == 0, res.stderr
    out = res.stdout
    for step in (
        "preflight",
        "Debian packages",
        "service user",
        "directories",
        "application in /opt/facekiosk",
        "configuration, units",
        "systemd",
    ):
        assert f"==> {step}" in out
    assert "libxcb-cursor0" in out and "cage" in out  # the apt list is shown
    assert "[dry-run] install -d -m 0700" in out
    assert "uv sync --quiet" in out and "--frozen --no-dev --no-editable" in out
    assert "write /etc/systemd/system/facekiosk.service" in out
    assert not root.exists()


def test_install_lays_out_the_system(source, root):
    res = run_install(source, "--prefix", root, *FAST)
    assert res.returncode == 0, res.stderr
    data = root / "var/lib/facekiosk"
    assert data.is_dir() and _mode(data) == 0o700
    version = tomllib.loads((source / "pyproject.toml").read_text())["project"]["version"]
    assert (root / "opt/facekiosk/VERSION").read_text().strip() == version
    unit = (root / "etc/systemd/system/facekiosk.service").read_text()
    assert re.search(r"@[A-Z_]+@", unit) is None  # every placeholder filled
    assert "User=facekiosk" in unit
    assert "ExecStart=/usr/bin/cage -d -- /opt/facekiosk/venv/bin/facekiosk run" in unit
    assert "Restart=on-failure" in unit and "StandardError=journal" in unit
    assert "ReadWritePaths=/var/lib/facekiosk" in unit
    env = (root / "etc/facekiosk/facekiosk.env").read_text()
    assert "FACEKIOSK_HOME=/var/lib/facekiosk" in env
    launcher = root / "usr/local/bin/facekiosk"
    assert _mode(launcher) == 0o755
    assert "runuser -u facekiosk" in launcher.read_text()
    assert (root / "etc/pam.d/facekiosk").is_file()
    assert (root / "usr/share/applications/facekiosk.desktop").is_file()
    assert (root / "usr/share/icons/hicolor/scalable/apps/facekiosk.svg").is_file()
    assert not (root / "etc/systemd/user/facekiosk-session.service").exists()
    assert "skipped under --prefix: useradd facekiosk" in res.stdout


def test_second_run_changes_nothing(source, root):
    assert run_install(source, "--prefix", root, *FAST).returncode == 0
    before = tree_state(root)
    res = run_install(source, "--prefix", root, *FAST)
    assert res.returncode == 0, res.stderr
    assert changed_paths(before, tree_state(root)) == []
    assert "write " not in res.stdout and "create " not in res.stdout


def test_a_changed_template_is_rewritten_on_the_next_run(source, root, tmp_path):
    assert run_install(source, "--prefix", root, *FAST).returncode == 0
    unit = root / "etc/systemd/system/facekiosk.service"
    unit.write_text(unit.read_text() + "# local edit\n")
    res = run_install(source, "--prefix", root, *FAST)
    assert "write /etc/systemd/system/facekiosk.service" in res.stdout
    assert "# local edit" not in unit.read_text()


def test_site_edited_env_file_is_kept(source, root):
    assert run_install(source, "--prefix", root, *FAST).returncode == 0
    env = root / "etc/facekiosk/facekiosk.env"
    env.write_text("FACEKIOSK_HOME=/var/lib/facekiosk\nFACEKIOSK_RUN_ARGS=--kiosk --camera 1\n")
    res = run_install(source, "--prefix", root, *FAST)
    assert res.returncode == 0
    assert "--camera 1" in env.read_text()


def test_session_mode_swaps_the_system_unit_for_a_user_unit(source, root):
    assert run_install(source, "--prefix", root, *FAST).returncode == 0
    res = run_install(source, "--prefix", root, *FAST, "--mode", "session", "--user", "kiosk")
    assert res.returncode == 0, res.stderr
    user_unit = (root / "etc/systemd/user/facekiosk-session.service").read_text()
    assert "ConditionUser=kiosk" in user_unit
    assert "WantedBy=graphical-session.target" in user_unit
    assert not (root / "etc/systemd/system/facekiosk.service").exists()
    assert not (root / "etc/pam.d/facekiosk").exists()


def _install_version(root: Path, version: str, data_files: dict[str, bytes]) -> None:
    (root / "opt/facekiosk").mkdir(parents=True)
    (root / "opt/facekiosk/VERSION").write_text(version + "\n")
    data = root / "var/lib/facekiosk"
    data.mkdir(parents=True, mode=0o700)
    for name, content in data_files.items():
        (data / name).write_bytes(content)


def test_upgrade_backs_up_the_data_dir_first(source, root):
    files = {"vault.sqlite": b"old vault bytes", "settings.toml": b"[kiosk]\nkiosk_id = 'door'\n"}
    _install_version(root, "0.0.9", files)
    res = run_install(source, "--prefix", root, *FAST)
    assert res.returncode == 0, res.stderr
    assert "upgrade 0.0.9 -> " in res.stdout
    backups = list((root / "var/backups/facekiosk").iterdir())
    assert len(backups) == 1 and backups[0].name.startswith("data-0.0.9-")
    assert _mode(root / "var/backups/facekiosk") == 0o700
    for name, content in files.items():
        assert (backups[0] / name).read_bytes() == content
    assert (root / "var/lib/facekiosk/vault.sqlite").read_bytes() == files["vault.sqlite"]
    # Same version again: no second backup.
    assert run_install(source, "--prefix", root, *FAST).returncode == 0
    assert len(list((root / "var/backups/facekiosk").iterdir())) == 1


def test_downgrade_is_refused_and_nothing_changes(source, root):
    _install_version(root, "99.0.0", {"vault.sqlite": b"newer vault"})
    before = tree_state(root)
    res = run_install(source, "--prefix", root, *FAST)
    assert res.returncode == 1
    assert "refusing to downgrade to" in res.stderr and "99.0.0 is installed" in res.stderr
    assert changed_paths(before, tree_state(root)) == []


def test_uninstall_keeps_the_data_dir(source, root):
    assert run_install(source, "--prefix", root, *FAST).returncode == 0
    (root / "var/lib/facekiosk/vault.kek").write_bytes(b"k" * 32)
    res = run_install(source, "--prefix", root, "--uninstall")
    assert res.returncode == 0, res.stderr
    for gone in (
        "opt/facekiosk",
        "etc/facekiosk",
        "etc/systemd/system/facekiosk.service",
        "usr/local/bin/facekiosk",
        "usr/share/applications/facekiosk.desktop",
        "etc/pam.d/facekiosk",
    ):
        assert not (root / gone).exists(), gone
    assert (root / "var/lib/facekiosk/vault.kek").read_bytes() == b"k" * 32
    assert "kept the data dir" in res.stdout and "--purge-data" in res.stdout


def test_uninstall_purge_data_erases_data_backups_and_key(source, root):
    _install_version(root, "0.0.9", {"vault.kek": b"k" * 32, "vault.sqlite": b"v"})
    assert run_install(source, "--prefix", root, *FAST).returncode == 0  # makes a backup
    assert (root / "var/backups/facekiosk").is_dir()
    res = run_install(source, "--prefix", root, "--uninstall", "--purge-data")
    assert res.returncode == 0, res.stderr
    assert "shred /var/lib/facekiosk/vault.kek" in res.stdout
    assert not (root / "var/lib/facekiosk").exists()
    assert not (root / "var/backups/facekiosk").exists()


def test_uninstall_dry_run_changes_nothing(source, root):
    assert run_install(source, "--prefix", root, *FAST).returncode == 0
    before = tree_state(root)
    res = run_install(source, "--prefix", root, "--uninstall", "--purge-data", "--dry-run")
    assert res.returncode == 0
    assert "[dry-run] rm -rf" in res.stdout
    assert changed_paths(before, tree_state(root)) == []


def test_a_wheelhouse_that_does_not_match_its_sums_is_refused(source, root, tmp_path):
    wheelhouse = tmp_path / "wheelhouse"
    wheelhouse.mkdir()
    (wheelhouse / "requirements.txt").write_text("numpy==2.4.6 --hash=sha256:" + "0" * 64 + "\n")
    (wheelhouse / "numpy-2.4.6-cp311-none-any.whl").write_bytes(b"not the wheel that was listed")
    (wheelhouse / "SHA256SUMS").write_text(
        f"{'1' * 64}  numpy-2.4.6-cp311-none-any.whl\n{'2' * 64}  requirements.txt\n"
    )
    res = run_install(source, "--prefix", root, "--wheelhouse", wheelhouse)
    assert res.returncode == 1
    assert "does not match its SHA256SUMS" in res.stderr
    assert not root.exists()
    res = run_install(source, "--prefix", root, "--wheelhouse", tmp_path)
    assert res.returncode == 1 and "is not a wheelhouse" in res.stderr


def test_session_mode_needs_an_existing_desktop_account(source):
    if not Path("/etc/debian_version").exists() or shutil.which("getent") is None:
        pytest.skip("host dry run needs a Debian host")
    res = run_install(
        source, "--dry-run", "--skip-apt", "--mode", "session", "--user", "fk-no-such-user"
    )
    assert res.returncode == 1
    assert "user 'fk-no-such-user' does not exist" in res.stderr
    assert "[dry-run]" not in res.stdout  # stopped before any step that changes something
