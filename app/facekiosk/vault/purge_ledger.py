"""The purge ledger `vault.purges`: every purged Index ID and when, so that a purge outlives
the restore of an older backup (the restore re-applies it).

It holds Index IDs and times only (no biometrics, labels or reasons): a JSON header, then
one `INDEX_ID<TAB>PURGED_AT<TAB>TAG` line per ID, the tags a chain of keyed BLAKE2b MACs
under a key derived from the sealed ring's audit key. Without the vault key nobody can add
a line, change one or drop one from the middle (dropping the newest lines is seen only by
comparing with an off-device copy). Lines are tab-separated and tagged with BLAKE2b rather
than JSON and HMAC-SHA256: loading 100k lines took 0.8-1.0 s that way, see vault.md.
The file is a plain copy target: the admin keeps the newest one off the device (`admin
backup` writes one beside the archive) and gives it to `admin restore --ledger`. A purge
appends to it (fsync) before its transaction commits, so a crash between the two leaves the
ID in the ledger and the next open finishes the purge.
"""

from __future__ import annotations

import hashlib
import hmac
import json
import logging
import os
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path

from facekiosk.fsutil import atomic_write
from facekiosk.vault.crypto import KeyRing, derive_subkey
from facekiosk.vault.errors import VaultError

log = logging.getLogger(__name__)

LEDGER_FILE = "vault.purges"
KIND = "facekiosk-purge-ledger"
FORMAT = 1


class LedgerError(VaultError):
    """A purge ledger that is damaged, changed, or from another vault."""


