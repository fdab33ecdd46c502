"""Calibrated score fusion of the dlib ResNet and SFace, as ONE unit vector.

z-fusion of two cosines, each normalised by its impostor statistics (mean mu, std sd,
fitted on ../shared/faces only and stored in resources/models/sface/model.json):

    z = w_d (c_d - mu_d) + w_s (c_s - mu_s),     w = 1 / sd

With unit vectors v_d, v_s and a = w_d / (w_d + w_s), b = w_s / (w_d + w_s) (a + b = 1),
the 256-d vector u = [sqrt(a) v_d, sqrt(b) v_s] is a unit vector and

    u . u' = a c_d + b c_s = (z + w_d mu_d + w_s mu_s) / (w_d + w_s)

so the plain cosine of two fused vectors is a monotone affine function of z: the vault's
exact search, its faiss scan and one threshold work on fused vectors unchanged.
`z_from_cosine` converts back when the z-score itself is wanted.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Any

import numpy as np

from facekiosk.engine.types import EngineError


@dataclass(frozen=True)
class Calibration:
    dlib_mean: float
    dlib_std: float
    sface_mean: float
    sface_std: float
    version: str  # part of the fused model id: new statistics make a new vector space

    @property
    def weights(self) -> tuple[float, float]:
        """(a, b): the share of each model's cosine in the fused cosine."""
        wd, ws = 1.0 / self.dlib_std, 1.0 / self.sface_std
        return wd / (wd + ws), ws / (wd + ws)

    def fuse(self, dlib_unit: np.ndarray, sface_unit: np.ndarray) -> np.ndarray:
        """(N, 256) unit vectors from (N, 128) unit dlib and SFace vectors."""
        a, b = self.weights
        return np.concatenate(
            [math.sqrt(a) * np.asarray(dlib_unit), math.sqrt(b) * np.asarray(sface_unit)],
            axis=-1,
        ).astype(np.float32)

    def z_score(self, dlib_cosine: float, sface_cosine: float) -> float:
        """The z-fusion score of a pair from its two cosines (the reference formula)."""
        return (dlib_cosine - self.dlib_mean) / self.dlib_std + (
            sface_cosine - self.sface_mean
        ) / self.sface_std

    def z_from_cosine(self, fused_cosine: float) -> float:
        """The z-fusion score of a pair from the cosine of its fused vectors."""
        wd, ws = 1.0 / self.dlib_std, 1.0 / self.sface_std
        return (wd + ws) * fused_cosine - (wd * self.dlib_mean + ws * self.sface_mean)


def fused_model_id(version: str) -> str:
    """The fused vectors' model id: new calibration numbers make a new vector space."""
    return f"dlib_resnet_v1+sface_2021dec/z{version}"


def calibration_from_manifest(data: dict[str, Any]) -> Calibration:
    """The `fusion` block of SFace's model.json calibration; EngineError if absent."""
    try:
        fusion = data["fusion"]
        return Calibration(
            dlib_mean=float(fusion["dlib"]["impostor_mean"]),
            dlib_std=float(fusion["dlib"]["impostor_std"]),
            sface_mean=float(fusion["sface"]["impostor_mean"]),
            sface_std=float(fusion["sface"]["impostor_std"]),
            version=str(fusion["version"]),
        )
    except (KeyError, TypeError, ValueError) as exc:
        raise EngineError(
            "resources/models/sface/model.json has no usable fusion calibration: "
            "reinstall facekiosk"
        ) from exc


def impostor_stats(vectors: np.ndarray, labels: np.ndarray) -> tuple[float, float, int]:
    """(mean, std, pairs) of the cosines of every impostor pair of unit `vectors`."""
    sims = vectors @ vectors.T
    upper = np.triu_indices(len(vectors), k=1)
    impostor = sims[upper][labels[upper[0]] != labels[upper[1]]]
    return float(impostor.mean()), float(impostor.std()), int(impostor.size)
