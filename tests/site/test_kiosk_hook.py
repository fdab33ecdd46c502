"""ui/app.py's hook: the kiosk stops its site sync before it closes the vault the sync
uses (the thread must not write to a closed vault)."""

from __future__ import annotations

from facekiosk.ui.app import KioskApp


class _Part:
    def __init__(self, name: str, calls: list[str]) -> None:
        self.name, self.calls = name, calls

    def stop(self) -> None:
        self.calls.append(f"stop {self.name}")

    def close(self) -> None:
        self.calls.append(f"close {self.name}")


def test_closing_the_kiosk_stops_the_site_sync_before_the_vault():
    calls: list[str] = []
    parts = {n: _Part(n, calls) for n in ("window", "controller", "engine", "vault", "site")}
    KioskApp(app=None, **parts).close()  # type: ignore[arg-type]
    assert calls.index("stop site") < calls.index("close vault")


def test_without_a_site_the_kiosk_closes_as_before():
    calls: list[str] = []
    parts = {n: _Part(n, calls) for n in ("window", "controller", "engine", "vault")}
    KioskApp(app=None, **parts).close()  # type: ignore[arg-type]
    assert calls[-1] == "close vault" and not any("site" in c for c in calls)
