"""Every endpoint through the real server (child process) with httpx: answers, scopes
refused, wrong / revoked / expired keys, malformed and oversized bodies, unknown Index IDs,
the rate limit; no answer carries a vector or an image."""

from __future__ import annotations

import json
import uuid

import httpx
import pytest

from facekiosk.api.endpoints import ENDPOINTS
from tests.api.conftest import Site


def call(site: Site, endpoint: str, key: str | None = "all", method: str = "GET",
         **kw: object) -> httpx.Response:  # fmt: skip
    headers = dict(kw.pop("headers", {}) or {})  # type: ignore[call-overload]
    if key is not None:
        headers["Authorization"] = f"Bearer {site.keys.get(key, key)}"
    return httpx.request(method, f"{site.url}/{endpoint}", headers=headers, timeout=30, **kw)  # type: ignore[arg-type]


def ok(response: httpx.Response) -> dict:
    assert response.status_code == 200, response.text
    body = response.json()
    assert body["status"] == "ok", body
    return body


def refused(response: httpx.Response, status: int, code: str) -> dict:
    assert response.status_code == status, response.text
    body = response.json()
    assert body["status"] == "error" and body["error"] == code, body
    assert body["message"]
    return body


def test_status_get_and_post(site):
    for method in ("GET", "POST"):
        body = ok(call(site, "status", "read", method))
        assert body["service"] == "facekiosk" and body["scopes"] == ["read"]


def test_listfacialids_pages(site):
    first = ok(call(site, "listfacialids", "read", params={"limit": 5}))
    second = ok(call(site, "listfacialids", "read", "POST", json={"offset": 5, "limit": 5}))
    assert first["total"] >= 10
    ids = [r["fid"] for r in first["fids"] + second["fids"]]
    assert len(ids) == len(set(ids)) == 10
    assert set(ids) <= set(site.fids)
    refused(call(site, "listfacialids", "read", params={"limit": 0}), 400, "BAD_REQUEST")
    refused(call(site, "listfacialids", "read", params={"limit": "x"}), 400, "BAD_REQUEST")


def test_payload_set_and_read(site):
    fid = site.fids[2]
    ok(call(site, "setfacialidpayload", "write", "POST",
            json={"fid": fid, "payload": {"badge": "A-17", "dept": "HR"}}))  # fmt: skip
    assert ok(call(site, "getfacialidpayload", "read", params={"fid": fid}))["payload"] == {
        "badge": "A-17", "dept": "HR"}  # fmt: skip
    ok(call(site, "setfacialidpayload", "write", params={"fid": fid, "payload": "plain"}))
    assert ok(call(site, "getfacialidpayload", "read", "POST",
                   data={"fid": fid}))["payload"] == "plain"  # fmt: skip
    refused(call(site, "setfacialidpayload", "write", params={"fid": fid}), 400,
            "MISSING_PARAMETER")  # fmt: skip
    big = {"fid": fid, "payload": "x" * 20_000}
    refused(call(site, "setfacialidpayload", "write", "POST", json=big), 413, "BODY_TOO_LARGE")


def test_pincode(site):
    fid = site.fids[3]
    ok(call(site, "setfacialidpincode", "write", "POST", json={"fid": fid, "pin": "2791"}))
    refused(call(site, "setfacialidpincode", "write", "POST", json={"fid": fid, "pin": "1234"}),
            400, "WEAK_PIN")  # fmt: skip
    refused(call(site, "setfacialidpincode", "write", "POST", json={"fid": fid, "pin": "12a4"}),
            400, "WEAK_PIN")  # fmt: skip
    rows = ok(call(site, "listfacialids", "read", params={"limit": 100}))["fids"]
    assert [r["has_pin"] for r in rows if r["fid"] == fid] == [True]


