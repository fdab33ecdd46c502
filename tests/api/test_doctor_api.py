"""`facekiosk doctor` reports the API's state: off (no socket), on and answering, on with
nothing listening (warn, with what to do), a missing TLS file (fail)."""

from __future__ import annotations

import socket

from facekiosk.doctor import WARN, check_api
from facekiosk.settings import settings_from_data


def test_off_on_and_silent_states():
    off = check_api(settings_from_data({}))
    assert off.status == "ok" and "API off" in off.detail
    with socket.socket() as server:
        server.bind(("127.0.0.1", 0))
        server.listen(1)
        port = server.getsockname()[1]
        on = check_api(settings_from_data({"api": {"enabled": True, "port": port}}))
        assert on.status == "ok" and "answering" in on.detail
    silent = check_api(settings_from_data({"api": {"enabled": True, "port": port}}))
    assert silent.status == WARN and "api serve" in silent.hint


def test_missing_tls_file_fails(tmp_path):
    settings = settings_from_data({"api": {
        "enabled": True, "tls_cert": str(tmp_path / "no.pem"), "tls_key": str(tmp_path / "k.pem"),
    }})  # fmt: skip
    result = check_api(settings)
    assert result.status == "fail" and "tls_cert" in result.detail
