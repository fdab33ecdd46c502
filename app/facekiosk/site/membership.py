"""This kiosk's membership of a site: `site.json` in the data dir (hub address, role, site
id) and its secrets (site key, role password) sealed under the vault's own key ring; plus
`site init`, `site token` and `site join`. No `site.json`: no site, no socket."""

from __future__ import annotations

import base64
import json
import logging
import uuid
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

from facekiosk.fsutil import atomic_write
from facekiosk.site.site_crypto import JoinToken, SiteCryptoError, new_site_key

if TYPE_CHECKING:
    import psycopg

    from facekiosk.vault import Vault

log = logging.getLogger(__name__)

SITE_FILE = "site.json"
SECRET_NAME = "site"


class SiteError(Exception):
    """A site operation that failed for a reason an admin can act on."""


@dataclass
class SiteSecrets:
    site_key: bytes
    password: str
    old_password: str = ""  # kept until the hub is known to have the new one


@dataclass
class Membership:
    site_id: str
    kiosk_id: str
    role: str
    dsn: str  # host, port, dbname, TLS options: never a user or password
    sealed: str  # SiteSecrets, sealed by the vault (base64)

    @staticmethod
    def path(data_dir: Path) -> Path:
        return Path(data_dir) / SITE_FILE

    @classmethod
    def load(cls, data_dir: Path) -> Membership | None:
        path = cls.path(data_dir)
        if not path.exists():
            return None
        try:
            return cls(**json.loads(path.read_text()))
        except (ValueError, TypeError) as exc:
            raise SiteError(f"{path} is damaged ({exc}): join the site again") from exc

    def save(self, data_dir: Path) -> None:
        atomic_write(self.path(data_dir), json.dumps(asdict(self), indent=2).encode() + b"\n")

    def secrets(self, vault: Vault) -> SiteSecrets:
        raw = vault.transfer.open_secret(SECRET_NAME, base64.b64decode(self.sealed))
        d = json.loads(raw)
        return SiteSecrets(base64.b64decode(d["key"]), d["pw"], d.get("old", ""))

    def seal(self, vault: Vault, secrets: SiteSecrets) -> None:
        key = base64.b64encode(secrets.site_key).decode()
        raw = json.dumps({"key": key, "pw": secrets.password, "old": secrets.old_password})
        sealed = vault.transfer.seal_secret(SECRET_NAME, raw.encode())
        self.sealed = base64.b64encode(sealed).decode()