def test_attendance_json_and_csv(site):
    span = {"from": "2026-03-02T00:00:00Z", "to": "2026-03-03T00:00:00Z"}
    body = ok(call(site, "attendance", "read", params=span))
    assert body["count"] == 5
    assert [e["decision"] for e in body["events"]][-1] == "check_out"
    assert all(set(e) == {"id", "at", "kind", "fid", "kiosk_id", "decision", "reason"}
               for e in body["events"])  # fmt: skip
    assert "similarity" not in json.dumps(body)  # scores stay on the device
    only = ok(call(site, "attendance", "read", params={**span, "fid": site.fids[0]}))
    assert only["count"] == 2
    csv = call(site, "attendance", "read", params={**span, "format": "csv"})
    assert csv.status_code == 200 and csv.headers["content-type"].startswith("text/csv")
    lines = csv.text.strip().splitlines()
    assert lines[0].startswith("id,at,kind,index_id") and len(lines) == 6
    refused(call(site, "attendance", "read", params={"from": "yesterday"}), 400, "BAD_REQUEST")
    refused(call(site, "attendance", "read", params={**span, "format": "xml"}), 400,
            "BAD_REQUEST")  # fmt: skip


def test_appstats(site):
    span = {"from": "2026-03-01T00:00:00Z", "to": "2026-03-03T00:00:00Z"}
    body = ok(call(site, "appstats", "read", params=span))
    day = body["days"]["2026-03-02"]
    assert day["authentications"] == 3
    assert day["refusals"] == {"PAD_ATTACK": 1, "UNRECOGNIZED_FACE": 1}
    assert day["liveness_refusals"] == 1
    today = ok(call(site, "appstats", "read"))
    assert sum(d["enrolments"] for d in today["days"].values()) >= 12


def test_delete_unknown_and_invalid_fids(site):
    stranger = str(uuid.uuid4())
    for endpoint, key in (("deletefacialid", "delete"), ("getfacialidpayload", "read")):
        refused(call(site, endpoint, key, params={"fid": stranger}), 404, "UNKNOWN_FID")
        refused(call(site, endpoint, key, params={"fid": "robert'); DROP TABLE"}), 400,
                "INVALID_FID")  # fmt: skip
        refused(call(site, endpoint, key), 400, "MISSING_PARAMETER")
    refused(call(site, "setfacialidpincode", "write", params={"fid": stranger, "pin": "2791"}),
            404, "UNKNOWN_FID")  # fmt: skip
    refused(call(site, "setfacialidpayload", "write", params={"fid": stranger, "payload": "x"}),
            404, "UNKNOWN_FID")  # fmt: skip


def test_delete_returns_the_admin_receipt(site):
    fid = site.fids[11]
    body = ok(call(site, "deletefacialid", "delete", "POST", data={"fid": fid, "reason": "left"}))
    assert body["fid"] == fid and body["vectors_removed"] == 1
    assert body["receipt"].startswith("Purged 1 Index ID(s) at ")
    assert f"Audit entry #{body['audit_seq']}." in body["receipt"]
    assert len(body["receipt_code"]) == 9
    refused(call(site, "deletefacialid", "delete", params={"fid": fid}), 404, "UNKNOWN_FID")
    ids = [r["fid"] for r in ok(call(site, "listfacialids", "read"))["fids"]]
    assert fid not in ids
    # no site: the answer is as before, and purgestatus answers from this vault alone
    assert "site" not in body and "Site-wide" not in body["receipt"]
    status = ok(call(site, "purgestatus", "delete", params={"fid": fid}))
    assert (status["site"], status["state"], status["audit_seq"]) == (
        None, "confirmed", body["audit_seq"])  # fmt: skip
    kept = ok(call(site, "purgestatus", "delete", params={"fid": site.fids[10]}))
    assert kept["state"] == "not_purged"
    refused(call(site, "attendance", "read", params={"scope": "site"}), 400, "BAD_REQUEST")


# endpoint -> the parameters it needs (valid), for the scope matrix
ARGS = {
    "status": {}, "listfacialids": {}, "attendance": {}, "appstats": {},
    "getfacialidpayload": {"fid": "FID"}, "setfacialidpayload": {"fid": "FID", "payload": "p"},
    "setfacialidpincode": {"fid": "FID", "pin": "2791"}, "deletefacialid": {"fid": "NOPE"},
    "purgestatus": {"fid": "NOPE"},
}  # fmt: skip


