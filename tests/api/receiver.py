"""A webhook receiver for the tests: a real HTTP server on loopback that checks each
delivery's signature and keeps every event once by its Idempotency-Key, as a site's
backend should. It can answer 500 or drop the connection after reading (a lost reply)."""

from __future__ import annotations

import json
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

from facekiosk.webhooks.signing import HEADER, verify


class Receiver:
    def __init__(self, port: int, secret: str) -> None:
        self.port, self.secret = port, secret
        self.requests: list[tuple[str, dict[str, Any], bool]] = []  # (key, body, signed ok)
        self.events: list[dict[str, Any]] = []  # first delivery of each key, in arrival order
        self.seen: set[str] = set()
        self.script: list[str] = []  # per request: "500", "drop" or "ok" (default)
        self.lock = threading.Lock()
        self._server: ThreadingHTTPServer | None = None

    def start(self) -> Receiver:
        receiver = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self) -> None:
                body = self.rfile.read(int(self.headers["Content-Length"]))
                key = self.headers["Idempotency-Key"]
                signed = verify(receiver.secret, self.headers[HEADER], body)
                with receiver.lock:
                    action = receiver.script.pop(0) if receiver.script else "ok"
                    receiver.requests.append((key, json.loads(body), signed))
                    if action != "500" and signed and key not in receiver.seen:
                        receiver.seen.add(key)  # processed, even if the reply is lost
                        receiver.events.append(json.loads(body))
                if action == "drop":
                    self.close_connection = True
                    return
                self.send_response(500 if action == "500" or not signed else 200)
                self.send_header("Content-Length", "0")
                self.end_headers()

            def log_message(self, *args: object) -> None:
                pass

        self._server = ThreadingHTTPServer(("127.0.0.1", self.port), Handler)
        threading.Thread(target=self._server.serve_forever, daemon=True).start()
        return self

    def stop(self) -> None:
        if self._server is not None:
            self._server.shutdown()
            self._server.server_close()
