"""Run the facekiosk CLI in this process with every non-loopback socket use refused.

Used as `python tests/foundation/nonet.py ARGS...` so that subprocess runs of the
CLI are held to the same no-network rule as in-process tests (an audit hook sees
every connect and DNS lookup, whichever library makes it).
"""

from __future__ import annotations

import sys

LOOPBACK = ("127.", "::1", "localhost")


def _local(host: object) -> bool:
    return host is None or str(host).startswith(LOOPBACK) or str(host) == ""


def _hook(event: str, args: tuple) -> None:
    if event in ("socket.connect", "socket.sendto") and isinstance(args[1], tuple):
        if not _local(args[1][0]):
            raise PermissionError(f"network access attempted: {event} {args[1]!r}")
    elif event == "socket.getaddrinfo" and not _local(args[0]):
        raise PermissionError(f"network access attempted: DNS lookup of {args[0]!r}")


if __name__ == "__main__":
    sys.addaudithook(_hook)
    from facekiosk.cli import main

    sys.exit(main(sys.argv[1:]))
