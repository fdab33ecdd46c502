"""`doctor`'s site line: stand-alone without loading a hub client; a member's last sync and
lag from the real hub; a running kiosk (the vault is held) is named, not waited for."""

from __future__ import annotations

import subprocess
import sys

from facekiosk.doctor import check_site
from facekiosk.settings import Settings
from facekiosk.vault import Vault
from tests.site.conftest import ENV, ROOT, Site

NO_SITE = """
import sys
from pathlib import Path
from facekiosk.doctor import check_site
check = check_site(Path(sys.argv[1]), None)
print(check.status, check.detail)
print(sorted(m for m in sys.modules if m.split(".")[0] == "psycopg"))
"""


def test_doctor_without_a_site_loads_no_hub_client(tmp_path):
    proc = subprocess.run([sys.executable, "-c", NO_SITE, str(tmp_path)], capture_output=True,
                          text=True, env=ENV, cwd=ROOT, timeout=60, check=True)  # fmt: skip
    status, modules = proc.stdout.splitlines()
    assert status.startswith("ok no site configured")
    assert modules == "[]"


def test_doctor_reports_a_members_last_sync_and_lag(pg_cluster, tmp_path):
    site = Site(pg_cluster, tmp_path).create("A")
    check = check_site(site.dir("A"), Settings())
    assert check.status == "warn" and "last sync never" in check.detail, check  # never synced
    site.sync("A")
    check = check_site(site.dir("A"), Settings())
    assert check.status == "ok", check
    assert "as A; last sync 20" in check.detail and "lag 0" in check.detail
    with Vault.open(site.dir("A")):  # the kiosk is running: doctor does not wait for it
        check = check_site(site.dir("A"), Settings())
    assert check.status == "ok" and "running kiosk" in check.detail
