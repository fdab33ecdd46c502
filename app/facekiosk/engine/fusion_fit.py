"""Fit the fusion calibration on a development set and write it into SFace's model.json.

    python -m facekiosk.engine.fusion_fit ../shared/faces [--write]

Impostor mean/std of each model's cosine over every impostor pair of the set (the
bundled engine's own detection and alignment, photo mode). Fitted on ../shared/faces
ONLY: nothing here may be tuned on any other data. `--write` stores the result as
calibration.fusion (version bumped when the numbers change) and keeps the rest.
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path
from typing import Any

import numpy as np

from facekiosk.engine.dataset import list_dataset
from facekiosk.engine.fusion import impostor_stats
from facekiosk.engine.types import ImageError, read_image
from facekiosk.engine.vendored import MANIFEST, models_root


def fit(dataset: Path) -> dict:
    from facekiosk.engine.bundled_engine import BundledEngine

    engine = BundledEngine(photos=True, vectors="sface")
    samples = list_dataset(dataset)
    dlib_rows, sface_rows, labels = [], [], []
    names = sorted({s.identity for s in samples})
    for sample in samples:
        try:
            image = read_image(str(sample.path))
        except ImageError:
            continue
        faces = engine.detect(image, max_faces=1)
        if not faces:
            continue
        _embed_both(engine, image, faces)
        dlib_rows.append(faces[0].extras["dlib_embedding"].vector)  # type: ignore[attr-defined]
        sface_rows.append(faces[0].extras["sface_embedding"].vector)  # type: ignore[attr-defined]
        labels.append(names.index(sample.identity))
    lab = np.array(labels)
    d_mean, d_std, pairs = impostor_stats(np.array(dlib_rows), lab)
    s_mean, s_std, _ = impostor_stats(np.array(sface_rows), lab)
    return {
        "dlib": {"impostor_mean": round(d_mean, 6), "impostor_std": round(d_std, 6)},
        "sface": {"impostor_mean": round(s_mean, 6), "impostor_std": round(s_std, 6)},
        "fitted_on": f"{dataset.name}: {len(labels)} photos, {len(names)} people, "
        f"{pairs} impostor pairs",
    }


def _embed_both(engine: Any, image: np.ndarray, faces: list[Any]) -> None:
    from facekiosk.engine.dlib_engine import DlibEngine
    from facekiosk.engine.sface import SFaceRecognizer, align_faces
    from facekiosk.engine.types import Embedding

    sface = engine._ensure_sface()
    kps = [np.asarray(f.extras["yunet_kps"], dtype=np.float64) for f in faces]
    s_raw = sface.compute(align_faces(image, kps))
    d_raw = engine._dlib._ensure_descriptor().compute(engine._dlib.chips(image, faces))
    for k, face in enumerate(faces):
        face.extras["sface_embedding"] = Embedding(s_raw[k], "sface", SFaceRecognizer.model_id)
        face.extras["dlib_embedding"] = Embedding(d_raw[k], DlibEngine.name, DlibEngine.model_id)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("dataset", type=Path)
    parser.add_argument("--write", action="store_true")
    args = parser.parse_args(argv)
    result = fit(args.dataset)
    path = models_root() / "sface" / MANIFEST
    data = json.loads(path.read_text(encoding="utf-8"))
    calibration = data.setdefault("calibration", {})
    old = calibration.get("fusion", {})
    changed = any(old.get(k) != result[k] for k in ("dlib", "sface"))
    result["version"] = str(int(old.get("version", "0")) + 1) if changed else old["version"]
    json.dump(result, sys.stdout, indent=2)
    print()
    if args.write:
        calibration["fusion"] = result
        path.write_text(json.dumps(data, indent=2) + "\n", encoding="utf-8")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
