"""Keep third-party runtimes from phoning home: set before any of them is imported.

onnxruntime 1.32's Linux wheel ships Microsoft's 1DS telemetry: about 9.6 s after the
first session it resolved mobile.events.data.microsoft.com (and, when that resolves,
uploads over TLS), and it wrote a persistent device id to ~/.cache/Microsoft/DeveloperTools.
`onnxruntime.disable_telemetry_events()` did not stop the lookups. The environment
variable below, read when onnxruntime is imported, did: no socket and no file in 45 s
under `strace -f -e trace=network` (measured; tests/foundation/test_os_silence.py keeps
it so). It is forced, not defaulted: the README promises no network, whatever the shell set.
"""

from __future__ import annotations

import os
import sys

ORT_TELEMETRY_ENV = "ORT_DISABLE_TELEMETRY"

# Whether onnxruntime was already loaded when facekiosk was first imported (then too late).
_LOADED_FIRST = "onnxruntime" in sys.modules


def silence_runtimes() -> None:
    """Disable onnxruntime telemetry for this process and every child it starts."""
    os.environ[ORT_TELEMETRY_ENV] = "1"


def telemetry_problem() -> str | None:
    """Why this process may still send telemetry, or None."""
    if os.environ.get(ORT_TELEMETRY_ENV) != "1":
        return f"${ORT_TELEMETRY_ENV} is not 1"
    if _LOADED_FIRST:
        return "onnxruntime was imported before facekiosk could switch its telemetry off"
    return None
