"""`facekiosk bench liveness` through the real CLI dispatcher on a tiny generated dataset."""

from __future__ import annotations

import json

import cv2

from facekiosk.cli import main


def test_bench_liveness_json_keys_and_a_still_attack(tmp_path, data_dir, tom_hanks_image, capsys):
    dataset = tmp_path / "dataset"
    (dataset / "attack" / "print").mkdir(parents=True)
    (dataset / "live").mkdir()
    cv2.imwrite(str(dataset / "attack" / "print" / "tom.png"), tom_hanks_image)
    code = main(
        [
            "--data-dir",
            str(data_dir),
            "bench",
            "liveness",
            "--dataset",
            str(dataset),
            "--fps",
            "5",
            "--max-seconds",
            "4",
            "--compare",
            "--json",
        ]
    )
    assert code == 0
    report = json.loads(capsys.readouterr().out)
    assert list(report) == ["model", "motion"]  # both rule sets, same frames
    for rules, part in report.items():
        assert part["rules"] == rules
        assert list(part)[:5] == ["rules", "presentations", "apcer", "apcer_max", "bpcer"]
        assert part["presentations"] == 1
        assert part["apcer"] == {"print": 0.0}
        assert part["bpcer"] is None  # no live media
        assert part["fta_live"] == 0
        assert set(part["per_type"]["print"]) >= {"n", "passed", "fta", "model", "motion"}
    assert report["motion"]["per_type"]["print"]["model"] == {"off": 1}
    assert "off" not in report["model"]["per_type"]["print"]["model"]
    frame_ms = report["model"]["details"]["frame_ms"]
    assert frame_ms["engine"]["median"] > 0 and frame_ms["model"]["median"] > 0


def test_bench_liveness_refuses_a_folder_without_the_layout(tmp_path, data_dir, capsys):
    code = main(["--data-dir", str(data_dir), "bench", "liveness", "--dataset", str(tmp_path)])
    assert code == 1
    assert "live/ and/or attack/" in capsys.readouterr().err


def test_shared_view_is_symlinks_only(tmp_path, shared_liveness):
    from facekiosk.engine.liveness.media import build_shared_view, discover

    view = build_shared_view(shared_liveness.parent, tmp_path / "view")
    items = discover(view)
    kinds = {(i.label, i.attack_type) for i in items}
    assert ("live", None) in kinds and ("attack", "replay") in kinds
    assert all(i.path.is_symlink() for i in items)
    assert not any(i.path.name.endswith(".csv") for i in items)
