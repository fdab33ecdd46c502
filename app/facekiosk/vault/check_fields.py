"""`admin check` for the sealed fields of `vault.sqlite` (labels, payloads).

A label whose ciphertext does not decrypt makes `admin list` and every search that shows
labels fail, so the vault is unusable although every template is intact. The check opens
every sealed field with the vault key and names each one that does not open (table,
Index ID, field), with a count of what is still readable per field.
"""

from __future__ import annotations

import sqlite3

from facekiosk.vault.crypto import KeyRing
from facekiosk.vault.errors import VaultError
from facekiosk.vault.fields import FieldCipher
from facekiosk.vault.metadata import METADATA_FILE

# (table, key column, sealed column, field kind in the AAD): every column sealed per row.
SEALED_COLUMNS: tuple[tuple[str, str, str, str], ...] = (
    ("identities", "index_id", "label_ct", "label"),
    ("identities", "index_id", "payload_ct", "payload"),
)


def report_name(table: str, kind: str) -> str:
    """The entry `admin check` lists the field under (beside the files)."""
    return f"{METADATA_FILE} {table}.{kind}"


def check_sealed_fields(
    conn: sqlite3.Connection, ring: KeyRing, vault_id: str
) -> dict[str, tuple[int, list[str]]]:
    """Per sealed column: (fields that open, what is wrong with each one that does not).
    Empty (NULL) fields are not counted. Raises sqlite3.DatabaseError when the table
    cannot be read at all (the caller reports that as SQLite damage)."""
    cipher = FieldCipher(ring, vault_id)
    out: dict[str, tuple[int, list[str]]] = {}
    for table, key, column, kind in SEALED_COLUMNS:
        readable, damaged = 0, []
        rows = conn.execute(
            f"SELECT {key}, {column} FROM {table} WHERE {column} IS NOT NULL ORDER BY {key}"
        )
        for row_id, blob in rows:
            if _opens(cipher, kind, str(row_id), blob):
                readable += 1
                continue
            damaged.append(
                f"{table}.{column}: the {kind} of Index ID {row_id} does not decrypt with "
                f"the vault key (damaged, or copied from another row)"
            )
        out[report_name(table, kind)] = (readable, damaged)
    return out


def _opens(cipher: FieldCipher, kind: str, row_id: str, blob: object) -> bool:
    if not isinstance(blob, bytes):  # a value of another SQLite type written over it
        return False
    try:
        plain = cipher.open(kind, row_id, blob)
    except VaultError:
        return False
    if kind == "label":  # read back as text by list and search
        try:
            plain.decode("utf-8")
        except UnicodeDecodeError:
            return False
    return True
