"""The kiosk's own process (`build_kiosk`, as `facekiosk run` builds it): with the API and
webhooks off (the default) it holds no IP socket at all and never imports the HTTP stack;
with the API on it serves it on loopback from the same vault and stops it on close."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import textwrap
from pathlib import Path

from facekiosk.vault import Vault
from tests.api.conftest import ROOT

CHILD = """
import json, os, sys
from pathlib import Path
from facekiosk.settings import settings_from_data
from facekiosk.ui.app import build_kiosk

def ip_sockets():
    mine = set()
    for fd in os.listdir("/proc/self/fd"):
        try:
            target = os.readlink(f"/proc/self/fd/{fd}")
        except OSError:
            continue
        if target.startswith("socket:["):
            mine.add(target[8:-1])
    found = []
    for table in ("tcp", "tcp6", "udp", "udp6"):
        for line in Path(f"/proc/net/{table}").read_text().splitlines()[1:]:
            f = line.split()
            if f[9] in mine:
                found.append((table, f[1], f[3]))
    return found

data_dir, data = Path(sys.argv[1]), json.loads(sys.argv[2])
kiosk = build_kiosk(settings_from_data(data), data_dir, "demo", engine_mode="thread", demo=True)
out = {"sockets": ip_sockets(), "http_stack": sorted(m for m in ("uvicorn", "starlette", "httpx")
                                                       if m in sys.modules)}
server = kiosk.integrations.server
if server is not None:
    import httpx
    key = sys.argv[3]
    r = httpx.get(f"{server.url}/listfacialids", headers={"Authorization": f"Bearer {key}"})
    out.update(url=server.url, answer=r.json(), served_sockets=ip_sockets())
out["sender"] = kiosk.integrations.sender is not None
kiosk.close()
out["after_close"] = ip_sockets()
print("RESULT " + json.dumps(out), flush=True)
"""


def _kiosk(tmp_path: Path, data_dir: Path, settings: dict, key: str = "") -> dict:
    script = tmp_path / "child.py"
    script.write_text(textwrap.dedent(CHILD))
    env = {**os.environ, "QT_QPA_PLATFORM": "offscreen", "PYTHONPATH": str(ROOT / "app")}
    done = subprocess.run(
        [sys.executable, str(script), str(data_dir), json.dumps(settings), key],
        capture_output=True, text=True, timeout=180, env=env,
    )  # fmt: skip
    assert done.returncode == 0, done.stderr[-3000:]
    line = [s for s in done.stdout.splitlines() if s.startswith("RESULT ")][-1]
    return json.loads(line[7:])


def test_off_by_default_no_ip_socket_and_no_http_stack(tmp_path, data_dir):
    result = _kiosk(tmp_path, data_dir, {})
    assert result["sockets"] == [] and result["after_close"] == []
    assert result["http_stack"] == [] and not result["sender"]


def test_api_on_serves_from_the_kiosk_on_loopback_and_stops_with_it(tmp_path, data_dir):
    import socket

    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    with Vault.open(data_dir) as vault:
        key = vault.api_keys.create(["read"]).token
    settings = {"api": {"enabled": True, "port": port}, "webhooks": {"enabled": True}}
    result = _kiosk(tmp_path, data_dir, settings, key)
    assert result["url"] == f"http://127.0.0.1:{port}"
    assert result["answer"]["status"] == "ok" and result["sender"]
    listening = [s for s in result["served_sockets"] if s[2] == "0A"]  # TCP LISTEN
    assert [s[1] for s in listening] == [f"0100007F:{port:04X}"]  # 127.0.0.1 only
    assert [s for s in result["after_close"] if s[2] == "0A"] == []
