"""Save a PNG of every page: `facekiosk run --screenshot DIR` and docs/screenshots/.

Each page at 1024x768 (`<page>.png`) and at a portrait 800x1280 (`portrait_<page>.png`).

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
SIZES: dict[str, tuple[int, int]] = {"": (1024, 768), "portrait_": (800, 1280)}
ADMIN_TABS = (
    "admin_index_ids", "admin_audit", "admin_events", "admin_settings", "admin_vault",
    "admin_models", "admin_api",
)  # fmt: skip


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
        "liveness_step_back": SessionView(
            State.LIVENESS,
            Purpose.AUTH,
            liveness_prompt="STEP_BACK",
            liveness_progress=0.25,
            face_box=(225, 140, 415, 335),
            message_key="liveness.step_back",
        ),
        "pin_setup": SessionView(
            State.PIN_SETUP, Purpose.ENROLL, pin_skippable=True, message_key="state.pin_setup"
        ),
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
        "error_paused": SessionView(
            State.RESULT,
            Purpose.AUTH,
            error=ErrorCode.TOO_MANY_REQUESTS,
            result=Result(ResultKind.ERROR, now, retry_at=now + timedelta(seconds=47)),
            wait_s=47.0,
            message_key="error.too_many_requests",
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


def _settle() -> None:
    for _ in range(3):
        QCoreApplication.processEvents()  # static: the running application's queue


def save_screenshots(
    window: KioskWindow,
    out_dir: Path,
    *,
    prefix: str = "",
    sizes: dict[str, tuple[int, int]] | None = None,
) -> list[Path]:
    """Every page at each size (file prefix -> window size, default SIZES) as
    `<prefix><size prefix><page>.png`; returns the paths."""
    saved: list[Path] = []
    was_visible = window.isVisible()
    before = window.size()
    window.show()
    for size_prefix, (w, h) in (sizes or SIZES).items():
        window.resize(w, h)
        saved += _save_pages(window, out_dir, prefix + size_prefix)
    window.resize(before)
    if not was_visible:
        window.hide()
    return saved


def _save_pages(window: KioskWindow, out_dir: Path, prefix: str) -> list[Path]:
    if QApplication.instance() is None:
        raise RuntimeError("create the QApplication first")
    out_dir.mkdir(parents=True, exist_ok=True)
    saved: list[Path] = []

    def grab(name: str) -> None:
        _settle()
        path = out_dir / f"{prefix}{name}.png"
        window.grab().save(str(path))
        saved.append(path)

    window.show_page("attract")
    grab("attract")
    face = demo_people()[-1].image  # the astronaut: a public-domain NASA portrait
    for name, view in sample_views(window.languages.language).items():
        window.render_view(view)
        if name.startswith(("capture", "liveness")) and view.face_box is not None:
            window.preview.set_frame(face)
            window.preview.set_faces((FaceOverlay(view.face_box, True),), (640, 480))
        grab(name)
    window.show_page("privacy")
    grab("privacy")
    body = window.privacy_page.body
    body.verticalScrollBar().setValue(body.verticalScrollBar().maximum() // 2)
    grab("privacy_licences")
    body.verticalScrollBar().setValue(0)
    window.open_admin_login()
    grab("admin_login")
    if window.vault is not None:
        engine = getattr(window.controller, "engine", None)
        with demo_vault(engine) as (vault, data_dir):
            site = window.vault, window.data_dir
            window.vault, window.data_dir = vault, data_dir  # the panel opens on the demo vault
            try:
                window.show_admin_panel()
                panel = window.admin_panel
                assert panel is not None  # show_admin_panel made it
                for i, name in enumerate(ADMIN_TABS):
                    panel.tabs.setCurrentIndex(i)
                    grab(name)
                window.leave_admin()
                # the panel goes before its vault closes
                QCoreApplication.sendPostedEvents(None, QEvent.Type.DeferredDelete)
            finally:
                window.vault, window.data_dir = site
    window.show_page("attract")
    return saved
