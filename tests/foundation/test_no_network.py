"""The session-wide guard in conftest.py refuses non-loopback sockets but allows loopback."""

from __future__ import annotations

import socket
import threading

import pytest


def test_guard_refuses_outside_address():
    with pytest.raises(AssertionError, match="network access attempted"):
        socket.create_connection(("192.0.2.1", 80), timeout=0.5)


def test_guard_refuses_dns_lookup():
    with pytest.raises(AssertionError, match="network access attempted"):
        socket.getaddrinfo("pypi.org", 443)


def test_loopback_is_allowed():
    server = socket.socket()
    server.bind(("127.0.0.1", 0))
    server.listen(1)
    port = server.getsockname()[1]
    accepted = []
    t = threading.Thread(target=lambda: accepted.append(server.accept()[0]))
    t.start()
    client = socket.create_connection(("127.0.0.1", port), timeout=2)
    t.join(2)
    assert accepted
    client.close()
    accepted[0].close()
    server.close()
