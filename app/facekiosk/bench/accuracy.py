"""`facekiosk bench accuracy`: verification and identification accuracy on a folder
of `identities/<person>/<image>` photos (the layout of ../shared/faces).

Every image is embedded once (its largest face); every genuine pair (same person)
and every impostor pair is scored by cosine similarity. Reported as NIST FRTE
style operating points: TAR at a fixed FAR, with the threshold that gives it.
"""

from __future__ import annotations

import math
import time
from pathlib import Path
from typing import Any

import numpy as np

from facekiosk.engine.base import FaceEngine
from facekiosk.engine.dataset import IMAGE_SUFFIXES, Sample, list_dataset
from facekiosk.engine.operating_points import FAR_POINTS, REJECTION_FAR, report_path
from facekiosk.engine.types import ImageError, read_image

MARGINS = (0.0, 0.01, 0.02, 0.03, 0.05)  # candidate engine.margin values


def use_photo_detection(engine: FaceEngine) -> None:
    """Dataset photos have smaller faces than a kiosk frame: switch the engine to
    its still-photo detection when it has one."""
    if hasattr(engine, "photos"):
        engine.photos = True


def embed_samples(engine: FaceEngine, samples: list[Sample]) -> tuple[np.ndarray, list[int]]:
    """(N, dim) unit vectors (NaN rows where nothing was found) and the failed indices."""
    vectors = np.full((len(samples), engine.dim), np.nan, dtype=np.float32)
    failed = []
    for i, sample in enumerate(samples):
        try:
            image = read_image(str(sample.path))
        except ImageError:
            failed.append(i)
            continue
        faces = engine.detect(image, max_faces=1)
        if not faces:
            failed.append(i)
            continue
        vectors[i] = engine.embed(image, faces[:1])[0].vector
    return vectors, failed


def threshold_at_far(impostor: np.ndarray, far: float) -> float:
    """The lowest threshold whose FAR (impostor scores >= threshold) is at most `far`."""
    ranked = np.sort(impostor)[::-1]
    allowed = math.floor(far * len(ranked))  # impostors allowed at or above it
    if allowed >= len(ranked):
        return float(ranked[-1])
    return float(np.nextafter(ranked[allowed], np.float32(np.inf)))


def error_rates(genuine: np.ndarray, impostor: np.ndarray, thresholds: np.ndarray):
    """(FAR, FRR) at each threshold; a pair matches when its score >= threshold."""
    g = np.sort(genuine)
    i = np.sort(impostor)
    frr = np.searchsorted(g, thresholds, side="left") / len(g)
    far = 1.0 - np.searchsorted(i, thresholds, side="left") / len(i)
    return far, frr


def equal_error_rate(genuine: np.ndarray, impostor: np.ndarray) -> tuple[float, float]:
    """(EER, threshold) at the score where FAR and FRR cross."""
    thresholds = np.unique(np.concatenate([genuine, impostor]))
    far, frr = error_rates(genuine, impostor, thresholds)
    k = int(np.argmin(np.abs(far - frr)))
    return float((far[k] + frr[k]) / 2.0), float(thresholds[k])


