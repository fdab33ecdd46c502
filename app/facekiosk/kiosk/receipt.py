"""Short receipt codes a person can write down (8 characters, Crockford base32).

Enrollment: derived from the Index ID, so the admin panel can show the same
code next to the record and the person can quote it instead of a 36-character
UUID. Purge: derived from the purged Index ID and the audit entry number, so
the code proves which audit entry recorded the deletion.
"""

from __future__ import annotations

import base64
import hashlib

_CROCKFORD = str.maketrans("ABCDEFGHIJKLMNOPQRSTUVWXYZ234567", "0123456789ABCDEFGHJKMNPQRSTVWXYZ")


def _code(text: str) -> str:
    digest = hashlib.sha256(text.encode("utf-8")).digest()[:5]  # 40 bits = 8 base32 chars
    raw = base64.b32encode(digest).decode("ascii").translate(_CROCKFORD)
    return f"{raw[:4]}-{raw[4:]}"


def enrollment_receipt(index_id: str) -> str:
    return _code(f"facekiosk/enroll/{index_id}")


def purge_receipt(index_id: str, audit_seq: int) -> str:
    return _code(f"facekiosk/purge/{index_id}/{audit_seq}")
