"""Guard against PySide6 6.12's reference-count leak on Python 3.11.

Measured here (PySide6-Essentials 6.12.0, CPython 3.11.7): every call of a Qt
method that returns nothing (`setEnabled`, `update`, `processEvents` ...)
drops one reference to `None`, and bool-returning ones can drop `True`/`False`.
After enough calls the count reaches zero and CPython aborts with
"none_dealloc"/"bool_dealloc" — in a kiosk that runs for days, a certain crash.
Python 3.12 made these singletons immortal (PEP 683), so the leak is harmless
there. On 3.11 we do the same by hand: give the three singletons a reference
count so large that no leak can bring it to zero.
"""

from __future__ import annotations

import ctypes
import platform
import sys

# Far beyond any leak (one per Qt call: 10**15 calls is ~300 years at 100k calls/s),
# and far below the point where the signed count could overflow.
IMMORTAL_REFCOUNT = 10**15


def needed() -> bool:
    return platform.python_implementation() == "CPython" and sys.version_info < (3, 12)


def immortalize_singletons() -> bool:
    """Pin None/True/False's reference counts high (CPython < 3.12 only); True if done."""
    if not needed():
        return False
    for obj in (None, True, False):
        # ob_refcnt is the first field of every CPython object (Include/object.h)
        ctypes.c_ssize_t.from_address(id(obj)).value = IMMORTAL_REFCOUNT
    return True
