"""Encrypted on-device vault: Index IDs, templates + 1:N search, metadata, keys, audit. No Qt.

    vault = Vault.open(data_dir, passphrase=None, compact_every=settings.vault.compact_every,
                       search=SearchParams.from_settings(settings.vault))

See `Vault` for the calls and docs/notes/vault.md for the design.
"""

from facekiosk.vault.errors import (
    SchemaVersionError,
    UnknownIndexId,
    VaultCorruptError,
    VaultError,
    VaultKeyError,
    VaultLockedError,
    WrongSpaceError,
)
from facekiosk.vault.events_csv import write_events_csv
from facekiosk.vault.identities import MAX_PAYLOAD
from facekiosk.vault.matching import make_template
from facekiosk.vault.records import (
    AuditEntry,
    AuditVerification,
    EventRecord,
    IdentityRecord,
    Match,
    PurgeReceipt,
)
from facekiosk.vault.space_index import SearchParams
from facekiosk.vault.vault import Vault

__all__ = [
    "MAX_PAYLOAD",
    "AuditEntry",
    "AuditVerification",
    "EventRecord",
    "IdentityRecord",
    "Match",
    "PurgeReceipt",
    "SchemaVersionError",
    "SearchParams",
    "UnknownIndexId",
    "Vault",
    "VaultCorruptError",
    "VaultError",
    "VaultKeyError",
    "VaultLockedError",
    "WrongSpaceError",
    "make_template",
    "write_events_csv",
]