def pair_scores(vectors: np.ndarray, labels: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Cosine scores of all genuine and all impostor pairs (i < j)."""
    sims = vectors @ vectors.T
    upper = np.triu_indices(len(vectors), k=1)
    same = labels[upper[0]] == labels[upper[1]]
    scores = sims[upper]
    return scores[same], scores[~same]


def identification(
    vectors: np.ndarray, labels: np.ndarray, threshold: float
) -> dict[str, Any]:
    """Rank-1 with gallery = first image of each person, probes = the rest; and
    unknown-person rejection: each person's probes against a gallery without them."""
    gallery_idx: dict[int, int] = {}
    for i, label in enumerate(labels):
        gallery_idx.setdefault(int(label), i)
    g_rows = np.array(sorted(gallery_idx.values()))
    g_labels = labels[g_rows]
    probes = np.array([i for i in range(len(labels)) if i not in set(g_rows)])
    probes = probes[np.isin(labels[probes], g_labels)]
    sims = vectors[probes] @ vectors[g_rows].T
    best = sims.argmax(axis=1)
    best_sim = sims[np.arange(len(probes)), best]
    correct = g_labels[best] == labels[probes]
    own = g_labels[None, :] == labels[probes][:, None]
    best_other = np.where(own, -np.inf, sims).max(axis=1)
    # How far the right identity leads the best wrong one (what engine.margin gates).
    best_own = np.where(own, sims, -np.inf).max(axis=1)
    lead = best_own - best_other
    return {
        "gallery": len(g_rows),
        "probes": len(probes),
        "rank1": float(correct.mean()),
        "rank1_at_threshold": float((correct & (best_sim >= threshold)).mean()),
        "unknown_rejection": float((best_other < threshold).mean()),
        "lead_p10": float(np.percentile(lead, 10)),
        "lead_median": float(np.median(lead)),
        "rank1_at_threshold_and_margin": {
            f"{m:.2f}": float((correct & (best_sim >= threshold) & (lead >= m)).mean())
            for m in MARGINS
        },
    }


def run_accuracy(engine: FaceEngine, dataset: Path, plot: Path | None = None) -> dict:
    """The `bench accuracy` report (JSON-ready); writes a DET plot when `plot` is given."""
    samples = list_dataset(dataset)
    use_photo_detection(engine)
    t0 = time.perf_counter()
    vectors, failed = embed_samples(engine, samples)
    seconds = time.perf_counter() - t0
    names = sorted({s.identity for s in samples})
    label_of = {name: k for k, name in enumerate(names)}
    keep = np.array([i for i in range(len(samples)) if i not in set(failed)], dtype=int)
    labels = np.array([label_of[samples[i].identity] for i in keep])
    kept = vectors[keep]
    genuine, impostor = pair_scores(kept, labels)
    if len(genuine) == 0 or len(impostor) == 0:
        raise ValueError(f"{dataset}: need at least two photos of one person and two people")
    eer, eer_threshold = equal_error_rate(genuine, impostor)
    thresholds = {key: threshold_at_far(impostor, far) for key, far in FAR_POINTS.items()}
    tar = {key: float((genuine >= t).mean()) for key, t in thresholds.items()}
    ident = identification(kept, labels, thresholds[REJECTION_FAR])
    # 1:N false accepts grow with the gallery: show every operating point.
    per_far = {}
    for key, t in thresholds.items():
        at = identification(kept, labels, t)
        per_far[key] = {
            "rank1_at_threshold": at["rank1_at_threshold"],
            "unknown_rejection": at["unknown_rejection"],
        }
    report = {
        "engine": engine.name,
        "model": engine.model_id,
        "identities": len(names),
        "images": len(samples),
        "fail_to_detect": len(failed),
        "genuine_pairs": len(genuine),
        "impostor_pairs": len(impostor),
        "eer": eer,
        "tar_at_far": tar,
        "threshold_at_far": thresholds,
        "rank1": ident["rank1"],
        # Extra keys: the rest of the identification result and context.
        "rank1_at_threshold_1e-3": ident["rank1_at_threshold"],
        "unknown_rejection_at_far_1e-3": ident["unknown_rejection"],
        "genuine_lead_over_best_impostor": {
            "p10": ident["lead_p10"],
            "median": ident["lead_median"],
        },
        "rank1_at_threshold_1e-3_and_margin": ident["rank1_at_threshold_and_margin"],
        "identification_at_far": per_far,
        "gallery": ident["gallery"],
        "probes": ident["probes"],
        "eer_threshold": eer_threshold,
        "far_resolution": 1.0 / len(impostor),
        "genuine_score": _summary(genuine),
        "impostor_score": _summary(impostor),
        "fail_to_detect_files": [str(samples[i].path.relative_to(dataset)) for i in failed],
        "descriptor_backend": getattr(engine, "descriptor_backend", None),
        "seconds": round(seconds, 1),
    }
    report.update(negative_and_group_counts(engine, Path(dataset)))
    if plot is not None:
        write_det_plot(genuine, impostor, plot, f"{engine.name} / {engine.model_id}", thresholds)
    return report


def negative_and_group_counts(engine: FaceEngine, dataset: Path) -> dict:
    """Extra keys when the dataset has them: faces found on `nofaces/` photos (false
    detections) and per-photo face counts on `groups/`."""
    out: dict = {}
    for folder, key in (("nofaces", "nofaces_false_faces"), ("groups", "groups_faces")):
        paths = sorted(
            p for p in (dataset / folder).glob("*") if p.suffix.lower() in IMAGE_SUFFIXES
        )
        if not paths:
            continue
        counts = []
        for path in paths:
            try:
                counts.append(len(engine.detect(read_image(str(path)))))
            except ImageError:
                counts.append(-1)  # unreadable: visible in the report, not fatal
        out[key] = counts
    return out


def _summary(scores: np.ndarray) -> dict[str, float]:
    return {
        "mean": float(scores.mean()),
        "min": float(scores.min()),
        "max": float(scores.max()),
    }


def write_det_plot(
    genuine: np.ndarray,
    impostor: np.ndarray,
    path: Path,
    title: str,
    marks: dict[str, float],
) -> None:
    """DET curve (FNMR against FMR, log axes) as a PNG, with the FAR operating points."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    thresholds = np.unique(np.concatenate([genuine, impostor]))
    far, frr = error_rates(genuine, impostor, thresholds)
    floor = 0.5 / max(len(impostor), len(genuine))  # show zero rates at the bottom edge
    fig, ax = plt.subplots(figsize=(6, 5), dpi=100)
    ax.plot(np.maximum(far, floor), np.maximum(frr, floor), lw=1.5)
    for key, t in marks.items():
        (f,), (r,) = error_rates(genuine, impostor, np.array([t]))
        ax.plot(max(f, floor), max(r, floor), "o")
        ax.annotate(f"FAR {key}: t={t:.3f}", (max(f, floor), max(r, floor)), fontsize=8)
    ax.set_xscale("log")
    ax.set_yscale("log")
    ax.set_xlabel("false match rate (FAR)")
    ax.set_ylabel("false non-match rate (FRR)")
    ax.set_title(f"DET: {title}")
    ax.grid(True, which="both", alpha=0.3)
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    fig.savefig(path)
    plt.close(fig)


# --- saved results: `bench accuracy --save` (read back by engine.operating_points) ---


def save_report(data_dir: Path, report: dict) -> Path:
    """Write the report atomically to report_path(); returns the path."""
    import json

    from facekiosk.fsutil import atomic_write

    path = report_path(data_dir, report["engine"], report["model"])
    path.parent.mkdir(parents=True, exist_ok=True)
    data = json.dumps(report, indent=2, sort_keys=True).encode() + b"\n"
    atomic_write(path, data, mode=0o644)
    return path
