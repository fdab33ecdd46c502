"""Benchmark logic: metric functions on known scores, and both benches end to end
on small real inputs (timings are reported, never asserted)."""

from __future__ import annotations

import json
import shutil

import cv2
import numpy as np
import pytest

from facekiosk.bench.accuracy import (
    equal_error_rate,
    identification,
    run_accuracy,
    threshold_at_far,
)
from facekiosk.bench.pipeline import run_pipeline
from facekiosk.cli import main

from .derive import jpeg, rotate


def test_threshold_at_far_allows_exactly_the_budget():
    impostor = np.linspace(0.0, 0.999, 1000).astype(np.float32)
    t = threshold_at_far(impostor, 1e-2)
    assert (impostor >= t).sum() == 10
    t = threshold_at_far(impostor, 1e-4)  # below the resolution: nothing may pass
    assert (impostor >= t).sum() == 0


def test_equal_error_rate_of_separable_and_overlapping_scores():
    eer, t = equal_error_rate(np.array([0.9, 0.95, 0.99]), np.array([0.1, 0.2, 0.3]))
    assert eer == 0.0 and 0.3 < t <= 0.9
    rng = np.random.default_rng(1)
    genuine, impostor = rng.normal(1.0, 1.0, 20000), rng.normal(-1.0, 1.0, 20000)
    eer, t = equal_error_rate(genuine, impostor)
    assert eer == pytest.approx(0.1587, abs=0.01)  # Phi(-1) for unit-variance normals
    assert abs(t) < 0.05


def test_identification_counts_rank1_and_rejection():
    vectors = np.eye(3, dtype=np.float32)[[0, 0, 1, 1, 2]]
    labels = np.array([0, 0, 1, 1, 2])
    result = identification(vectors, labels, threshold=0.5)
    assert result == {
        "gallery": 3,
        "probes": 2,
        "rank1": 1.0,
        "rank1_at_threshold": 1.0,
        "unknown_rejection": 1.0,
        "lead_p10": 1.0,
        "lead_median": 1.0,
        "rank1_at_threshold_and_margin": {
            "0.00": 1.0,
            "0.01": 1.0,
            "0.02": 1.0,
            "0.03": 1.0,
            "0.05": 1.0,
        },
    }
    # A probe closer to the wrong person: rank-1 drops, the lead goes negative.
    vectors = vectors.copy()
    vectors[3] = np.array([0.8, 0.6, 0.0], dtype=np.float32)
    result = identification(vectors, labels, threshold=0.5)
    assert result["rank1"] == 0.5 and result["lead_p10"] < 0


@pytest.fixture(scope="module")
def tiny_dataset(tmp_path_factory, t1_image, astronaut_image, tom_hanks_image, photo_engine):
    """identities/<person>/<n>.jpg from real photos: the six t1 people, the astronaut
    and Tom Hanks, three derived photos each (so every person has genuine pairs)."""
    root = tmp_path_factory.mktemp("faces")
    crops = []
    for face in photo_engine.detect(t1_image):
        x1, y1, x2, y2 = (int(v) for v in face.bbox)
        m = (x2 - x1) // 2
        crops.append(t1_image[max(0, y1 - m) : y2 + m, max(0, x1 - m) : x2 + m])
    crops += [astronaut_image[0:300, 100:350], tom_hanks_image]
    for k, crop in enumerate(crops):
        folder = root / "identities" / f"person_{k}"
        folder.mkdir(parents=True)
        crop = cv2.resize(crop, None, fx=2.0, fy=2.0)
        for n, image in enumerate([crop, jpeg(crop, 40), rotate(crop, 6)]):
            cv2.imwrite(str(folder / f"{n}.jpg"), image)
    (root / "identities" / "person_0" / "3.jpg").write_bytes(b"corrupt")
    (root / "groups").mkdir()
    cv2.imwrite(str(root / "groups" / "1.jpg"), t1_image)
    (root / "nofaces").mkdir()
    cv2.imwrite(str(root / "nofaces" / "1.jpg"), np.full((300, 400, 3), 90, np.uint8))
    return root


