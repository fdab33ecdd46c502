"""Append-only audit log, hash-chained with HMAC-SHA256.

Each entry's MAC covers its own fields and the previous entry's MAC, keyed by a
secret kept in the vault's key envelope: editing, inserting or deleting a row breaks
the chain from that row on, and it cannot be re-forged without the vault key.
Deleting the newest rows (tail truncation) is caught by a sealed anchor of the chain
head kept outside SQLite (below).
Details must never contain biometrics, PINs or labels (callers pass IDs and counts).
"""

from __future__ import annotations

import hashlib
import hmac
import json
import sqlite3
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from facekiosk.fsutil import atomic_write
from facekiosk.vault.crypto import KeyRing, seal, unseal
from facekiosk.vault.records import AuditEntry, AuditVerification

GENESIS = "0" * 64


def _mac(key: bytes, prev: str, seq: int, at: str, actor: str, action: str, details: str) -> str:
    message = json.dumps([prev, seq, at, actor, action, details], separators=(",", ":"))
    return hmac.new(key, message.encode(), hashlib.sha256).hexdigest()


def append(
    conn: sqlite3.Connection, key: bytes, action: str, actor: str, details: dict[str, Any]
) -> int:
    """Insert one entry; the caller holds the write transaction."""
    row = conn.execute("SELECT seq, mac FROM audit ORDER BY seq DESC LIMIT 1").fetchone()
    seq, prev = (row[0] + 1, row[1]) if row else (1, GENESIS)
    at = datetime.now(UTC).isoformat()
    text = json.dumps(details, sort_keys=True, default=str)
    mac = _mac(key, prev, seq, at, actor, action, text)
    conn.execute(
        "INSERT INTO audit(seq, at, actor, action, details, mac) VALUES (?, ?, ?, ?, ?, ?)",
        (seq, at, actor, action, text, mac),
    )
    return seq


def entries(
    conn: sqlite3.Connection, since_seq: int = 0, limit: int | None = None
) -> list[AuditEntry]:
    rows = conn.execute(
        "SELECT seq, at, actor, action, details, mac FROM audit WHERE seq > ? ORDER BY seq LIMIT ?",
        (since_seq, -1 if limit is None else limit),
    ).fetchall()
    return [
        AuditEntry(r[0], datetime.fromisoformat(r[1]), r[2], r[3], json.loads(r[4]), r[5])
        for r in rows
    ]


def verify_chain(conn: sqlite3.Connection, key: bytes) -> AuditVerification:
    prev, expected_seq, checked = GENESIS, 1, 0
    for seq, at, actor, action, details, mac in conn.execute(
        "SELECT seq, at, actor, action, details, mac FROM audit ORDER BY seq"
    ):
        if seq != expected_seq:
            return AuditVerification(False, checked, seq, f"entry {expected_seq} is missing")
        good = _mac(key, prev, seq, at, actor, action, details)
        if not hmac.compare_digest(good, str(mac)):
            return AuditVerification(False, checked, seq, "entry was altered (MAC mismatch)")
        prev, expected_seq, checked = mac, seq + 1, checked + 1
    return AuditVerification(True, checked)


# --- the chain head anchor (tail truncation) ------------------------------------------------
#
# The chain alone cannot show that its newest rows were deleted. The head (seq, mac) is
# therefore also kept outside SQLite, sealed with the data key (AAD: vault id + purpose),
# rewritten after each committed append. A crash between the SQLite commit and the anchor
# write leaves the anchor one entry behind: accepted (with a note). An anchor ahead of the
# log, or naming an entry that is gone or differs, means rows were deleted. Before an
# append overwrites an anchor that no longer matches the log, the problem is kept in the
# new anchor's `alarms`, so appending after a truncation does not erase the evidence.

ANCHOR_FILE = "vault.audit-head"


@dataclass(frozen=True)
class Anchor:
    seq: int
    mac: str
    alarms: tuple[str, ...] = ()


def anchor_aad(vault_id: str) -> bytes:
    return f"facekiosk/{vault_id}/audit-head".encode()


def head(conn: sqlite3.Connection) -> tuple[int, str]:
    row = conn.execute("SELECT seq, mac FROM audit ORDER BY seq DESC LIMIT 1").fetchone()
    return (int(row[0]), str(row[1])) if row else (0, GENESIS)


def write_anchor(path: Path, ring: KeyRing, vault_id: str, anchor: Anchor) -> None:
    data = json.dumps({"seq": anchor.seq, "mac": anchor.mac, "alarms": list(anchor.alarms)})
    atomic_write(path, seal(ring, anchor_aad(vault_id), data.encode()))


