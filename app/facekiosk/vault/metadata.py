"""The SQLite metadata file: schema, migrations, connection settings.

Schema changes are numbered migrations run in order inside one transaction. An
existing vault is copied to `backups/` before it is migrated; a vault written by a
newer app (higher version than `SCHEMA_VERSION`) is refused, never touched.
"""

from __future__ import annotations

import logging
import sqlite3
from collections.abc import Callable
from datetime import UTC, datetime
from pathlib import Path

import sqlite_utils

from facekiosk.vault.errors import (
    SchemaVersionError,
    VaultDiskFullError,
    VaultError,
    disk_is_full,
)

log = logging.getLogger(__name__)

METADATA_FILE = "vault.sqlite"
BACKUP_DIR = "backups"


def _v1(db: sqlite_utils.Database) -> None:
    db.table("meta").create({"key": str, "value": str}, pk="key")
    db.table("identities").create(
        {
            "index_id": str,
            "engine": str,
            "model": str,
            "created": str,
            "consent_version": str,
            "status": str,
            "valid_until": str,
            "last_seen": str,
            "label_ct": bytes,
            "payload_ct": bytes,
            "n_images": int,
        },
        pk="index_id",
        not_null={"engine", "model", "created", "status"},
    )
    db.table("pins").create(
        {"index_id": str, "salt": bytes, "hash": bytes, "params": str, "set_at": str},
        pk="index_id",
        foreign_keys=[("index_id", "identities", "index_id")],
    )
    db.table("consents").create(
        {"id": int, "index_id": str, "version": str, "accepted_at": str}, pk="id"
    )
    db.table("audit").create(
        {"seq": int, "at": str, "actor": str, "action": str, "details": str, "mac": str},
        pk="seq",
    )
    db.table("events").create(
        {
            "id": int,
            "at": str,
            "kind": str,
            "index_id": str,
            "kiosk_id": str,
            "decision": str,
            "reason": str,
            "extra": str,
        },
        pk="id",
    )


def _v2(db: sqlite_utils.Database) -> None:
    """Lockout counters for the PIN policy, an `updated` column, indexes, append-only audit."""
    db.table("counters").create({"key": str, "value": int, "updated": str}, pk="key")
    db.table("identities").add_column("updated", str)
    db.table("events").create_index(["at"], if_not_exists=True)
    db.table("events").create_index(["index_id"], if_not_exists=True)
    db.table("consents").create_index(["index_id"], if_not_exists=True)
    for op in ("UPDATE", "DELETE"):
        db.execute(
            f"CREATE TRIGGER audit_no_{op.lower()} BEFORE {op} ON audit "
            f"BEGIN SELECT RAISE(ABORT, 'the audit log is append-only'); END"
        )


def _v3(db: sqlite_utils.Database) -> None:
    """The integrator API (issue 15): API keys (hashes only), webhooks (no secrets: each is
    derived from the vault key), the webhook outbox, and per-day API call counters."""
    db.table("api_keys").create(
        {"key_id": str, "hash": bytes, "scopes": str, "label": str, "created": str,
         "expires": str, "revoked": str, "last_used": str},
        pk="key_id", not_null={"hash", "scopes", "created"},
    )  # fmt: skip
    db.table("webhooks").create(
        {"id": int, "url": str, "events": str, "nonce": str, "created": str, "enabled": int},
        pk="id", not_null={"url", "events", "nonce", "created"},
    )  # fmt: skip
    db.table("webhook_outbox").create(
        {"id": int, "webhook_id": int, "event_key": str, "event": str, "body": str,
         "created": str, "attempts": int, "next_at": str, "delivered_at": str,
         "last_error": str},
        pk="id", not_null={"webhook_id", "event_key", "event", "body", "created"},
    )  # fmt: skip
    db.execute(
        "CREATE UNIQUE INDEX webhook_outbox_once ON webhook_outbox(webhook_id, event_key)"
    )
    db.execute(
        "CREATE INDEX webhook_outbox_pending ON webhook_outbox(webhook_id, delivered_at, id)"
    )
    db.table("api_usage").create(
        {"day": str, "key_id": str, "endpoint": str, "status": int, "calls": int},
        pk=("day", "key_id", "endpoint", "status"),
    )


MIGRATIONS: dict[int, Callable[[sqlite_utils.Database], None]] = {1: _v1, 2: _v2, 3: _v3}
SCHEMA_VERSION = max(MIGRATIONS)