def test_accuracy_report_on_a_tiny_real_dataset(tiny_dataset, photo_engine, tmp_path):
    plot = tmp_path / "det.png"
    report = run_accuracy(photo_engine, tiny_dataset, plot=plot)
    for key in (
        "engine", "model", "identities", "images", "fail_to_detect", "genuine_pairs",
        "impostor_pairs", "eer", "tar_at_far", "threshold_at_far", "rank1",
    ):  # fmt: skip
        assert key in report
    assert set(report["tar_at_far"]) == set(report["threshold_at_far"]) == {"1e-2", "1e-3", "1e-4"}
    assert report["identities"] == 8 and report["images"] == 25
    assert report["fail_to_detect"] == 1  # the corrupt file
    detected = 25 - report["fail_to_detect"]
    assert report["genuine_pairs"] + report["impostor_pairs"] == detected * (detected - 1) // 2
    assert report["genuine_pairs"] == 8 * 3
    assert report["rank1"] == 1.0  # derived copies of the same photo
    assert report["eer"] == 0.0
    assert set(report["identification_at_far"]) == {"1e-2", "1e-3", "1e-4"}
    assert report["groups_faces"] == [6] and report["nofaces_false_faces"] == [0]
    assert plot.stat().st_size > 1000 and plot.read_bytes()[:4] == b"\x89PNG"
    json.dumps(report)  # JSON-ready


def test_bench_accuracy_cli_json_and_missing_dataset(tiny_dataset, tmp_path, capsys):
    data = tmp_path / "data"
    tiny = tmp_path / "tiny"
    shutil.copytree(tiny_dataset / "identities" / "person_6", tiny / "identities" / "a")
    shutil.copytree(tiny_dataset / "identities" / "person_7", tiny / "identities" / "b")
    code = main(
        ["--data-dir", str(data), "bench", "accuracy", "--dataset", str(tiny),
         "--engine", "dlib", "--descriptor", "dlib", "--json", "--save"]
    )  # fmt: skip
    assert code == 0
    report = json.loads(capsys.readouterr().out)
    assert report["identities"] == 2 and report["genuine_pairs"] == 6
    saved = data / "bench" / "accuracy-dlib-dlib_resnet_v1.json"  # --save: the admin reads it
    assert json.loads(saved.read_text())["threshold_at_far"] == report["threshold_at_far"]
    code = main(["--data-dir", str(data), "bench", "accuracy", "--dataset", str(tmp_path / "no")])
    assert code == 1
    assert "identities/<person>/<image>" in capsys.readouterr().err


def test_bench_pipeline_recall_refuses_a_detector_without_hog(tiny_dataset, tmp_path, capsys):
    # The sweep passes HOG's `upsample`: the bundled (YuNet) engine used to run the whole
    # pipeline and then crash with a TypeError instead of saying what to do.
    code = main(
        ["--data-dir", str(tmp_path / "data"), "bench", "pipeline", "--engine", "bundled",
         "--repeats", "1", "--recall-dataset", str(tiny_dataset)]
    )  # fmt: skip
    assert code == 1
    assert "--engine dlib" in capsys.readouterr().err


def test_pipeline_report_shape(dlib_engine, data_dir):
    report = run_pipeline(dlib_engine, repeats=1, data_dir=data_dir, warmup=0)
    assert report["engine"] == "dlib" and report["descriptor_backend"] == "dlib"
    one, group = report["frames"]
    assert one["faces"] == 1 and group["faces"] == 6
    for frame in (one, group):
        assert set(frame["stages"]) == {"detect", "landmarks", "pose", "quality", "embed", "total"}
        assert frame["fps"] > 0
    assert report["embed_dlib_ms"] > 0
    assert "embed_onnx_ms" in report
    live = report["liveness"]  # issue 19: per-frame liveness cost at the auth default
    assert live["level"] == "passive" and live["frames"] == 1
    assert live["liveness_ms"]["median"] >= live["model_ms"]["median"] > 0
    json.dumps(report)


def test_kiosk_frames_place_faces_at_the_asked_size(tiny_dataset, dlib_engine):
    from facekiosk.bench.pipeline import detect_width_recall, kiosk_frames_from_photos

    frames = kiosk_frames_from_photos(dlib_engine, tiny_dataset, face_width=150, limit=2)
    assert len(frames) == 2
    for frame, box in frames:
        assert frame.shape == (480, 640, 3)
        assert box[2] - box[0] == pytest.approx(150)
        found = dlib_engine.detect(frame, detect_width=0)
        assert found and found[0].width == pytest.approx(150, rel=0.2)
    report = detect_width_recall(
        dlib_engine, tiny_dataset, face_widths=(150,), detect_widths=(480,), limit=2
    )
    assert report["recall"] == {"150": {"480": 1.0}} and report["photos"] == 2
