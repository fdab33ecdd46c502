"""Moving one identity between vaults (site sync): export its template and fields in the
clear for the caller to seal, import them under the same Index ID, and seal small secrets
(the site key) under this vault's own key ring.

An import is idempotent (the same record twice changes nothing and writes no audit entry)
and never brings back an Index ID this vault's purge ledger lists. PIN hashes are keyed
with the vault's pepper (credentials.py): an imported hash keeps the pepper it was made
with, sealed under this vault's ring in its params, and is re-keyed locally at its first
successful check."""

from __future__ import annotations

import base64
import json
import sqlite3
from dataclasses import dataclass, field
from datetime import datetime
from typing import TYPE_CHECKING, Any

import numpy as np

from facekiosk.vault.audit_trail import AuditTrail
from facekiosk.vault.credentials import Credentials
from facekiosk.vault.crypto import KeyRing, seal, unseal
from facekiosk.vault.errors import UnknownIndexId, VaultError
from facekiosk.vault.identities import Identities
from facekiosk.vault.metadb import MetaDb, iso, now, parse_dt
from facekiosk.vault.purge_ledger import PurgeLedger
from facekiosk.vault.templates import Templates

if TYPE_CHECKING:
    from facekiosk.vault.vault import Vault

FOREIGN_PEPPER = "pepper_ct"  # params key of a PIN hash made with another vault's pepper


@dataclass(frozen=True)
class IdentityExport:
    """One person's record as another vault needs it (plaintext: seal before it leaves)."""

    index_id: str
    space: str
    template: np.ndarray  # the unit template, float32
    n_images: int
    label: str | None
    payload: bytes | None
    consent_version: str | None
    valid_until: datetime | None
    status: str
    pin: dict[str, str] | None = None  # salt, hash, params (base64 / JSON) and pepper
    consents: list[tuple[str, str]] = field(default_factory=list)

    def to_dict(self) -> dict[str, Any]:
        return {
            "index_id": self.index_id,
            "space": self.space,
            "template": _b64(np.ascontiguousarray(self.template, np.float32).tobytes()),
            "n_images": self.n_images,
            "label": self.label,
            "payload": None if self.payload is None else _b64(self.payload),
            "consent_version": self.consent_version,
            "valid_until": iso(self.valid_until),
            "status": self.status,
            "pin": self.pin,
            "consents": [list(c) for c in self.consents],
        }

    @classmethod
    def from_dict(cls, d: dict[str, Any]) -> IdentityExport:
        return cls(
            index_id=str(d["index_id"]),
            space=str(d["space"]),
            template=np.frombuffer(base64.b64decode(d["template"]), dtype=np.float32),
            n_images=int(d["n_images"]),
            label=d.get("label"),
            payload=None if d.get("payload") is None else base64.b64decode(d["payload"]),
            consent_version=d.get("consent_version"),
            valid_until=parse_dt(d.get("valid_until")),
            status=str(d.get("status") or "active"),
            pin=d.get("pin"),
            consents=[(str(v), str(a)) for v, a in d.get("consents", [])],
        )


