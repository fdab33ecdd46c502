"""The session-wide guard in conftest.py refuses non-loopback sockets but allows loopback."""

from __future__ import annotations

import socket
import threading

import pytest


def test_guard_refuses_outside_address():
    with pytest.raises(AssertionError, match="network access attempted"):
        socket.create_connection(("192.0.2.1", 80), timeout=0.5)


def test_guard_refuses_dns_lookup():
    with pytest.raises(AssertionError, match="network access attempted"):
        socket.getaddrinfo("pypi.org", 443)


def test_loopback_is_allowed():
    server = socket.socket()
    server.bind(("127.0.0.1", 0))
    server.listen(1)
    port = server.getsockname()[1]
    accepted = []
    t = threading.Thread(target=lambda: accepted.append(server.accept()[0]))
    t.start()
    client = socket.create_connection(("127.0.0.1", port), timeout=2)
    t.join(2)
    assert accepted
    client.close()
    accepted[0].close()
    server.close()


_NO_SITE = """
import sys
from pathlib import Path
from facekiosk.settings import load_settings
from facekiosk.site.service import start_site_service
from facekiosk.vault import Vault

data = Path(sys.argv[1])
with Vault.open(data) as vault:
    assert start_site_service(data, load_settings(data), vault) is None
loaded = sorted(m for m in sys.modules if m.split(".")[0] in ("psycopg", "psycopg_binary"))
assert not loaded, loaded
print("no site, no hub client")
"""


def test_a_kiosk_without_a_site_loads_no_hub_client(tmp_path):
    """ui/app.build_kiosk's site hook: no site.json, no psycopg, no socket (the OS-level
    check of the whole kiosk is test_os_silence.py)."""
    import os
    import subprocess
    import sys
    from pathlib import Path

    app = Path(__file__).resolve().parents[2] / "app"
    data = tmp_path / "data"
    data.mkdir(mode=0o700)
    env = {**os.environ, "PYTHONPATH": str(app)}
    proc = subprocess.run([sys.executable, "-c", _NO_SITE, str(data)], env=env,
                          capture_output=True, text=True, timeout=120)  # fmt: skip
    assert proc.returncode == 0, proc.stderr[-2000:]
    assert "no site, no hub client" in proc.stdout
