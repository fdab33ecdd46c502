"""Build and run the kiosk: QApplication, theme, language, engine, vault, session, window."""

from __future__ import annotations

import dataclasses
import logging
import os
import sys
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from PySide6.QtWidgets import QApplication

from facekiosk.engine.remote import EngineMode, open_engine
from facekiosk.pipeline.sources import FrameSource, open_source
from facekiosk.settings import Settings
from facekiosk.ui.i18n import LanguageSwitcher
from facekiosk.ui.theme import apply_theme

log = logging.getLogger(__name__)


@dataclass
class KioskApp:
    """Everything one running kiosk holds, so tests and the CLI can shut it down cleanly."""

    app: QApplication
    window: Any
    controller: Any
    engine: Any
    vault: Any
    integrations: Any = None  # API server / webhook sender (api/service.py) when enabled
    site: Any = None  # site.service.SiteService when this kiosk is a site member

    def close(self) -> None:
        self.controller.stop()
        self.window.close()
        if self.integrations is not None:
            self.integrations.close()  # before the vault: they use it
        self.engine.close()
        if self.site is not None:
            self.site.stop()
        self.vault.close()


def demo_settings(settings: Settings) -> Settings:
    """The demo shows still pictures: real liveness would (rightly) refuse every one of
    them, so the demo runs with liveness off and says so on screen."""
    liveness = dataclasses.replace(settings.liveness, enroll_level="off", auth_level="off")
    pin = dataclasses.replace(settings.pin, policy="optional")
    return dataclasses.replace(settings, liveness=liveness, pin=pin)


def qt_app(argv: list[str] | None = None) -> QApplication:
    app = QApplication.instance()
    if app is None:
        app = QApplication(argv or [sys.argv[0]])
        app.setApplicationName("facekiosk")
        app.setOrganizationName("facekiosk")
    if not isinstance(app, QApplication):  # Qt allows one application object per process
        raise RuntimeError("a non-GUI QCoreApplication runs in this process: no windows")
    apply_theme(app)
    return app


def build_kiosk(
    settings: Settings,
    data_dir: Path,
    source: FrameSource | str,
    *,
    engine_mode: EngineMode = "process",
    demo: bool = False,
    session_kwargs: dict[str, Any] | None = None,
    engine: Any = None,
) -> KioskApp:
    from facekiosk.kiosk.session import KioskSession
    from facekiosk.ui.controller import KioskController
    from facekiosk.ui.main_window import KioskWindow
    from facekiosk.vault import SearchParams, Vault

    app = qt_app()
    languages = LanguageSwitcher()
    languages.set_language(settings.kiosk.language)
    if demo:
        settings = demo_settings(settings)
    if isinstance(source, str):
        c = settings.camera
        source = open_source(source, width=c.width, height=c.height, fps=c.fps)
    vault = Vault.open(
        data_dir,
        compact_every=settings.vault.compact_every,
        search=SearchParams.from_settings(settings.vault),
    )
    try:
        engine = engine or open_engine(settings, data_dir, engine_mode)
        session = KioskSession(engine, vault, settings, data_dir=data_dir, **(session_kwargs or {}))
    except BaseException:
        vault.close()
        raise
    controller = KioskController(source, engine, session, settings, data_dir=data_dir, vault=vault)
    note = ""
    if demo:
        note = app.translate(
            "KioskApp", "Demo: still pictures from the installed packages; liveness checks are off"
        )
    window = KioskWindow(
        controller, settings, data_dir, vault=vault, demo_note=note, languages=languages
    )
    from facekiosk.api.service import start_integrations
    from facekiosk.site.api_bridge import open_bridge
    from facekiosk.site.service import start_site_service  # None (no socket) without a site

    bridge = open_bridge(data_dir, vault)  # None without a site: the API's site parts are off
    integrations = start_integrations(vault, settings, data_dir, site=bridge)  # off: nothing
    site = start_site_service(data_dir, settings, vault)
    return KioskApp(app, window, controller, engine, vault, integrations, site)


# Stop signals that came while the kiosk was still being built (hold_stop_signals).
_stop_requested: list[int] = []


def hold_stop_signals() -> None:
    """From the start of `run` until the kiosk's own handler: a SIGTERM or SIGINT during
    start-up (the engine loading its models, the API starting) is remembered and the kiosk
    closes as soon as it is built. Python's default ended the process on the spot: the
    engine process was left running and the vault was not closed."""
    import signal

    def remember(signum: int, _frame: object) -> None:
        log.info("signal %d during start-up: the kiosk closes once it is built", signum)
        _stop_requested.append(signum)

    signal.signal(signal.SIGTERM, remember)
    signal.signal(signal.SIGINT, remember)


def _quit_on_signals(kiosk: KioskApp) -> None:
    """SIGTERM (systemd stop) and SIGINT (Ctrl+C) close the kiosk cleanly: threads stopped,
    engine process ended, vault closed. Python runs signal handlers only between bytecodes,
    so a slow timer gives it a chance while Qt's C++ event loop waits."""
    import signal

    from PySide6.QtCore import QTimer

    def stop(signum: int, _frame: object) -> None:
        log.info("signal %d: closing the kiosk", signum)
        kiosk.window._close_allowed = True  # the operator's service manager, not a passer-by
        # Posted, not called: quit() does nothing while the event loop is not running yet,
        # and a stop can come while controller.start() still loads the engine (a kiosk
        # stopped during start-up then ran on until killed; seen under strace at ~15 s).
        QTimer.singleShot(0, kiosk.app.quit)

    signal.signal(signal.SIGTERM, stop)
    signal.signal(signal.SIGINT, stop)
    wake = QTimer(kiosk.window)
    wake.timeout.connect(lambda: None)
    wake.start(250)


def run_kiosk(kiosk: KioskApp, *, kiosk_mode: bool = False) -> int:
    from facekiosk.ui.kiosk_mode import apply_kiosk_mode, show_windowed

    _quit_on_signals(kiosk)
    if _stop_requested:  # stopped while starting: close without showing the window
        kiosk.window._close_allowed = True
        kiosk.close()
        return 0
    kiosk.controller.start()
    if kiosk_mode:
        apply_kiosk_mode(kiosk.window)
        kiosk.window.install_activity_filter()
    else:
        kiosk.window.install_activity_filter()
        show_windowed(kiosk.window)
    try:
        code = kiosk.app.exec()
    finally:
        kiosk.close()
    if kiosk.window.restart_requested:
        _reexec(restart_argv())
    return code


def restart_argv() -> list[str]:
    """The command line that started this process (a frozen build is its own executable)."""
    if getattr(sys, "frozen", False):
        return [sys.executable, *sys.argv[1:]]
    return [sys.executable, *sys.orig_argv[1:]]


def _reexec(argv: list[str]) -> None:
    """Replace this process with a fresh one (same PID: systemd and cage see no exit).
    The vault lock and the camera were released by `KioskApp.close`."""
    log.info("restarting: %s", " ".join(argv))
    logging.shutdown()
    os.execv(argv[0], argv)
