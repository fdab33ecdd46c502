"""A TCP relay in front of the test hub on loopback. `cut()` is a hub host that stopped
answering: open connections are dropped and new ones are accepted but never answered, so
a client waits for its whole connect timeout (a stopped PostgreSQL on loopback refuses at
once and would hide that wait). `heal()` relays again."""

from __future__ import annotations

import contextlib
import socket
import threading


class Partition:
    def __init__(self, target_port: int) -> None:
        self.target = ("127.0.0.1", target_port)
        self.server = socket.create_server(("127.0.0.1", 0))
        self.port = int(self.server.getsockname()[1])
        self._cut = False
        self._lock = threading.Lock()
        self._open: list[socket.socket] = []
        threading.Thread(target=self._accept, name="partition", daemon=True).start()

    def _accept(self) -> None:
        while True:
            try:
                client, _ = self.server.accept()
            except OSError:  # closed
                return
            with self._lock:
                self._open.append(client)
                if self._cut:
                    continue  # held, never answered
            try:
                upstream = socket.create_connection(self.target, timeout=5)
            except OSError:
                client.close()
                continue
            with self._lock:
                self._open.append(upstream)
            for a, b in ((client, upstream), (upstream, client)):
                threading.Thread(target=_pump, args=(a, b), daemon=True).start()

    def cut(self) -> None:
        with self._lock:
            self._cut = True
            self._drop()

    def heal(self) -> None:
        with self._lock:
            self._cut = False
            self._drop()  # the held ones fail now; clients retry

    def close(self) -> None:
        self.server.close()
        with self._lock:
            self._drop()

    def _drop(self) -> None:
        for s in self._open:
            with contextlib.suppress(OSError):
                s.shutdown(socket.SHUT_RDWR)
            s.close()
        self._open.clear()


def _pump(src: socket.socket, dst: socket.socket) -> None:
    try:
        while data := src.recv(65536):
            dst.sendall(data)
    except OSError:
        pass
    finally:
        with contextlib.suppress(OSError):
            dst.shutdown(socket.SHUT_WR)
