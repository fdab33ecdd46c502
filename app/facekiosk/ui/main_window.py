"""The kiosk window: a stack of pages driven by the session's view, plus local pages
(privacy, admin login, admin panel) and the capture status banner.

The GUI thread only paints: the preview polls the newest frame at ~60 Hz and
draws it with the overlays of the latest inference result; pages change when
the session's view changes.
"""

from __future__ import annotations

import logging
from pathlib import Path
from typing import TYPE_CHECKING, Any

from PySide6.QtCore import QEvent, QObject, Qt, QTimer, Signal
from PySide6.QtGui import QCloseEvent
from PySide6.QtWidgets import (
    QApplication,
    QLabel,
    QMainWindow,
    QStackedWidget,
    QVBoxLayout,
    QWidget,
)

from facekiosk.admin_auth import AdminAuth, AdminAuthError
from facekiosk.kiosk.codes import SCAN_STATES, State
from facekiosk.kiosk.view import SessionView
from facekiosk.pipeline.capture import CaptureStatus
from facekiosk.settings import Settings
from facekiosk.ui.i18n import LanguageSwitcher
from facekiosk.ui.inference import InferenceResult
from facekiosk.ui.pages.admin_login import AdminLoginPage
from facekiosk.ui.pages.attract import AttractPage
from facekiosk.ui.pages.capture import CapturePage
from facekiosk.ui.pages.consent import ConsentPage
from facekiosk.ui.pages.pin import PinPage
from facekiosk.ui.pages.result import ResultPage
from facekiosk.ui.pages.simple import ForgetConfirmPage, PrivacyPage
from facekiosk.ui.preview import PreviewWidget
from facekiosk.ui.theme import apply_theme, scale_for

if TYPE_CHECKING:  # imported when first opened: the kiosk starts without the admin tabs
    from facekiosk.ui.admin.panel import AdminPanel

log = logging.getLogger(__name__)

PREVIEW_POLL_MS = 16
LOCAL_IDLE_S = 60.0  # privacy/admin pages fall back to attract after this long untouched
MIN_WINDOW = (480, 480)  # 800x480 landscape and 480x800 portrait both fit

PAGE_FOR_STATE: dict[State, str] = {
    State.IDLE: "attract",
    State.CONSENT: "consent",
    **{state: "capture" for state in SCAN_STATES},
    State.PIN_SETUP: "pin",
    State.PIN_CONFIRM: "pin",
    State.PIN_ENTRY: "pin",
    State.FORGET_CONFIRM: "forget",
    State.RESULT: "result",
}
LOCAL_PAGES = ("privacy", "admin_login", "admin")


class _ActivityFilter(QObject):
    """Any touch, click or key press restarts the local-page idle timer."""

    activity = Signal()

    def eventFilter(self, obj: QObject, event: QEvent) -> bool:
        if event.type() in (
            QEvent.Type.MouseButtonPress,
            QEvent.Type.KeyPress,
            QEvent.Type.TouchBegin,
        ):
            self.activity.emit()
        return False