@dataclass
class PurgeLedger:
    vault_id: str
    key: bytes
    entries: dict[str, str] = field(default_factory=dict)  # Index ID -> purged at (ISO)
    path: Path | None = None
    _head: str = ""  # tag of the last line
    _size: int = 0  # bytes of whole lines (a torn last line is cut off at the next append)

    @classmethod
    def empty(cls, ring: KeyRing, vault_id: str, path: Path | None = None) -> PurgeLedger:
        ledger = cls(vault_id, derive_subkey(ring, vault_id, "purge-ledger"), path=path)
        ledger._head = ledger._tag("header", vault_id)
        return ledger

    @classmethod
    def load(cls, path: Path, ring: KeyRing, vault_id: str) -> PurgeLedger:
        """The ledger in `path` (empty, not yet on disk, when the file is missing)."""
        try:
            data = path.read_bytes()
        except FileNotFoundError:
            return cls.empty(ring, vault_id, path)
        ledger = cls.parse(data, str(path), ring, vault_id)
        ledger.path = path
        return ledger

    @classmethod
    def open_for_vault(cls, path: Path, ring: KeyRing, vault_id: str) -> PurgeLedger:
        """`load`, but a damaged ledger must not stop the kiosk: it is moved aside (admin
        check names the moved file) and rebuilt from the audit log's purge entries by
        `Enrolment.reconcile`, the ledger's source for this vault's own purges."""
        try:
            return cls.load(path, ring, vault_id)
        except LedgerError as exc:
            aside = path.with_name(f"{path.name}.damaged")
            log.error("%s; moved to %s, rebuilt from the audit log", exc, aside.name)
            os.replace(path, aside)
            return cls.empty(ring, vault_id, path)

    @classmethod
    def parse(cls, data: bytes, source: str, ring: KeyRing, vault_id: str) -> PurgeLedger:
        ledger = cls.empty(ring, vault_id)
        lines = data.split(b"\n")
        whole = lines[:-1]  # the part after the last newline is a torn write (or empty)
        try:
            header = json.loads(whole[0]) if whole else {}
        except ValueError:
            header = {}
        if header.get("kind") != KIND:
            raise LedgerError(f"{source}: not a facekiosk purge ledger ({LEDGER_FILE})")
        if header.get("vault_id") != vault_id:
            raise LedgerError(
                f"{source}: the purge ledger of vault {header.get('vault_id')}, "
                f"not of vault {vault_id}"
            )
        if not hmac.compare_digest(str(header.get("tag", "")), ledger._head):
            raise LedgerError(f"{source}: the purge ledger header fails its check (changed)")
        for number, line in enumerate(whole[1:], start=2):
            try:
                index_id, at, tag = line.decode("ascii").split("\t")
            except ValueError as exc:
                raise LedgerError(f"{source}: line {number} is damaged ({exc})") from exc
            if not hmac.compare_digest(tag, ledger._tag(ledger._head, index_id, at)):
                raise LedgerError(
                    f"{source}: line {number} of the purge ledger fails its check: it was "
                    f"changed, or lines before it were removed; use an intact copy"
                )
            ledger.entries.setdefault(index_id, at)
            ledger._head = tag
        ledger._size = sum(len(line) + 1 for line in whole)
        return ledger

    def ids(self) -> set[str]:
        return set(self.entries)

    def create(self) -> None:
        """Write the header when the file is not there yet."""
        assert self.path is not None
        if not self.path.exists():
            atomic_write(self.path, self._header_line())
            self._size = len(self._header_line())

    def append(self, ids: Iterable[str], at: str) -> None:
        """Add the IDs not yet listed, durably (fsync) before the caller's purge commits."""
        assert self.path is not None, "a ledger read from elsewhere is not appended to"
        new = [i for i in dict.fromkeys(ids) if i not in self.entries]
        if not new:
            return
        self.create()
        head, lines = self._head, []
        for index_id in new:
            head = self._tag(head, index_id, at)
            lines.append(f"{index_id}\t{at}\t{head}\n")
        blob = "".join(lines).encode()
        with open(self.path, "r+b") as fh:
            fh.truncate(self._size)
            fh.seek(self._size)
            fh.write(blob)
            fh.flush()
            os.fsync(fh.fileno())
        self._size += len(blob)
        self._head = head
        self.entries.update(dict.fromkeys(new, at))

    def mark(self) -> tuple[int, str, dict[str, str]]:
        return self._size, self._head, dict(self.entries)

    def rewind(self, mark: tuple[int, str, dict[str, str]]) -> None:
        """Take back lines appended since `mark` (their purge did not commit); if that
        fails too, the next open finishes those purges."""
        self._size, self._head, self.entries = mark[0], mark[1], dict(mark[2])
        assert self.path is not None
        try:
            with open(self.path, "r+b") as fh:
                fh.truncate(self._size)
                os.fsync(fh.fileno())
        except OSError:
            pass

    def merged(self, others: Iterable[PurgeLedger]) -> PurgeLedger:
        """One ledger with every entry of this one and `others` (earliest time kept)."""
        result = PurgeLedger.empty_like(self)
        combined = dict(self.entries)
        for other in others:
            for index_id, at in other.entries.items():
                combined[index_id] = min(at, combined.get(index_id, at))
        for index_id, at in sorted(combined.items(), key=lambda kv: (kv[1], kv[0])):
            result.entries[index_id] = at
        return result

    @classmethod
    def empty_like(cls, ledger: PurgeLedger) -> PurgeLedger:
        copy = cls(ledger.vault_id, ledger.key)
        copy._head = copy._tag("header", ledger.vault_id)
        return copy

    def to_bytes(self) -> bytes:
        head, lines = self._tag("header", self.vault_id), [self._header_line()]
        for index_id, at in self.entries.items():
            head = self._tag(head, index_id, at)
            lines.append(f"{index_id}\t{at}\t{head}\n".encode())
        return b"".join(lines)

    def _header_line(self) -> bytes:
        header = {"kind": KIND, "format": FORMAT, "vault_id": self.vault_id}
        header["tag"] = self._tag("header", self.vault_id)
        return (json.dumps(header) + "\n").encode()

    def _tag(self, *parts: str) -> str:
        msg = "\x1f".join(parts).encode()
        return hashlib.blake2b(msg, key=self.key, digest_size=16).hexdigest()
