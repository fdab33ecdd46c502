"""The vault's audit room: appends inside the caller's transaction, the sealed chain-head
anchor written after each commit, verification and off-device checkpoints (the chain
itself is audit.py)."""

from __future__ import annotations

import logging
import sqlite3
from collections.abc import Callable
from pathlib import Path
from typing import Any

from facekiosk.vault import audit as audit_log
from facekiosk.vault.crypto import ENVELOPE_FILE, AuthenticationFailed, KeyRing
from facekiosk.vault.metadata import METADATA_FILE
from facekiosk.vault.metadb import MetaDb
from facekiosk.vault.records import AuditEntry, AuditVerification

log = logging.getLogger(__name__)


class AuditTrail:
    def __init__(self, db: MetaDb, ring: KeyRing, vault_id: str, data_dir: Path) -> None:
        self.db = db
        self.ring = ring
        self.vault_id = vault_id
        self.anchor_path = data_dir / audit_log.ANCHOR_FILE
        self._dirty = False
        self._anchor: audit_log.Anchor | None = None
        self._anchor_problem = ""
        db.listeners.append(self)

    # --- appends and the anchor ------------------------------------------------------------

    def append(
        self, conn: sqlite3.Connection, action: str, actor: str, details: dict[str, Any]
    ) -> int:
        """One entry inside the caller's transaction; anchored after it commits."""
        seq = audit_log.append(conn, self.ring.audit_key, action, actor, details)
        self._dirty = True
        return seq

    def record(self, action: str, actor: str, details: dict[str, Any] | None = None) -> int:
        """One entry in a transaction of its own."""
        with self.db.tx() as conn:
            return self.append(conn, action, actor, details or {})

    def committed(self) -> None:
        if self._dirty:  # after the commit: a crash here leaves the anchor one behind
            self._dirty = False
            try:
                self.write_anchor()
            except OSError:  # the change is committed; verify reports the lag
                log.exception("could not write the audit head anchor")

    def rolled_back(self) -> None:
        self._dirty = False

    def load_anchor(self, mark_anchored: Callable[[], None]) -> None:
        """Read the sealed chain head; a vault from before anchoring gets one now, and
        `mark_anchored` records that in the sealed key envelope, so that deleting the
        anchor together with its SQLite marker never passes for a pre-anchor vault."""
        conn = self.db.conn
        marked = conn.execute("SELECT 1 FROM meta WHERE key='audit_anchor'").fetchone()
        try:
            self._anchor = audit_log.read_anchor(self.anchor_path, self.ring, self.vault_id)
        except FileNotFoundError:
            if self.ring.audit_anchored:
                self._anchor_problem = (
                    f"the audit head anchor {audit_log.ANCHOR_FILE} is missing, but the key "
                    f"envelope {ENVELOPE_FILE} records that this vault's log was anchored: "
                    f"it was deleted, perhaps with the newest audit entries. Restore "
                    f"{audit_log.ANCHOR_FILE} and {METADATA_FILE} from the newest backup, or "
                    f"verify against an off-device checkpoint (admin audit --verify --against)"
                )
            elif marked:
                self._anchor_problem = (
                    f"the audit head anchor {audit_log.ANCHOR_FILE} is missing (deleted?)"
                )
            else:
                self.write_anchor()
        except (AuthenticationFailed, ValueError, KeyError) as exc:
            self._anchor_problem = (
                f"the audit head anchor {audit_log.ANCHOR_FILE} fails authentication ({exc})"
            )
        if self._anchor_problem:
            return
        if not marked:
            with self.db.tx() as tx:
                tx.execute("INSERT INTO meta(key, value) VALUES ('audit_anchor', '1')")
        mark_anchored()  # after the anchor is on disk: a crash before it is no false alarm

    def write_anchor(self) -> None:
        """Seal the current chain head; problems with the old anchor are carried over."""
        with self.db.lock:
            seq, mac = audit_log.head(self.db.conn)
            alarms = list(self._anchor.alarms) if self._anchor else []
            problem = self._anchor_problem
            if self._anchor is not None and not problem:
                problem = audit_log.anchor_break(self.db.conn, self._anchor) or ""
            if problem:
                alarms.append(f"{problem} (found when entry {seq} was anchored)")
            anchor = audit_log.Anchor(seq, mac, tuple(alarms))
            audit_log.write_anchor(self.anchor_path, self.ring, self.vault_id, anchor)
            self._anchor, self._anchor_problem = anchor, ""

    # --- reading ---------------------------------------------------------------------------

    def entries(self, since_seq: int = 0, limit: int | None = None) -> list[AuditEntry]:
        with self.db.lock:
            return audit_log.entries(self.db.conn, since_seq, limit)

    def verify(self, checkpoint: str | None = None) -> AuditVerification:
        """Chain, sealed head anchor and, if given, an off-device checkpoint token
        (`checkpoint()` earlier): the only check that sees a whole-vault rollback.
        A malformed or foreign token raises ValueError."""
        with self.db.lock:
            conn = self.db.conn
            result = audit_log.verify(
                conn, self.ring.audit_key, self._anchor, self._anchor_problem
            )
            if checkpoint is None or not result.ok:
                return result
            problem = audit_log.check_checkpoint(conn, self.vault_id, checkpoint)
            if problem:
                return AuditVerification(False, result.checked, None, problem)
            return result

    def checkpoint(self) -> str:
        with self.db.lock:
            seq, mac = audit_log.head(self.db.conn)
            return audit_log.checkpoint_token(self.vault_id, seq, mac)