class KioskWindow(QMainWindow):
    page_changed = Signal(str)

    def __init__(
        self,
        controller: Any,
        settings: Settings,
        data_dir: Path,
        *,
        vault: Any = None,
        demo_note: str = "",
        languages: LanguageSwitcher | None = None,
    ) -> None:
        super().__init__()
        self.setObjectName("kiosk_window")
        self.controller = controller
        self.settings = settings
        self.data_dir = data_dir
        self.vault = vault
        self.admin_auth = AdminAuth(data_dir)
        self.languages = languages or LanguageSwitcher()
        self.kiosk_mode = False
        self.scale = 1.0
        self.portrait = False
        self._close_allowed = False
        self.restart_requested = False
        self._after_login = "admin"
        self._last_frame_seq = 0

        central = QWidget()
        layout = QVBoxLayout(central)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.setSpacing(0)
        self.banner = QLabel()
        self.banner.setObjectName("banner")
        self.banner.setWordWrap(True)
        self.banner.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.banner.hide()
        self.demo_banner = QLabel(demo_note)
        self.demo_banner.setObjectName("banner")
        self.demo_banner.setProperty("kind", "demo")
        self.demo_banner.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.demo_banner.setWordWrap(True)  # a portrait panel cut it at both ends
        self.demo_banner.setVisible(bool(demo_note))
        layout.addWidget(self.demo_banner)
        layout.addWidget(self.banner)
        self.stack = QStackedWidget()
        layout.addWidget(self.stack, 1)
        self.setCentralWidget(central)

        self.preview = PreviewWidget()
        attendance = settings.kiosk.mode == "attendance"
        # each page under its own type (its signals and methods), and all by name
        self.attract_page = AttractPage(attendance)
        self.consent_page = ConsentPage()
        self.capture_page = CapturePage(self.preview)
        self.pin_page = PinPage(settings.pin.max_length, settings.pin.min_length)
        self.forget_page = ForgetConfirmPage()
        self.result_page = ResultPage()
        self.privacy_page = PrivacyPage()
        self.login_page = AdminLoginPage()
        self.pages: dict[str, QWidget] = {
            "attract": self.attract_page,
            "consent": self.consent_page,
            "capture": self.capture_page,
            "pin": self.pin_page,
            "forget": self.forget_page,
            "result": self.result_page,
            "privacy": self.privacy_page,
            "admin_login": self.login_page,
        }
        self.admin_panel: AdminPanel | None = None
        for page in self.pages.values():
            self.stack.addWidget(page)
        self._wire_pages()

        self._preview_timer = QTimer(self)
        self._preview_timer.setInterval(PREVIEW_POLL_MS)
        self._preview_timer.timeout.connect(self._poll_frame)
        self._local_idle = QTimer(self)
        self._local_idle.setSingleShot(True)
        self._local_idle.setInterval(int(LOCAL_IDLE_S * 1000))
        self._local_idle.timeout.connect(self._local_timeout)
        self._activity = _ActivityFilter(self)
        self._activity.activity.connect(self._touch)
        if controller is not None:
            controller.view_changed.connect(self.render_view)
            controller.inference.connect(self._on_inference)
            controller.capture_status.connect(self.show_capture_status)
            controller.error.connect(lambda msg: log.warning("session error: %s", msg))
        self.setWindowTitle(self.tr("facekiosk"))
        # the smallest supported panel; pages scale their type and targets to fit (apply_scale)
        self.setMinimumSize(MIN_WINDOW[0], MIN_WINDOW[1])
        self.resize(1024, 768)
        self.show_page("attract")

    # ------------------------------------------------------------------ wiring
    def _wire_pages(self) -> None:
        c = self.controller
        attract, login = self.attract_page, self.login_page
        if c is not None:
            attract.authenticate.connect(c.start_auth)
            attract.enroll.connect(c.start_enroll)
            attract.forget.connect(c.start_forget_me)
            self.consent_page.accepted.connect(c.accept_consent)
            self.consent_page.declined.connect(c.decline_consent)
            self.consent_page.busy.connect(c.note_input)
            self.capture_page.cancelled.connect(c.cancel)
            self.pin_page.submitted.connect(c.enter_pin)
            self.pin_page.skipped.connect(c.skip_pin)
            self.pin_page.busy.connect(c.note_input)
            self.pin_page.cancelled.connect(c.cancel)
            self.forget_page.confirmed.connect(c.confirm_forget)
            self.forget_page.cancelled.connect(c.cancel)
            self.result_page.done.connect(c.cancel)
            self.result_page.retry.connect(c.retry)
        attract.privacy.connect(lambda: self.show_page("privacy"))
        attract.admin.connect(lambda: self.open_admin_login("admin"))
        attract.language.connect(self.toggle_language)
        self.privacy_page.back.connect(lambda: self.show_page("attract"))
        login.submitted.connect(self.admin_login)
        login.back.connect(self.leave_admin)

    # ------------------------------------------------------------------ pages
    def current_page_name(self) -> str:
        w = self.stack.currentWidget()
        for name, page in self.pages.items():
            if page is w:
                return name
        return "admin" if w is self.admin_panel else ""

    def show_page(self, name: str) -> None:
        widget = self.admin_panel if name == "admin" else self.pages[name]
        if widget is None:
            raise KeyError(name)
        self.stack.setCurrentWidget(widget)
        if name == "capture":
            self._preview_timer.start()
        else:
            self._preview_timer.stop()
            self.preview.clear()  # no frame is kept on screen outside capture
        if name in LOCAL_PAGES:
            self._local_idle.start()
        else:
            self._local_idle.stop()
        if self.controller is not None:
            self.controller.set_paused(name == "admin")
        self.page_changed.emit(name)

    def render_view(self, view: SessionView) -> None:
        """Show the page for a SessionView (local pages stay up while the session idles)."""
        # the demo's "liveness checks are off" must not stand above a liveness prompt: a
        # session that runs a liveness check has them on, whatever the banner was told
        self.demo_banner.setVisible(bool(self.demo_banner.text()) and view.state != State.LIVENESS)
        name = PAGE_FOR_STATE.get(view.state, "attract")
        if name == "attract" and self.current_page_name() in LOCAL_PAGES:
            return
        arriving = self.current_page_name() != name
        if name == "consent" and view.consent is not None:
            if arriving:
                self.consent_page.reset()  # a new visit reads the text to its end again
            self.consent_page.set_consent(view.consent.text, view.consent.version)
            self.consent_page.closing.set_seconds_left(view.seconds_left)
        elif name == "capture":
            self.capture_page.show_view(view)
        elif name == "pin":
            self.pin_page.show_view(view)
        elif name == "result":
            self.result_page.show_view(view)
        if arriving:
            self.show_page(name)

    def _on_inference(self, result: InferenceResult) -> None:
        if self.current_page_name() != "capture":
            return  # a late result must not put a camera frame back on another page
        self.preview.set_faces(result.faces, result.frame_size, frame=result.frame)

    def _poll_frame(self) -> None:
        if self.controller is None:
            return
        packet = self.controller.slot.get()
        if packet is not None and packet.seq != self._last_frame_seq:
            self._last_frame_seq = packet.seq
            self.preview.set_frame(packet.frame)

    def show_capture_status(self, status: CaptureStatus) -> None:
        if status.state in ("running", "starting", "stopped"):
            self.banner.hide()
            return
        if status.state == "stalled":
            text = self.tr("Camera problem (%1): reconnecting…").replace("%1", status.message)
        else:
            text = self.tr("Camera unavailable, retrying (attempt %1)…").replace(
                "%1", str(status.attempt)
            )
        self.banner.setProperty("kind", "error")
        self.banner.setText(text)
        self.banner.setAccessibleName(text)
        self.banner.style().polish(self.banner)
        self.banner.show()

    def toggle_language(self) -> None:
        self.languages.set_language(self.languages.next_language())
        if self.controller is not None:  # the consent text too, in the language now shown
            self.controller.set_language(self.languages.language)

    # ------------------------------------------------------------------ admin
    def open_admin_login(self, then: str = "admin") -> None:
        self._after_login = then
        page = self.login_page
        if not self.admin_auth.is_set():
            page.set_hint(
                self.tr("No admin PIN is set. On the console run: facekiosk run --set-admin-pin")
            )
        elif (wait := self.admin_auth.locked_for()) > 0:
            page.set_hint(
                self.tr("Locked after wrong PINs: wait %1 s").replace("%1", f"{wait:.0f}")
            )
        else:
            page.set_hint(
                self.tr("Enter the admin PIN to close the kiosk")
                if then == "close"
                else self.tr("Enter the admin PIN")
            )
        page.pad.clear()
        self.show_page("admin_login")

    def admin_login(self, secret: str) -> bool:
        page = self.login_page
        try:
            result = self.admin_auth.login(secret)
        except AdminAuthError as exc:
            page.set_hint(str(exc))
            return False
        if not result.ok:
            if result.locked_for_s > 0:
                page.set_hint(
                    self.tr("Wrong PIN. Locked for %1 s").replace(
                        "%1", f"{result.locked_for_s:.0f}"
                    )
                )
            else:
                page.set_hint(self.tr("Wrong PIN"))
            log.warning("admin login failed (%d failures)", result.failures)
            return False
        log.info("admin login")
        if self._after_login == "close":
            self._close_allowed = True
            self.close()
            return True
        self.show_admin_panel()
        return True

    def show_admin_panel(self) -> None:
        if self.admin_panel is None:
            from facekiosk.ui.admin.panel import AdminPanel

            self.admin_panel = AdminPanel(
                self.vault, self.settings, self.data_dir, controller=self.controller
            )
            self.admin_panel.closed.connect(self.leave_admin)
            self.admin_panel.restart_requested.connect(self.request_restart)
            self.stack.addWidget(self.admin_panel)
        self.show_page("admin")

    def request_restart(self) -> None:
        """Leave the event loop; `run_kiosk` closes everything and starts the app again."""
        log.info("restart requested from the admin panel")
        self.restart_requested = True
        self._close_allowed = True
        QApplication.quit()  # static: no need for the (Optional) instance

    def leave_admin(self) -> None:
        if self.admin_panel is not None:
            self.stack.removeWidget(self.admin_panel)
            self.admin_panel.deleteLater()  # logged out: the next visit asks for the PIN again
            self.admin_panel = None
        self.show_page("attract")

    # ------------------------------------------------------------------ size
    def resizeEvent(self, event) -> None:
        super().resizeEvent(event)
        self.apply_scale(scale_for(self.width(), self.height()))
        portrait = self.height() > self.width()
        if portrait != self.portrait:
            self.portrait = portrait
            for w in self.findChildren(QWidget):
                if hasattr(w, "set_portrait"):
                    w.set_portrait(portrait)

    def apply_scale(self, scale: float) -> None:
        """Re-scale the style sheet and touch targets when the window size changes a lot."""
        if abs(scale - self.scale) < 0.04:
            return
        self.scale = scale
        from PySide6.QtWidgets import QApplication

        app = QApplication.instance()
        if isinstance(app, QApplication):  # instance() is typed as the QCoreApplication base
            apply_theme(app, scale)
        for w in self.findChildren(QWidget):
            if hasattr(w, "set_scale"):
                w.set_scale(scale)

    # ------------------------------------------------------------------ idle/close
    def _touch(self) -> None:
        if self._local_idle.isActive():
            self._local_idle.start()

    def _local_timeout(self) -> None:
        if self.current_page_name() in LOCAL_PAGES:
            log.info("local page idle: back to attract")
            self.leave_admin()

    def install_activity_filter(self) -> None:
        from PySide6.QtWidgets import QApplication

        app = QApplication.instance()
        if app is not None:
            app.installEventFilter(self._activity)

    def closeEvent(self, event: QCloseEvent) -> None:
        if self.kiosk_mode and not self._close_allowed:
            event.ignore()
            self.open_admin_login("close")
            return
        self._preview_timer.stop()
        if self.controller is not None:
            self.controller.stop()
        event.accept()
