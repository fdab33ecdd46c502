"""TLS: with `tls_cert`/`tls_key` the API speaks HTTPS only (a self-signed certificate made
here; a LAN address additionally needs `allow_lan`, refused without it in the schema)."""

from __future__ import annotations

import datetime as dt
import ipaddress
import ssl

import httpx
import pytest
from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.x509.oid import NameOID

from facekiosk.api.server import ApiServer
from facekiosk.settings import SettingsError, settings_from_data
from facekiosk.vault import Vault


def _self_signed(tmp_path):
    key = ec.generate_private_key(ec.SECP256R1())
    name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "facekiosk test")])
    now = dt.datetime.now(dt.UTC)
    cert = (
        x509.CertificateBuilder().subject_name(name).issuer_name(name)
        .public_key(key.public_key()).serial_number(x509.random_serial_number())
        .not_valid_before(now - dt.timedelta(minutes=1))
        .not_valid_after(now + dt.timedelta(days=1))
        .add_extension(x509.SubjectAlternativeName(
            [x509.IPAddress(ipaddress.ip_address("127.0.0.1"))]), critical=False)
        .sign(key, hashes.SHA256())
    )  # fmt: skip
    cert_path, key_path = tmp_path / "api.crt", tmp_path / "api.key"
    cert_path.write_bytes(cert.public_bytes(serialization.Encoding.PEM))
    key_path.write_bytes(key.private_bytes(
        serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8,
        serialization.NoEncryption()))  # fmt: skip
    return cert_path, key_path


def test_https_with_the_admins_certificate(tmp_path, data_dir):
    cert, key = _self_signed(tmp_path)
    settings = settings_from_data({"api": {"tls_cert": str(cert), "tls_key": str(key)}})
    with Vault.open(data_dir) as vault:
        token = vault.api_keys.create(["read"]).token
        server = ApiServer(vault, settings, data_dir, port=0).start()
        try:
            assert server.url.startswith("https://127.0.0.1:")
            trust = ssl.create_default_context(cafile=str(cert))
            r = httpx.get(f"{server.url}/status", verify=trust,
                          headers={"Authorization": f"Bearer {token}"})  # fmt: skip
            assert r.status_code == 200 and r.json()["status"] == "ok"
            with pytest.raises(httpx.HTTPError):  # plain HTTP is not answered
                httpx.get(server.url.replace("https", "http") + "/status", timeout=5)
        finally:
            server.close()


def test_lan_needs_allow_lan_and_tls():
    with pytest.raises(SettingsError, match="allow_lan"):
        settings_from_data({"api": {"host": "10.0.0.5", "tls_cert": "a", "tls_key": "b"}})
    with pytest.raises(SettingsError, match="tls_cert"):
        settings_from_data({"api": {"host": "10.0.0.5", "allow_lan": True}})
    ok = settings_from_data({"api": {"host": "10.0.0.5", "allow_lan": True, "tls_cert": "a",
                                     "tls_key": "b"}})  # fmt: skip
    assert ok.api.host == "10.0.0.5"
