"""Files in the vault's area that no part of the vault accounts for.

A write goes through a temp file (`.NAME.XXXXXXXX.tmp`, fsutil.atomic_write) that is
fsynced, then renamed. A process killed between the two leaves the temp file for good: a
sealed copy of whatever it held (a segment holds templates), still readable with the
device key after those templates are purged. Such a file is never needed (the rename is
the commit point), so every open overwrites and deletes it; `admin check`, which writes
nothing, names it and everything else in the area it cannot account for.
"""

from __future__ import annotations

import logging
import os
import re
from pathlib import Path

from facekiosk.fsutil import fsync_dir
from facekiosk.vault.audit import ANCHOR_FILE
from facekiosk.vault.crypto import DEVICE_KEY_FILE, ENVELOPE_FILE
from facekiosk.vault.keys import LOCK_FILE, NEXT_KEY_SUFFIX
from facekiosk.vault.metadata import BACKUP_DIR, METADATA_FILE
from facekiosk.vault.purge_ledger import LEDGER_FILE
from facekiosk.vault.vector_store import JOURNAL_FILE, SEGMENT_NAME, SNAPSHOT_FILE

log = logging.getLogger(__name__)

TEMP_NAME = re.compile(r"\.(?:vault|vectors)\..+\.[0-9a-f]{8}\.tmp")
AREA = re.compile(r"\.?(?:vault|vectors)[.-].*")  # the data dir also holds settings, logs
KNOWN = frozenset(
    {
        DEVICE_KEY_FILE,
        DEVICE_KEY_FILE + NEXT_KEY_SUFFIX,  # a rotation cut short; the next open finishes it
        ENVELOPE_FILE,
        LOCK_FILE,
        ANCHOR_FILE,
        LEDGER_FILE,
        SNAPSHOT_FILE,
        JOURNAL_FILE,
        METADATA_FILE,
        *(METADATA_FILE + s for s in ("-wal", "-shm", "-journal")),
    }
)
MIGRATION_BACKUP = re.compile(r"vault\.v\d+\.\d{8}T\d+\.sqlite")
_CHUNK = bytes(1 << 20)


def wipe(path: Path) -> None:
    """Overwrite with zeros, fsync, delete. On a copy-on-write or flash file system the old
    blocks may survive below the file system; the data-key rotation (`admin key rotate
    --reencrypt`) is what makes such remains unreadable."""
    with open(path, "r+b") as fh:
        remaining = os.fstat(fh.fileno()).st_size
        while remaining:
            remaining -= fh.write(_CHUNK[: min(remaining, len(_CHUNK))])
        fh.flush()
        os.fsync(fh.fileno())
    path.unlink()


def wipe_migration_copies(data_dir: Path) -> list[str]:
    """The metadata copies taken before a schema migration, after a purge: they may hold the
    purged identities (labels, PINs, consents), so they go with the first purge after it."""
    folder = data_dir / BACKUP_DIR
    gone = []
    if folder.is_dir():
        for path in sorted(folder.iterdir()):
            if MIGRATION_BACKUP.fullmatch(path.name) and path.is_file():
                wipe(path)
                gone.append(path.name)
    if gone:
        log.info("wiped %d pre-migration metadata copies after a purge", len(gone))
        fsync_dir(folder)
    return gone


def wipe_temp_files(data_dir: Path) -> list[str]:
    """Every vault temp file a crash left (caller holds the process lock)."""
    gone = []
    for path in sorted(data_dir.iterdir()):
        if TEMP_NAME.fullmatch(path.name) and path.is_file():
            wipe(path)
            gone.append(path.name)
    if gone:
        log.warning("wiped %d temp file(s) left by an interrupted write: %s", len(gone), gone)
        fsync_dir(data_dir)
    return gone


def unaccounted(data_dir: Path, named_segments: set[str]) -> dict[str, str]:
    """File name (relative to `data_dir`) -> why the vault cannot account for it."""
    found: dict[str, str] = {}
    for path in sorted(data_dir.iterdir()):
        name = path.name
        if name == BACKUP_DIR and path.is_dir():
            for inner in sorted(path.iterdir()):
                if not MIGRATION_BACKUP.fullmatch(inner.name):
                    found[f"{BACKUP_DIR}/{inner.name}"] = "not a pre-migration metadata copy"
            continue
        if not AREA.fullmatch(name) or name in KNOWN or name in named_segments:
            continue
        if TEMP_NAME.fullmatch(name):
            found[name] = (
                "temp file of a write a crash interrupted (it may hold sealed templates, "
                "even purged ones); opening the vault overwrites and deletes it"
            )
        elif SEGMENT_NAME.fullmatch(name):
            found[name] = (
                "segment the snapshot does not name (left by an interrupted compaction); "
                "opening the vault deletes it"
            )
        else:
            found[name] = "not a file the vault writes: move it out of the data dir"
    return found