class Transfer:
    def __init__(
        self, db: MetaDb, templates: Templates, identities: Identities,
        credentials: Credentials, trail: AuditTrail, ledger: PurgeLedger, ring: KeyRing,
        vault_id: str,
    ) -> None:  # fmt: skip
        self.db, self.templates, self.identities = db, templates, identities
        self.credentials, self.trail, self.ledger = credentials, trail, ledger
        self.ring, self.vault_id = ring, vault_id

    @classmethod
    def of(cls, vault: Vault, ring: KeyRing) -> Transfer:
        """The room for an opening vault; imported PIN hashes' peppers open through it."""
        room = cls(vault.db, vault.templates, vault.identities, vault.credentials, vault.trail,
                   vault.ledger, ring, vault.vault_id)  # fmt: skip
        vault.credentials.open_pepper = room.open_pepper
        return room

    # --- small secrets sealed under this vault's ring ------------------------------------

    def _aad(self, name: str) -> bytes:
        return f"facekiosk/{self.vault_id}/secret/{name}".encode()

    def seal_secret(self, name: str, data: bytes) -> bytes:
        return seal(self.ring, self._aad(name), data)

    def open_secret(self, name: str, blob: bytes) -> bytes:
        try:
            return unseal(self.ring, self._aad(name), blob)
        except Exception as exc:
            raise VaultError(f"the sealed {name} does not open with this vault's keys") from exc

    def open_pepper(self, params: dict[str, Any]) -> bytes:
        """The pepper a foreign PIN hash was made with (credentials.verify_pin)."""
        return self.open_secret("pin-pepper", base64.b64decode(params[FOREIGN_PEPPER]))

    # --- export / import -------------------------------------------------------------------

    def export(self, index_id: str) -> IdentityExport:
        with self.db.lock:
            rec = self.identities.get(index_id)
            space = self.templates.space_of(index_id)
            if space is None:
                raise UnknownIndexId([index_id])
            template = self.templates.spaces[space].vector_of(index_id)
            conn = self.db.conn
            pin_row = conn.execute(
                "SELECT salt, hash, params FROM pins WHERE index_id=?", (index_id,)
            ).fetchone()
            consents = conn.execute(
                "SELECT version, accepted_at FROM consents WHERE index_id=? ORDER BY id",
                (index_id,),
            ).fetchall()
            payload = self.identities.get_payload(index_id)
        return IdentityExport(
            index_id, space, template, rec.n_images, rec.label, payload, rec.consent_version,
            rec.valid_until, rec.status, self._export_pin(pin_row), [tuple(c) for c in consents],
        )  # fmt: skip

    def _export_pin(self, row: tuple[bytes, bytes, str] | None) -> dict[str, str] | None:
        if row is None:
            return None
        params = json.loads(row[2])
        if FOREIGN_PEPPER in params:
            pepper = self.open_pepper(params)
            del params[FOREIGN_PEPPER]
        else:
            pepper = self.credentials.pepper
        return {"salt": _b64(row[0]), "hash": _b64(row[1]), "params": json.dumps(params),
                "pepper": _b64(pepper) if "keyed" in params else ""}  # fmt: skip

    def import_identities(
        self, recs: list[IdentityExport], *, actor: str = "site"
    ) -> list[str]:
        """`import_identity` for each; the Index IDs new to this vault share one journal
        write and one transaction (a new kiosk pulling a large site: one fsync pair per
        batch instead of per person)."""
        with self.db.lock:
            purged = self.ledger.ids()
            fresh = {
                r.index_id: r for r in recs
                if r.index_id not in purged and self.templates.space_of(r.index_id) is None
                and not self.identities.known([r.index_id])
            }  # fmt: skip
            by_space: dict[str, list[IdentityExport]] = {}
            for r in fresh.values():
                by_space.setdefault(r.space, []).append(r)
            for space, group in by_space.items():
                vecs = np.stack([np.asarray(r.template, np.float32) for r in group])
                self.templates.add_many(space, [r.index_id for r in group], vecs)
            try:
                with self.db.tx() as conn:
                    for r in fresh.values():
                        self._insert(conn, r, False, actor)
            except BaseException:
                self.templates.remove(list(fresh))
                raise
            self.identities.cache_labels({i: r.label for i, r in fresh.items()})
            self.templates.maybe_compact()
        return ["created" if r.index_id in fresh and r is fresh[r.index_id]
                else self.import_identity(r, actor=actor) for r in recs]  # fmt: skip

    def import_identity(self, rec: IdentityExport, *, actor: str = "site") -> str:
        """"created", "updated", "same" or "purged" (listed in the purge ledger: refused)."""
        template = np.asarray(rec.template, dtype=np.float32)
        with self.db.lock:
            if rec.index_id in self.ledger.ids():
                return "purged"
            old_space = self.templates.space_of(rec.index_id)
            exists = bool(self.identities.known([rec.index_id]))
            if exists and old_space is not None and self._same(rec, old_space, template):
                return "same"
            replaced = old_space is not None and (
                old_space != rec.space
                or not np.array_equal(
                    self.templates.spaces[old_space].vector_of(rec.index_id), template
                )
            )
            if old_space is None:
                self.templates.add(rec.space, rec.index_id, template)
            elif replaced:
                self.templates.replace(rec.space, rec.index_id, template)
            try:
                self._commit(rec, exists, actor)
            except BaseException:
                if old_space is None:  # journalled, no row: take it back out
                    self.templates.remove([rec.index_id])
                raise
            self.identities.cache_labels({rec.index_id: rec.label})
            if replaced:
                self.templates.compact()  # the old template leaves the journal now
            else:
                self.templates.maybe_compact()
        return "updated" if exists else "created"

    def _commit(self, rec: IdentityExport, exists: bool, actor: str) -> None:
        with self.db.tx() as conn:
            self._insert(conn, rec, exists, actor)

    def _insert(self, conn: sqlite3.Connection, rec: IdentityExport, exists: bool,
                actor: str) -> None:  # fmt: skip
        if exists:  # the whole row set is replaced by the record's
            for table in ("consents", "pins", "identities"):
                conn.execute(f"DELETE FROM {table} WHERE index_id=?", (rec.index_id,))
        self.identities.insert(
            conn, rec.index_id, rec.space, rec.n_images, label=rec.label,
            payload=rec.payload, consent_version=None, valid_until=rec.valid_until,
        )  # fmt: skip
        self._write_rest(conn, rec)
        details = {"index_id": rec.index_id, "space": rec.space, "images": rec.n_images}
        self.trail.append(conn, "update" if exists else "enroll", actor, details)

    def vectors_of(self, ids: list[str], space: str) -> tuple[list[str], np.ndarray]:
        """The templates of those `ids` that live in `space` (site duplicate check)."""
        index = self.templates.spaces.get(space)
        found = [i for i in ids if index is not None and i in index]
        if index is None or not found:
            return [], np.zeros((0, 0), np.float32)
        return found, np.stack([index.vector_of(i) for i in found])

    def _write_rest(self, conn: sqlite3.Connection, rec: IdentityExport) -> None:
        conn.execute(
            "UPDATE identities SET consent_version=?, status=? WHERE index_id=?",
            (rec.consent_version, rec.status, rec.index_id),
        )
        conn.executemany(
            "INSERT INTO consents(index_id, version, accepted_at) VALUES (?, ?, ?)",
            [(rec.index_id, v, a) for v, a in rec.consents],
        )
        if rec.pin is not None:
            params = json.loads(rec.pin["params"])
            pepper = base64.b64decode(rec.pin.get("pepper") or "")
            if pepper and pepper != self.credentials.pepper:
                params[FOREIGN_PEPPER] = _b64(self.seal_secret("pin-pepper", pepper))
            conn.execute(
                "INSERT INTO pins(index_id, salt, hash, params, set_at) VALUES (?, ?, ?, ?, ?)",
                (rec.index_id, base64.b64decode(rec.pin["salt"]),
                 base64.b64decode(rec.pin["hash"]), json.dumps(params), iso(now())),
            )  # fmt: skip

    def _same(self, rec: IdentityExport, space: str, template: np.ndarray) -> bool:
        if space != rec.space or not np.array_equal(
            self.templates.spaces[space].vector_of(rec.index_id), template
        ):
            return False
        mine = self.export(rec.index_id)
        a, b = mine.to_dict(), rec.to_dict()
        if a["pin"] and b["pin"]:  # the same hash, whichever pepper label it carries
            a["pin"], b["pin"] = a["pin"]["hash"], b["pin"]["hash"]
        return a == b


def _b64(data: bytes) -> str:
    return base64.b64encode(data).decode("ascii")