def connect(path: Path) -> sqlite3.Connection:
    conn = sqlite3.connect(path, check_same_thread=False, isolation_level=None)
    try:
        conn.execute("PRAGMA journal_mode=WAL")
    except sqlite3.OperationalError:
        conn.close()
        if not disk_is_full(path.parent):
            raise
        return connect_read_only(path)
    conn.execute("PRAGMA synchronous=FULL")  # a commit is on disk when it returns
    conn.execute("PRAGMA secure_delete=ON")  # deleted rows are zeroed, not left in free pages
    conn.execute("PRAGMA foreign_keys=ON")
    return conn


def connect_read_only(path: Path) -> sqlite3.Connection:
    """On a full disk: WAL mode cannot create its shared-memory file, so the kiosk could not
    even read. The caller holds the process lock (no other writer), so with no WAL left
    over the file is opened immutable (no side files); a left-over WAL is read in place."""
    wal = path.with_name(path.name + "-wal")
    flag = "mode=ro" if wal.exists() and wal.stat().st_size else "immutable=1"
    try:
        conn = sqlite3.connect(
            f"{path.resolve().as_uri()}?{flag}", uri=True, check_same_thread=False,
            isolation_level=None,
        )  # fmt: skip
        conn.execute("PRAGMA query_only=ON")
        conn.execute("SELECT COUNT(*) FROM sqlite_master").fetchone()
    except sqlite3.OperationalError as exc:
        raise VaultDiskFullError(path.parent) from exc
    log.warning("the disk is full: %s opened read-only", path)
    return conn


def is_read_only(conn: sqlite3.Connection) -> bool:
    return bool(conn.execute("PRAGMA query_only").fetchone()[0])


def schema_version(conn: sqlite3.Connection) -> int:
    has_table = conn.execute(
        "SELECT 1 FROM sqlite_master WHERE type='table' AND name='schema_version'"
    ).fetchone()
    if not has_table:
        return 0
    row = conn.execute("SELECT MAX(version) FROM schema_version").fetchone()
    return int(row[0] or 0)


def open_metadata(data_dir: Path) -> sqlite3.Connection:
    """Open (creating or migrating as needed) the metadata database."""
    path = data_dir / METADATA_FILE
    existed = path.exists()
    conn = connect(path)
    os_chmod_private(path)
    try:
        version = schema_version(conn)
        if version > SCHEMA_VERSION:
            raise SchemaVersionError(
                f"{path}: vault schema v{version} was written by a newer facekiosk "
                f"(this one knows v{SCHEMA_VERSION}); downgrades are refused — install the "
                f"newer version or restore a backup made by this one"
            )
        if version < SCHEMA_VERSION:
            if is_read_only(conn):
                raise VaultDiskFullError(data_dir)  # a migration writes
            if existed and version > 0:
                backup = backup_metadata(conn, data_dir, version)
                log.warning(
                    "migrating vault schema v%d -> v%d (backup: %s)",
                    version,
                    SCHEMA_VERSION,
                    backup.name,
                )
            migrate(conn, version)
    except BaseException:
        conn.close()
        raise
    return conn


def migrate(conn: sqlite3.Connection, current: int) -> None:
    db = sqlite_utils.Database(conn)
    conn.execute("BEGIN IMMEDIATE")
    try:
        if current == 0:
            db.table("schema_version").create({"version": int, "applied_at": str}, pk="version")
        for version in range(current + 1, SCHEMA_VERSION + 1):
            MIGRATIONS[version](db)
            conn.execute(
                "INSERT INTO schema_version(version, applied_at) VALUES (?, ?)",
                (version, datetime.now(UTC).isoformat()),
            )
        conn.execute("COMMIT")
    except BaseException:
        conn.execute("ROLLBACK")
        raise


def backup_metadata(conn: sqlite3.Connection, data_dir: Path, version: int) -> Path:
    folder = data_dir / BACKUP_DIR
    folder.mkdir(mode=0o700, exist_ok=True)
    stamp = datetime.now(UTC).strftime("%Y%m%dT%H%M%S%f")
    dest = folder / f"vault.v{version}.{stamp}.sqlite"
    target = sqlite3.connect(dest)
    try:
        conn.backup(target)
    except sqlite3.Error as exc:
        raise VaultError(f"could not back up the vault before migrating: {exc}") from exc
    finally:
        target.close()
    os_chmod_private(dest)
    return dest


def os_chmod_private(path: Path) -> None:
    import os

    os.chmod(path, 0o600)
