"""A throw-away PostgreSQL cluster on loopback for the site tests and `bench site`:
`initdb` + `pg_ctl` from Debian's `postgresql` package, SCRAM passwords on 127.0.0.1 and
TLS with a self-signed CA, so the kiosks connect exactly as on a site
(`sslmode=verify-full`). initdb refuses to run as root: as root the cluster runs as the
`postgres` user (which must be able to read the temp dir)."""

from __future__ import annotations

import datetime as dt
import glob
import ipaddress
import os
import pwd
import secrets
import shutil
import socket
import subprocess
import tempfile
from collections.abc import Sequence
from pathlib import Path

ADMIN = "postgres"


def pg_bin_dir() -> Path | None:
    """The newest installed PostgreSQL's bin dir (any version), or None."""
    found = sorted(
        glob.glob("/usr/lib/postgresql/*/bin/initdb"),
        key=lambda p: int(Path(p).parts[-3]) if Path(p).parts[-3].isdigit() else 0,
    )
    if found:
        return Path(found[-1]).parent
    initdb = shutil.which("initdb")
    return Path(initdb).parent if initdb else None


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def write_ca_and_server_cert(directory: Path, host: str = "127.0.0.1") -> tuple[Path, Path, Path]:
    """A self-signed CA and a server certificate for `host` it signs (ca.crt, server.crt,
    server.key); the README shows the same with openssl."""
    from cryptography import x509
    from cryptography.hazmat.primitives import hashes, serialization
    from cryptography.hazmat.primitives.asymmetric import ec
    from cryptography.x509.oid import NameOID

    now = dt.datetime.now(dt.UTC)
    ca_key = ec.generate_private_key(ec.SECP256R1())
    ca_name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "facekiosk site test CA")])
    ca = (
        x509.CertificateBuilder().subject_name(ca_name).issuer_name(ca_name)
        .public_key(ca_key.public_key()).serial_number(x509.random_serial_number())
        .not_valid_before(now - dt.timedelta(minutes=5)).not_valid_after(now + dt.timedelta(days=2))
        .add_extension(x509.BasicConstraints(ca=True, path_length=0), critical=True)
        .sign(ca_key, hashes.SHA256())
    )  # fmt: skip
    key = ec.generate_private_key(ec.SECP256R1())
    san = x509.SubjectAlternativeName([x509.IPAddress(ipaddress.ip_address(host))])
    cert = (
        x509.CertificateBuilder()
        .subject_name(x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, host)]))
        .issuer_name(ca_name).public_key(key.public_key()).serial_number(x509.random_serial_number())
        .not_valid_before(now - dt.timedelta(minutes=5)).not_valid_after(now + dt.timedelta(days=2))
        .add_extension(san, critical=False).sign(ca_key, hashes.SHA256())
    )  # fmt: skip
    paths = (directory / "ca.crt", directory / "server.crt", directory / "server.key")
    paths[0].write_bytes(ca.public_bytes(serialization.Encoding.PEM))
    paths[1].write_bytes(cert.public_bytes(serialization.Encoding.PEM))
    paths[2].write_bytes(
        key.private_bytes(
            serialization.Encoding.PEM,
            serialization.PrivateFormat.TraditionalOpenSSL,
            serialization.NoEncryption(),
        )
    )
    paths[2].chmod(0o600)
    return paths


