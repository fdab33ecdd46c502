"""docs/openapi.json and the server agree: every endpoint (GET and POST, its scope), every
error code with its HTTP status."""

from __future__ import annotations

import json
from pathlib import Path

from facekiosk.api.endpoints import ENDPOINTS
from facekiosk.api.errors import HTTP_STATUS

SPEC = json.loads((Path(__file__).resolve().parents[2] / "docs" / "openapi.json").read_text())


def test_every_endpoint_is_documented_with_both_methods_and_its_scope():
    assert set(SPEC["paths"]) == {f"/{name}" for name in ENDPOINTS}
    for name, (scope, _handler) in ENDPOINTS.items():
        ops = SPEC["paths"][f"/{name}"]
        assert set(ops) == {"get", "post"}
        assert {ops[m]["x-scope"] for m in ops} == {scope}


def test_every_error_code_is_documented():
    codes = SPEC["components"]["schemas"]["ErrorCode"]
    assert codes["enum"] == list(HTTP_STATUS)
    for code, status in HTTP_STATUS.items():
        assert f"{code}: HTTP {status}" in codes["description"]