def read_anchor(path: Path, ring: KeyRing, vault_id: str) -> Anchor:
    """Raises FileNotFoundError or AuthenticationFailed."""
    obj = json.loads(unseal(ring, anchor_aad(vault_id), path.read_bytes()))
    return Anchor(int(obj["seq"]), str(obj["mac"]), tuple(obj.get("alarms", ())))


def anchor_break(conn: sqlite3.Connection, anchor: Anchor) -> str | None:
    """Why the anchored head entry is no longer in the log as anchored (None: it is)."""
    if anchor.seq == 0:
        return None
    row = conn.execute("SELECT mac FROM audit WHERE seq=?", (anchor.seq,)).fetchone()
    if row is None:
        return f"anchored head entry {anchor.seq} is missing from the log"
    if not hmac.compare_digest(str(row[0]), anchor.mac):
        return f"entry {anchor.seq} is not the anchored head entry (the tail was replaced)"
    return None


def verify(
    conn: sqlite3.Connection,
    key: bytes,
    anchor: Anchor | None = None,
    anchor_problem: str = "",
) -> AuditVerification:
    """Check the chain, then the chain head against the sealed anchor.

    `anchor_problem` says why no anchor could be read (missing file, bad tag); "" with
    `anchor=None` means the caller has no anchor to check (chain only)."""
    chain = verify_chain(conn, key)
    if not chain.ok:
        return chain
    last, _ = head(conn)
    if anchor_problem:
        return AuditVerification(False, chain.checked, None, anchor_problem)
    if anchor is None:
        return chain
    if anchor.alarms:
        return AuditVerification(False, chain.checked, None, "; ".join(anchor.alarms))
    if anchor.seq > last:
        return AuditVerification(
            False,
            chain.checked,
            last + 1,
            f"entries {last + 1}-{anchor.seq} are missing: the log was truncated after "
            f"entry {last} (the sealed head anchor names entry {anchor.seq})",
            missing=(last + 1, anchor.seq),
        )
    problem = anchor_break(conn, anchor)
    if problem:
        return AuditVerification(False, chain.checked, anchor.seq, problem)
    if anchor.seq == last:
        return AuditVerification(True, chain.checked, note=f"head anchored at entry {last}")
    if anchor.seq == last - 1:
        return AuditVerification(
            True,
            chain.checked,
            note=f"head anchor is one entry behind (entry {last} was committed but its anchor "
            f"write was interrupted, e.g. by a crash); the next append brings it up to date",
        )
    return AuditVerification(
        False,
        chain.checked,
        anchor.seq + 1,
        f"head anchor is {last - anchor.seq} entries behind the log (anchor writes failed, "
        f"or an old anchor file was put back)",
    )


# --- off-device checkpoints (whole-vault rollback) --------------------------------------------
#
# Someone who can write the data dir can put back an older copy of vault.sqlite together with
# its anchor file: both are consistent, so nothing on the device can tell. A checkpoint is the
# chain head written down off the device (a report, a ticket, a phone photo): later, the entry
# it names must still be in the log with the same MAC. The MAC is keyed, so the token says
# nothing about what happened; 128 bits of it are kept.

CHECKPOINT_PREFIX = "fkaudit"


def checkpoint_token(vault_id: str, seq: int, mac: str) -> str:
    return f"{CHECKPOINT_PREFIX}-{vault_id[:8]}-{seq}-{mac[:32]}"


def check_checkpoint(conn: sqlite3.Connection, vault_id: str, token: str) -> str | None:
    """Why the log does not contain the checkpointed entry (None: it does)."""
    parts = token.strip().split("-")
    if len(parts) != 4 or parts[0] != CHECKPOINT_PREFIX or not parts[2].isdigit():
        raise ValueError(f"not an audit checkpoint: {token!r} (expected {CHECKPOINT_PREFIX}-…)")
    vault_tag, seq, mac_prefix = parts[1], int(parts[2]), parts[3].lower()
    if vault_tag != vault_id[:8]:
        raise ValueError(f"the checkpoint is of vault {vault_tag}…, this is {vault_id[:8]}…")
    if seq == 0:
        return None
    row = conn.execute("SELECT mac FROM audit WHERE seq=?", (seq,)).fetchone()
    if row is None:
        last, _ = head(conn)
        return (
            f"checkpointed entry {seq} is not in the log (it ends at entry {last}): the vault "
            f"was rolled back to an older copy, or the log was truncated"
        )
    if not hmac.compare_digest(str(row[0])[: len(mac_prefix)], mac_prefix):
        return (
            f"entry {seq} differs from the checkpoint: the log was replaced from entry {seq} on "
            f"(an older copy of the vault with new entries after it)"
        )
    return None