class Cluster:
    """`start()`, `stop()`, `dsn(dbname)` (admin), `kiosk_dsn(dbname)` (no user)."""

    def __init__(self, root: Path | None = None, *, port: int | None = None) -> None:
        bin_dir = pg_bin_dir()
        if bin_dir is None:
            raise RuntimeError("no PostgreSQL binaries (apt-get install postgresql)")
        self.bin = bin_dir
        self.root = Path(root or tempfile.mkdtemp(prefix="facekiosk-pg-"))
        self.data = self.root / "pgdata"
        self.port = port or _free_port()
        self.password = secrets.token_urlsafe(18)
        self.ca = self.root / "ca.crt"
        self._as_user: list[str] = []
        if os.geteuid() == 0:
            self._as_user = ["runuser", "-u", "postgres", "--"]

    def _run(self, *args: str | Path, check: bool = True) -> subprocess.CompletedProcess[str]:
        cmd = [*self._as_user, *(str(a) for a in args)]
        proc = subprocess.run(cmd, capture_output=True, text=True, timeout=120)
        if check and proc.returncode != 0:
            raise RuntimeError(f"{' '.join(cmd)} failed: {proc.stderr.strip()[-800:]}")
        return proc

    def init(self) -> Cluster:
        self.root.mkdir(parents=True, exist_ok=True)
        pwfile = self.root / "pw"
        pwfile.write_text(self.password)
        sock = self.root / "sock"
        sock.mkdir(exist_ok=True)
        write_ca_and_server_cert(self.root)
        if self._as_user:
            pw = pwd.getpwnam("postgres")
            os.chmod(self.root, 0o755)
            for p in (self.root, pwfile, sock, self.root / "server.key", self.root / "server.crt"):
                os.chown(p, pw.pw_uid, pw.pw_gid)
        self._run(
            self.bin / "initdb", "-D", self.data, "-U", ADMIN, "--pwfile", pwfile,
            "--auth-host=scram-sha-256", "--auth-local=scram-sha-256", "-E", "UTF8",
            "--no-instructions",
        )  # fmt: skip
        conf = self.data / "postgresql.conf"
        extra = (
            f"\nlisten_addresses = '127.0.0.1'\nport = {self.port}\n"
            f"unix_socket_directories = '{sock}'\nssl = on\n"
            f"ssl_cert_file = '{self.root / 'server.crt'}'\n"
            f"ssl_key_file = '{self.root / 'server.key'}'\n"
            "fsync = off\nsynchronous_commit = off\nmax_connections = 60\n"
            "shared_buffers = 32MB\n"
        )  # fsync off: a throw-away cluster; a site's hub keeps the defaults
        with open(conf, "a") as fh:
            fh.write(extra)
        return self

    def start(self) -> Cluster:
        if not self.data.exists():
            self.init()
        self._run(self.bin / "pg_ctl", "-D", self.data, "-l", self.root / "log", "-w", "start")
        return self

    def stop(self, mode: str = "fast") -> None:
        self._run(self.bin / "pg_ctl", "-D", self.data, "-m", mode, "-w", "stop", check=False)

    def running(self) -> bool:
        status = self._run(self.bin / "pg_ctl", "-D", self.data, "status", check=False)
        return status.returncode == 0

    def destroy(self) -> None:
        self.stop("immediate")
        shutil.rmtree(self.root, ignore_errors=True)

    def kiosk_dsn(self, dbname: str) -> str:
        """What a kiosk is given: host, port, database and TLS verified against the CA."""
        return (
            f"host=127.0.0.1 port={self.port} dbname={dbname} sslmode=verify-full "
            f"sslrootcert={self.ca}"
        )

    def dsn(self, dbname: str = "postgres") -> str:
        return f"{self.kiosk_dsn(dbname)} user={ADMIN} password={self.password}"

    def create_db(self, dbname: str) -> str:
        import psycopg

        with psycopg.connect(self.dsn(), autocommit=True) as conn:
            conn.execute(f'CREATE DATABASE "{dbname}"')
        return self.dsn(dbname)

    def query(
        self, dbname: str, sql: str, params: Sequence[object] = ()
    ) -> list[tuple[object, ...]]:
        """As the admin (the owner: row-level security does not apply)."""
        import psycopg

        with psycopg.connect(self.dsn(dbname), autocommit=True) as conn:
            cur = conn.execute(sql.encode(), params or None)
            return list(cur.fetchall()) if cur.description else []
