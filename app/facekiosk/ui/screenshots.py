"""Save a PNG of every page: `facekiosk run --screenshot DIR` and docs/screenshots/.

Each page is shown with a representative SessionView (the session's own
dataclass, filled in as the session would) and grabbed offscreen, so the
pictures need no camera and no enrolled person. The admin pages show a
throw-away vault in a temporary data dir with a few demo records ("Demo 1"…),
enrolled from the demo faces through the window's engine (synthetic unit vectors
when there is no engine): the site's own vault is neither shown nor written.
"""

from __future__ import annotations

import logging
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import numpy as np
from PySide6.QtCore import QCoreApplication, QEvent
from PySide6.QtWidgets import QApplication

from facekiosk.kiosk.codes import ErrorCode, Purpose, ResultKind, State
from facekiosk.kiosk.consent import load_consent
from facekiosk.kiosk.view import Result, SessionView
from facekiosk.pipeline.demo_source import demo_people
from facekiosk.ui.inference import FaceOverlay
from facekiosk.ui.main_window import KioskWindow

log = logging.getLogger(__name__)

SAMPLE_ID = "3f6c2a9e-8b1d-4c5e-9f7a-2d4b6e8c0a1f"  # a made-up UUID4 for the pictures
DEMO_RECORDS = 5  # rows in the admin screenshots' throw-away vault


def sample_views(language: str = "en") -> dict[str, SessionView]:
    now = datetime.now(UTC)
    consent = load_consent(language)
    return {
        "consent": SessionView(State.CONSENT, Purpose.ENROLL, consent=consent),
        "capture_guidance": SessionView(
            State.CAPTURE,
            Purpose.ENROLL,
            guidance=("TOO_FAR",),
            face_box=(250, 170, 390, 310),
            message_key="guide.too_far",
        ),
        "liveness": SessionView(
            State.LIVENESS,
            Purpose.ENROLL,
            liveness_prompt="TURN_LEFT",
            liveness_progress=0.5,
            face_box=(235, 155, 405, 325),
            message_key="liveness.turn_left",
        ),
        "pin_setup": SessionView(State.PIN_SETUP, Purpose.ENROLL, message_key="state.pin_setup"),
        "pin_entry_wrong": SessionView(
            State.PIN_ENTRY,
            Purpose.AUTH,
            pin_tries_left=2,
            error=ErrorCode.WRONG_PIN_CODE,
            message_key="error.wrong_pin_code",
        ),
        "forget_confirm": SessionView(State.FORGET_CONFIRM, Purpose.FORGET),
        "result_enrolled": SessionView(
            State.RESULT,
            Purpose.ENROLL,
            result=Result(ResultKind.ENROLLED, now, SAMPLE_ID, "K7M-4QX"),
            message_key="result.enrolled",
        ),
        "result_granted": SessionView(
            State.RESULT,
            Purpose.AUTH,
            result=Result(ResultKind.CHECK_IN, now, similarity=0.93),
            message_key="result.check_in",
        ),
        "error_pad_attack": SessionView(
            State.RESULT,
            Purpose.AUTH,
            error=ErrorCode.PAD_ATTACK,
            result=Result(ResultKind.ERROR, now),
            message_key="error.pad_attack",
        ),
    }


def _demo_embeddings(engine: Any, n: int) -> list[Any]:
    """Up to `n` real embeddings of the demo faces (one face per picture), else synthetic
    unit vectors (no engine, or the engine failed): the rows look the same either way."""
    from facekiosk.engine.types import Embedding, FrameRequest

    found: list[Any] = []
    if engine is not None:
        try:
            for person in [demo_people()[-1], *demo_people()[:-1]]:
                faces = engine.analyze(person.image, FrameRequest(embed="primary"))
                if len(faces) == 1 and faces[0].embedding is not None:
                    found.append(faces[0].embedding)
                if len(found) == n:
                    break
        except Exception as exc:  # a screenshot must not fail for want of a face
            log.warning("demo records: engine failed (%s); using synthetic vectors", exc)
            found = []
    if found:
        log.info("demo records: %d enrolled from the demo faces", len(found))
        return found
    log.info("demo records: %d synthetic unit vectors", n)
    rng = np.random.default_rng(7)
    vecs = rng.normal(size=(n, 128)).astype(np.float32)
    return [Embedding(v / np.linalg.norm(v), "dlib", "dlib_resnet_v1") for v in vecs]


@contextmanager
def demo_vault(engine: Any = None, n: int = DEMO_RECORDS) -> Iterator[tuple[Any, Path]]:
    """A vault in a temporary data dir holding `n` demo records; removed on exit."""
    from facekiosk.vault import Vault

    consent = load_consent("en").version
    now = datetime.now(UTC)
    with tempfile.TemporaryDirectory(prefix="facekiosk-screenshots-") as tmp:
        data_dir = Path(tmp) / "data"
        data_dir.mkdir(mode=0o700)
        vault = Vault.open(data_dir)
        try:
            for i, emb in enumerate(_demo_embeddings(engine, n)):
                index_id = vault.enroll(
                    [emb], label=f"Demo {i + 1}", consent_version=consent, actor="demo"
                )
                if i % 2 == 0:  # some were seen today, the others never since enrolment
                    at = now - timedelta(minutes=17 * (i + 1))
                    vault.record_event("attendance", index_id, "kiosk-1", "check_in", at=at)
                    vault.touch(index_id, at)
            yield vault, data_dir
        finally:
            vault.close()


def _settle(app: QApplication) -> None:
    for _ in range(3):
        app.processEvents()


def save_screenshots(window: KioskWindow, out_dir: Path, *, prefix: str = "") -> list[Path]:
    """Show every page in turn and save `<prefix><page>.png` files; returns the paths."""
    app = QApplication.instance()
    assert app is not None
    out_dir.mkdir(parents=True, exist_ok=True)
    saved: list[Path] = []
    was_visible = window.isVisible()
    window.show()

    def grab(name: str) -> None:
        _settle(app)  # type: ignore[arg-type]
        path = out_dir / f"{prefix}{name}.png"
        window.grab().save(str(path))
        saved.append(path)

    window.show_page("attract")
    grab("attract")
    face = demo_people()[-1].image  # the astronaut: a public-domain NASA portrait
    for name, view in sample_views(window.languages.language).items():
        window.render_view(view)
        if name in ("capture_guidance", "liveness"):
            window.preview.set_frame(face)
            window.preview.set_faces((FaceOverlay(view.face_box, True),), (640, 480))
        grab(name)
    window.show_page("privacy")
    grab("privacy")
    window.open_admin_login()
    grab("admin_login")
    if window.vault is not None:
        engine = getattr(window.controller, "engine", None)
        with demo_vault(engine) as (vault, data_dir):
            site = window.vault, window.data_dir
            window.vault, window.data_dir = vault, data_dir  # the panel opens on the demo vault
            try:
                window.show_admin_panel()
                grab("admin_index_ids")
                panel = window.admin_panel
                for i, name in enumerate(
                    ("admin_audit", "admin_events", "admin_settings", "admin_vault")
                ):
                    panel.tabs.setCurrentIndex(i + 1)  # type: ignore[union-attr]
                    grab(name)
                window.leave_admin()
                # the panel goes before its vault closes
                QCoreApplication.sendPostedEvents(None, QEvent.Type.DeferredDelete)
            finally:
                window.vault, window.data_dir = site
    window.show_page("attract")
    if not was_visible:
        window.hide()
    return saved