@pytest.mark.parametrize("endpoint", sorted(ENDPOINTS))
def test_each_scope_is_refused_where_it_should_be(site, endpoint):
    needed = ENDPOINTS[endpoint][0]
    params = {k: v.replace("FID", site.fids[4]).replace("NOPE", str(uuid.uuid4()))
              for k, v in ARGS[endpoint].items()}  # fmt: skip
    for key in ("read", "write", "delete"):
        response = call(site, endpoint, key, params=params)
        if key == needed:
            assert response.status_code in (200, 404), response.text  # 404: the unknown fid
        else:
            refused(response, 403, "FORBIDDEN")


@pytest.mark.parametrize("endpoint", sorted(ENDPOINTS))
def test_wrong_revoked_expired_and_missing_keys(site, endpoint):
    key_id = site.keys["read"].split("_")[1]
    forged = f"fk_{key_id}_{'A' * 43}"  # a real key id with a wrong secret
    refused(call(site, endpoint, forged), 401, "UNAUTHORIZED")
    refused(call(site, endpoint, "not-a-key"), 401, "UNAUTHORIZED")
    refused(call(site, endpoint, "revoked"), 401, "KEY_REVOKED")
    refused(call(site, endpoint, "expired"), 401, "KEY_EXPIRED")
    response = refused(call(site, endpoint, None), 401, "UNAUTHORIZED")
    assert response


def test_basic_auth_is_not_a_bearer_key(site):
    response = call(site, "status", None, headers={"Authorization": "Basic dXNlcjpwYXNz"})
    refused(response, 401, "UNAUTHORIZED")
    assert "Bearer" in response.headers["www-authenticate"]


def test_malformed_and_oversized_bodies(site):
    h = {"Content-Type": "application/json"}
    refused(call(site, "listfacialids", "read", "POST", content=b"{not json", headers=h), 400,
            "BAD_REQUEST")  # fmt: skip
    refused(call(site, "listfacialids", "read", "POST", content=b"[1, 2]", headers=h), 400,
            "BAD_REQUEST")  # fmt: skip
    refused(call(site, "listfacialids", "read", "POST", content=b"\xff\xfe{", headers=h), 400,
            "BAD_REQUEST")  # fmt: skip
    xml = {"Content-Type": "application/xml"}
    refused(call(site, "listfacialids", "read", "POST", content=b"<a/>", headers=xml), 415,
            "UNSUPPORTED_MEDIA_TYPE")  # fmt: skip
    refused(call(site, "listfacialids", "read", "POST", content=b"a=1&&=&b",
                 headers={"Content-Type": "application/x-www-form-urlencoded"}), 400,
            "BAD_REQUEST")  # fmt: skip
    big = b'{"fid": "' + b"x" * 70_000 + b'"}'
    refused(call(site, "deletefacialid", "delete", "POST", content=big, headers=h), 413,
            "BODY_TOO_LARGE")  # fmt: skip

    def chunks():  # no Content-Length: the server stops reading at the cap
        for _ in range(100):
            yield b"x" * 1024

    refused(call(site, "listfacialids", "read", "POST", content=chunks(), headers=h), 413,
            "BODY_TOO_LARGE")  # fmt: skip


def test_unknown_endpoint_and_method(site):
    refused(call(site, "enroll"), 404, "NOT_FOUND")
    refused(call(site, "status", method="DELETE"), 405, "METHOD_NOT_ALLOWED")


def test_rate_limit_answers_429_with_retry_after(site):
    codes = []
    with httpx.Client(headers={"Authorization": f"Bearer {site.keys['limited']}"}) as client:
        for _ in range(250):
            response = client.get(f"{site.url}/status")
            codes.append(response.status_code)
            if response.status_code == 429:
                assert int(response.headers["retry-after"]) >= 1
                assert response.json()["error"] == "RATE_LIMITED"
    assert codes[:100] == [200] * 100  # the burst
    assert 429 in codes
    ok(call(site, "status", "read"))  # another key is not slowed down


def test_no_answer_carries_a_vector(site):
    """Every successful read, scanned for anything vector-like (long float lists)."""
    for endpoint in ("status", "listfacialids", "attendance", "appstats"):
        text = call(site, endpoint, "read").text
        assert "embedding" not in text and "template" not in text and "vector" not in text
        numbers = [t for t in text.replace(",", " ").replace("[", " ").split() if "." in t]
        assert len([n for n in numbers if n.lstrip("-").replace(".", "").isdigit()]) < 16
