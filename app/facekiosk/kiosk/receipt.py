"""Short receipt codes a person can write down (8 characters, Crockford base32).

Enrollment: derived from the Index ID, so the admin panel can show the same
code next to the record and the person can quote it instead of a 36-character
UUID. Purge: derived from the purged Index ID and the audit entry number, so
the code proves which audit entry recorded the deletion. The purge receipt text
(counts, audit entry) is shared by the admin panel and `facekiosk admin delete`.
"""

from __future__ import annotations

import base64
import hashlib
from collections.abc import Callable

from facekiosk.vault.records import PurgeReceipt

_CROCKFORD = str.maketrans("ABCDEFGHIJKLMNOPQRSTUVWXYZ234567", "0123456789ABCDEFGHJKMNPQRSTVWXYZ")


def _code(text: str) -> str:
    digest = hashlib.sha256(text.encode("utf-8")).digest()[:5]  # 40 bits = 8 base32 chars
    raw = base64.b32encode(digest).decode("ascii").translate(_CROCKFORD)
    return f"{raw[:4]}-{raw[4:]}"


def enrollment_receipt(index_id: str) -> str:
    return _code(f"facekiosk/enroll/{index_id}")


def purge_receipt(index_id: str, audit_seq: int) -> str:
    return _code(f"facekiosk/purge/{index_id}/{audit_seq}")


# The admin panel's purge receipt (ui/admin/identities_tab.py, translated there through
# self.tr with these same English source texts); `facekiosk admin delete` prints it too.
PURGE_TEXT = (
    "Purged %1 Index ID(s) at %2.\nVectors removed: %3, metadata rows removed: %4, "
    "events anonymised: %5.\nAudit entry #%6."
)
POLICY_ERROR_TEXT = "access.toml could not be updated and still names them: %1"


def purge_receipt_text(
    receipt: PurgeReceipt, policy_error: str | None = None, tr: Callable[[str], str] = str
) -> str:
    """What was removed, the counts and the audit entry; `tr` translates the source text."""
    text = (
        tr(PURGE_TEXT)
        .replace("%1", str(len(receipt.index_ids)))
        .replace("%2", receipt.purged_at.astimezone().strftime("%Y-%m-%d %H:%M:%S"))
        .replace("%3", str(receipt.vectors_removed))
        .replace("%4", str(receipt.metadata_rows_removed))
        .replace("%5", str(receipt.events_anonymised))
        .replace("%6", str(receipt.audit_seq))
    )
    if policy_error:
        text += "\n" + tr(POLICY_ERROR_TEXT).replace("%1", policy_error)
    return text


def purge_codes(receipt: PurgeReceipt) -> dict[str, str]:
    """Index ID -> the code a person can quote (the same code the forget-me page shows)."""
    return {i: purge_receipt(i, receipt.audit_seq) for i in receipt.index_ids}
