"""`facekiosk enroll / identify / admin delete` through the real command, on real photos:
faces cropped from insightface's t1.jpg (six people) and skimage's astronaut into
separate files, and ../shared/faces when present; the real dlib engine, a real vault."""

from __future__ import annotations

import json
from pathlib import Path

import cv2
import numpy as np
import pytest

from facekiosk.cli import main
from facekiosk.engine.dlib_engine import DlibEngine
from facekiosk.kiosk.receipt import purge_receipt


def _run(capsys, data_dir: Path, *argv: str) -> tuple[int, str, str]:
    code = main(["--data-dir", str(data_dir), *argv])
    out, err = capsys.readouterr()
    return code, out, err


def _crop(image: np.ndarray, box: tuple[float, ...], margin: float, path: Path) -> str:
    """The face in `box` with `margin` box-widths around it, written to `path`."""
    x0, y0, x1, y1 = box
    w, h = x1 - x0, y1 - y0
    top, bottom = int(max(0, y0 - margin * h)), int(min(image.shape[0], y1 + margin * h))
    left, right = int(max(0, x0 - margin * w)), int(min(image.shape[1], x1 + margin * w))
    assert cv2.imwrite(str(path), image[top:bottom, left:right])
    return str(path)


@pytest.fixture(scope="module")
def finder() -> DlibEngine:
    return DlibEngine(detect_width=0, upsample=1)


@pytest.fixture
def t1_faces(finder, t1_image, tmp_path) -> list[str]:
    """One file per person of t1.jpg, left to right."""
    boxes = sorted((f.bbox for f in finder.detect(t1_image)), key=lambda b: b[0])
    assert len(boxes) == 6
    return [_crop(t1_image, b, 0.6, tmp_path / f"t1_{i}.jpg") for i, b in enumerate(boxes)]


@pytest.fixture
def astronaut_photos(finder, astronaut_image, tmp_path) -> list[str]:
    """Two files of the astronaut (different framing): the same person twice."""
    box = max((f.bbox for f in finder.detect(astronaut_image)), key=lambda b: b[2] - b[0])
    return [
        _crop(astronaut_image, box, m, tmp_path / f"astronaut_{i}.jpg")
        for i, m in enumerate((0.5, 0.8))
    ]


def test_enroll_refuses_two_different_people(data_dir, t1_faces, capsys):
    # Before: each photo was compared with the mean of both (itself included), which two
    # of t1's people (cosine ~0.85 < dlib's 0.92) pass at ~0.96: enrolled as one person.
    for a, b in ((0, 1), (2, 5)):
        code, out, err = _run(capsys, data_dir, "enroll", "--image", t1_faces[a], t1_faces[b])
        assert code == 1, out
        assert "does not look like the same person" in err
        assert t1_faces[a] in err and t1_faces[b] in err
    assert not (data_dir / "vault.db").exists() or "0 of 0" in _run(
        capsys, data_dir, "admin", "list"
    )[1]


def test_enroll_names_the_photo_of_someone_else(data_dir, astronaut_photos, t1_faces, capsys):
    stray = t1_faces[3]
    code, _, err = _run(capsys, data_dir, "enroll", "--image", *astronaut_photos, stray)
    assert code == 1
    assert err.startswith(f"facekiosk: error: {stray} does not look like the same person")
    # The same person in two framings is one person.
    code, out, err = _run(capsys, data_dir, "enroll", "--image", *astronaut_photos, "--json")
    assert code == 0, err
    assert json.loads(out)["index_id"]


def test_enroll_refuses_mixed_people_from_shared_faces(data_dir, shared_faces, capsys):
    def photos(person: str, n: int) -> list[str]:
        return [str(p) for p in sorted((shared_faces / "identities" / person).glob("*"))[:n]]

    gore, frist = photos("Al_Gore", 3), photos("Bill_Frist", 1)
    code, _, err = _run(capsys, data_dir, "enroll", "--image", *gore[:2], frist[0])
    assert code == 1
    assert err.startswith(f"facekiosk: error: {frist[0]} does not look like the same person")
    code, _, err = _run(capsys, data_dir, "enroll", "--image", *gore)
    assert code == 0, err


def test_identify_refuses_a_group_photo(data_dir, astronaut_photos, capsys):
    from tests.conftest import _insightface_images

    code, _, err = _run(capsys, data_dir, "enroll", "--image", astronaut_photos[0])
    assert code == 0, err
    t1 = str(_insightface_images() / "t1.jpg")
    # t1's faces are ~100 px of 1280: the default detect_width (480) shrinks them below
    # HOG's 80 px window; a site identifying from photos sets full resolution.
    (data_dir / "settings.toml").write_text("[engine]\ndetect_width = 1280\n")
    # Before: the first of the six faces was searched, and its matches printed.
    code, out, err = _run(capsys, data_dir, "identify", "--image", t1, "--json")
    assert code == 1 and out == ""
    assert "6 faces found" in err and t1 in err
    code, out, _ = _run(capsys, data_dir, "identify", "--image", astronaut_photos[1], "--json")
    assert code == 0 and json.loads(out)["decision"] == "match"


def test_admin_delete_prints_the_receipt(data_dir, astronaut_photos, t1_faces, capsys):
    ids = []
    for photo in (astronaut_photos[0], t1_faces[0]):
        code, out, err = _run(capsys, data_dir, "enroll", "--image", photo)
        assert code == 0, err
        ids.append(out.strip())
    code, out, err = _run(capsys, data_dir, "admin", "delete", ids[0], "--reason", "asked")
    assert code == 0, err
    seq = int(out.split("Audit entry #")[1].split(".")[0])
    assert out.startswith("Purged 1 Index ID(s) at ")
    assert "Vectors removed: 1, metadata rows removed: " in out
    assert f"{ids[0]}  receipt code {purge_receipt(ids[0], seq)}" in out
    audit = json.loads(_run(capsys, data_dir, "admin", "audit", "--json")[1])
    assert audit[-1]["seq"] == seq and audit[-1]["action"] == "purge"

    code, out, err = _run(capsys, data_dir, "admin", "delete", ids[1], "--json")
    assert code == 0, err
    receipt = json.loads(out)
    assert receipt["purged"] == [ids[1]]
    assert receipt["receipt_codes"] == {ids[1]: purge_receipt(ids[1], receipt["audit_seq"])}
    assert receipt["vectors_removed"] == 1 and receipt["audit_seq"] == seq + 1


def test_the_panel_and_the_cli_share_the_receipt_text():
    """The panel renders kiosk.receipt's texts through Qt; lupdate needs them as literals in
    ui/ (marked there), and the German catalogue must still translate them."""
    from PySide6.QtCore import QTranslator

    from facekiosk.kiosk.receipt import POLICY_ERROR_TEXT, PURGE_TEXT
    from facekiosk.ui.admin.identities_tab import RECEIPT_SOURCES
    from facekiosk.ui.i18n import translations_dir

    assert RECEIPT_SOURCES == (PURGE_TEXT, POLICY_ERROR_TEXT)
    de = QTranslator()
    assert de.load(str(translations_dir() / "facekiosk_de.qm"))
    for text in RECEIPT_SOURCES:
        assert de.translate("IdentitiesTab", text) not in ("", text)
