"""HOG against YuNet on turned heads: frames of real clips where each finds the face.

    python -m facekiosk.bench.detectors ../shared/liveness [--json]

Every frame of the head-turn and head-shake clips of ../shared/liveness, each detector
at its live setting (the dlib engine's HOG at engine.detect_width 480, the bundled
engine's YuNet at 320). Counted: frames with a face for each, for both, and YuNet's
share of the frames where HOG finds one (the issue asks >= 95 %, and more overall).
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

import cv2

from facekiosk.engine.bundled_engine import DEFAULT_DETECT_WIDTH
from facekiosk.engine.dlib_engine import DEFAULT_DETECT_WIDTH as HOG_DETECT_WIDTH
from facekiosk.engine.dlib_engine import DlibEngine
from facekiosk.engine.yunet import YuNetDetector

TURN_CLIPS = (
    "live_head_turn_lr_zubair.webm",
    "live_head_shake_zulkhuu.mp4",
    "live_head_moves_luyt.mp4",
)


def count_clip(path: Path, hog: DlibEngine, yunet: YuNetDetector) -> dict[str, int]:
    capture = cv2.VideoCapture(str(path))
    counts = {"frames": 0, "hog": 0, "yunet": 0, "both": 0}
    try:
        while True:
            ok, frame = capture.read()
            if not ok:
                break
            found_hog = bool(hog._find_faces(frame, HOG_DETECT_WIDTH, 0))
            found_yunet = bool(yunet.detect(frame, DEFAULT_DETECT_WIDTH))
            counts["frames"] += 1
            counts["hog"] += found_hog
            counts["yunet"] += found_yunet
            counts["both"] += found_hog and found_yunet
    finally:
        capture.release()
    return counts


def turned_heads(liveness_dir: Path) -> dict[str, dict[str, float]]:
    hog, yunet = DlibEngine(descriptor="dlib"), YuNetDetector()
    report: dict[str, dict[str, float]] = {}
    total = {"frames": 0, "hog": 0, "yunet": 0, "both": 0}
    for name in TURN_CLIPS:
        counts = count_clip(liveness_dir / "videos" / name, hog, yunet)
        for key in total:
            total[key] += counts[key]
        report[name] = _with_share(counts)
    report["all"] = _with_share(total)
    return report


def _with_share(counts: dict[str, int]) -> dict[str, float]:
    share = counts["both"] / counts["hog"] if counts["hog"] else 1.0
    return {**counts, "yunet_share_of_hog_frames": round(share, 4)}


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("liveness_dir", type=Path)
    parser.add_argument("--json", action="store_true", help="print the counts as JSON")
    args = parser.parse_args(argv)
    report = turned_heads(args.liveness_dir)
    if args.json:
        json.dump(report, sys.stdout, indent=2)
        print()
        return 0
    print(f"{'clip':<32} {'frames':>6} {'HOG':>5} {'YuNet':>5} {'YuNet where HOG':>16}")
    for name, c in report.items():
        share = f"{c['yunet_share_of_hog_frames']:.1%}"
        print(f"{name:<32} {c['frames']:>6} {c['hog']:>5} {c['yunet']:>5} {share:>16}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