def dead_peer_params(dead_peer_s: float) -> dict[str, int]:
    """libpq's TCP keepalive and user-timeout parameters (libpq ignores them on a Unix
    socket) for a hub that stops answering: an idle connection probes after half of
    `dead_peer_s` and fails once three probes at a third of the rest go unanswered; data
    left unacknowledged for `dead_peer_s` fails the query it belongs to (keepalives are
    not sent while data is outstanding; Linux also uses the user timeout to end the
    keepalive probing, so either way the connection fails after about `dead_peer_s`)."""
    idle = max(1, int(dead_peer_s // 2))
    count = 3
    interval = max(1, int((dead_peer_s - idle) // count))
    return {
        "keepalives": 1, "keepalives_idle": idle, "keepalives_interval": interval,
        "keepalives_count": count, "tcp_user_timeout": max(1000, round(dead_peer_s * 1000)),
    }  # fmt: skip


def connect(
    dsn: str, role: str, password: str, *, timeout_s: float = 5.0, kiosk_id: str = "",
    dead_peer_s: float = 20.0,
) -> psycopg.Connection[Any]:  # fmt: skip
    import psycopg
    from psycopg.conninfo import conninfo_to_dict

    given = conninfo_to_dict(dsn)  # a value the admin wrote into the DSN wins
    tcp: dict[str, Any] = {k: v for k, v in dead_peer_params(dead_peer_s).items() if k not in given}
    return psycopg.connect(
        dsn, user=role, password=password, autocommit=True,
        connect_timeout=max(1, round(timeout_s)), application_name=f"facekiosk {kiosk_id}"[:63],
        **tcp,
    )  # fmt: skip


def connect_member(
    m: Membership, secrets: SiteSecrets, timeout_s: float = 5.0, dead_peer_s: float = 20.0
) -> psycopg.Connection[Any]:
    """As this kiosk's role; falls back to the previous password after a crash between
    changing it on the hub and saving it here."""
    import psycopg

    kw: dict[str, Any] = {"timeout_s": timeout_s, "kiosk_id": m.kiosk_id,
                          "dead_peer_s": dead_peer_s}  # fmt: skip
    try:
        return connect(m.dsn, m.role, secrets.password, **kw)
    except psycopg.OperationalError:
        if not secrets.old_password:
            raise
        return connect(m.dsn, m.role, secrets.old_password, **kw)


def _scram(conn: psycopg.Connection[Any], role: str, password: str) -> str:
    """The SCRAM verifier computed by libpq here: no plain password crosses to the hub."""
    return conn.pgconn.encrypt_password(password.encode(), role.encode(), b"scram-sha-256").decode()


def issue_token(conn: psycopg.Connection[Any], site_id: str, site_key: bytes) -> JoinToken:
    token = JoinToken.new(site_id)
    conn.execute(
        "SELECT facekiosk.issue_token(%s, %s, %s, %s)",
        (token.role, _scram(conn, token.role, token.password), token.hub_hash(),
         token.wrap(site_key)),
    )  # fmt: skip
    return token


def strip_credentials(dsn: str) -> str:
    from psycopg.conninfo import conninfo_to_dict, make_conninfo

    params = {k: v for k, v in conninfo_to_dict(dsn).items() if k not in ("user", "password")}
    return make_conninfo(**{k: str(v) for k, v in params.items() if v is not None})


def init_site(vault: Vault, admin_dsn: str, kiosk_id: str) -> Membership:
    """Create the hub schema with the admin's DSN, then join this kiosk with a token it
    issues to itself (the admin's credentials are not kept)."""
    import psycopg

    from facekiosk.site import hub_schema

    if Membership.load(vault.data_dir) is not None:
        raise SiteError(f"{vault.data_dir} is already a site member ({SITE_FILE})")
    site_id, site_key = str(uuid.uuid4()), new_site_key()
    with psycopg.connect(admin_dsn, autocommit=True) as conn:
        if hub_schema.installed(conn):
            raise SiteError("this database already holds a facekiosk site: join it instead")
        hub_schema.install(conn, site_id)
        token = issue_token(conn, site_id, site_key)
    return join_site(vault, strip_credentials(admin_dsn), token.encode(), kiosk_id)


def join_site(vault: Vault, dsn: str, token_text: str, kiosk_id: str) -> Membership:
    import psycopg
    from psycopg import sql

    if Membership.load(vault.data_dir) is not None:
        raise SiteError(f"{vault.data_dir} is already a site member ({SITE_FILE})")
    try:
        token = JoinToken.decode(token_text)
    except SiteCryptoError as exc:
        raise SiteError(str(exc)) from exc
    dsn = strip_credentials(dsn)
    try:
        conn = connect(dsn, token.role, token.password, kiosk_id=kiosk_id)
    except psycopg.OperationalError as exc:
        if "password authentication failed" in str(exc):
            raise SiteError("join token refused: wrong, or already used") from exc
        raise SiteError(f"cannot reach the hub: {exc}") from exc
    with conn:
        try:
            with conn.transaction():
                row = conn.execute(
                    "SELECT facekiosk.redeem_token(%s, %s)", (token.hub_hash(), kiosk_id)
                ).fetchone()
        except psycopg.errors.InvalidAuthorizationSpecification as exc:
            raise SiteError("join token refused: wrong, or already used") from exc
        except psycopg.errors.UniqueViolation as exc:  # the token stays valid
            raise SiteError(str(exc).strip().splitlines()[0]) from exc
        assert row is not None
        site_key = token.unwrap(bytes(row[0]))
        m = Membership(token.site_id, kiosk_id, token.role, dsn, "")
        secrets = SiteSecrets(site_key, JoinToken.new(token.site_id).password, token.password)
        m.seal(vault, secrets)
        m.save(vault.data_dir)  # both passwords: a crash below still gets in
        verifier = _scram(conn, token.role, secrets.password)
        conn.execute(
            sql.SQL("ALTER ROLE {} PASSWORD {}").format(
                sql.Identifier(token.role), sql.Literal(verifier)
            )
        )
    secrets.old_password = ""
    m.seal(vault, secrets)
    m.save(vault.data_dir)
    log.info("joined site %s as %s (%s)", m.site_id, kiosk_id, m.role)
    return m
