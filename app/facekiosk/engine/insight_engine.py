"""The insight engine: an installed insightface model pack on onnxruntime.

Detection (SCRFD, 5 keypoints), ArcFace embedding (512-d), and one dense
landmark model: insightface's 3D 68-point model when the pack has it (buffalo_l,
buffalo_s, antelopev2), which gives the same iBUG-68 layout as dlib so pose and
eye openness come from `engine.pose` exactly as for the dlib engine; else the
2D 106-point model (landmarks only, no pose); buffalo_sc has neither.

Only the models needed are opened: a pack installed by `facekiosk models`
labels each file with its task in its manifest; a bare custom folder goes
through insightface's `FaceAnalysis(allowed_modules=...)`.
"""

from __future__ import annotations

import logging
from collections.abc import Sequence
from pathlib import Path
from typing import Any, Literal

import numpy as np

from facekiosk.engine.base import FaceEngine
from facekiosk.engine.packs.errors import PackError
from facekiosk.engine.packs.manifest import read_manifest
from facekiosk.engine.packs.store import check_name, models_root, verify_folder
from facekiosk.engine.types import Embedding, EngineError, Face, ImageError, validate_image
from facekiosk.settings import EngineSettings

log = logging.getLogger(__name__)

EMBEDDING_DIM = 512
ARCFACE_INPUT = (112, 112)
DET_SIZE = 640  # SCRFD input side; insightface's own default for its packs
DET_THRESHOLD = 0.5
LANDMARK_68 = "landmark_3d_68"
LANDMARK_106 = "landmark_2d_106"

# Literature value, not measured here (no pack can be downloaded in this build
# environment). insightface's NIST FRVT 1:1 submission used a squared-L2
# threshold of 1.28476 on unit vectors (deepinsight/insightface issue #1897),
# i.e. cosine 1 - 1.28476 / 2 = 0.358; we round up to 0.40 to favour a low
# false-accept rate at a kiosk. Replace it with the FAR 1e-3 point of
# `facekiosk bench accuracy --engine insight` once a pack is installed.
DEFAULT_THRESHOLD = 0.40

INSTALL_HINT = "run `facekiosk models install {pack}` or `facekiosk models import PATH`"


def resolve_pack(pack: str, data_dir: Path | None) -> tuple[Path, str]:
    """(pack folder, pack name): a catalog-style name under <data_dir>/models, or a folder path."""
    if "/" in pack or "\\" in pack or pack.startswith((".", "~")):
        folder = Path(pack).expanduser()
        if not folder.is_dir():
            raise EngineError(f"insight pack folder {folder} does not exist")
        return folder, folder.resolve().name
    if data_dir is None:
        from facekiosk.paths import default_data_dir

        data_dir = default_data_dir()
    try:
        folder = models_root(data_dir) / check_name(pack)
    except PackError as exc:
        raise EngineError(str(exc)) from exc
    if not folder.is_dir():
        raise EngineError(
            f"insight model pack {pack!r} is not installed in {folder.parent}: "
            + INSTALL_HINT.format(pack=pack)
        )
    return folder, pack


def select_providers(requested: Sequence[str]) -> list[str]:
    """The requested onnxruntime providers this build exposes, CPU always last as fallback."""
    import onnxruntime

    available = set(onnxruntime.get_available_providers())
    chosen = [p for p in requested if p in available and p != "CPUExecutionProvider"]
    for p in requested:
        if p not in available:
            log.warning("onnxruntime provider %s is not available here; ignored", p)
    return [*chosen, "CPUExecutionProvider"]


class InsightEngine(FaceEngine):
    name = "insight"
    dim = EMBEDDING_DIM
    default_threshold = DEFAULT_THRESHOLD

    def __init__(
        self,
        settings: EngineSettings,
        data_dir: Path | None = None,
        *,
        landmarks: Literal["68", "106"] = "68",
        det_size: int = DET_SIZE,
    ) -> None:
        import onnxruntime

        onnxruntime.set_default_logger_severity(3)
        self.pack_dir, self.pack = resolve_pack(settings.pack, data_dir)
        self.providers = select_providers(settings.providers)
        models = self._open_models(landmarks)
        self._det = _check_detector(models.get("detection"), self.pack_dir)
        self._rec = _check_recognizer(models.get("recognition"), self.pack_dir)
        self._lmk = models.get(LANDMARK_68) or models.get(LANDMARK_106)
        self._det.prepare(0, input_size=(det_size, det_size), det_thresh=DET_THRESHOLD)
        self._rec.prepare(0)
        if self._lmk is not None:
            self._lmk.prepare(0)
        self.model_id = f"{self.pack}/{Path(self._rec.model_file).stem}"
        self.landmark_task: str | None = self._lmk.taskname if self._lmk is not None else None
        log.info(
            "insight engine: %s, landmarks %s, providers %s",
            self.model_id,
            self.landmark_task,
            self.providers,
        )

    # --- loading ------------------------------------------------------------------

    def _open_models(self, landmarks: str) -> dict[str, Any]:
        try:
            manifest = read_manifest(self.pack_dir)
        except PackError as exc:
            raise EngineError(str(exc)) from exc
        if manifest is None:
            return self._open_with_face_analysis(landmarks)
        report = verify_folder(self.pack_dir, name=self.pack)
        if not report.ok:
            raise EngineError(
                f"model pack {self.pack!r} fails verification ({'; '.join(report.problems)}); "
                "see `facekiosk models verify` and reinstall it"
            )
        order = [LANDMARK_68, LANDMARK_106] if landmarks == "68" else [LANDMARK_106, LANDMARK_68]
        wanted = ["detection", "recognition"]
        wanted += [t for t in order if manifest.file(t) is not None][:1]
        from insightface.model_zoo import model_zoo

        models: dict[str, Any] = {}
        for task in wanted:
            entry = manifest.file(task)
            if entry is None:
                continue
            path = self.pack_dir / entry.path
            try:
                model = model_zoo.get_model(str(path), providers=self.providers)
            except Exception as exc:  # onnxruntime raises several unrelated types
                raise EngineError(f"{path.name}: cannot be loaded ({exc})") from exc
            if model is None or model.taskname != task:
                got = None if model is None else model.taskname
                raise EngineError(f"{path.name}: the manifest says {task}, insightface sees {got}")
            models[task] = model
        return models

    def _open_with_face_analysis(self, landmarks: str) -> dict[str, Any]:
        from insightface.app import FaceAnalysis

        lmk = LANDMARK_68 if landmarks == "68" else LANDMARK_106
        allowed = ["detection", "recognition", LANDMARK_68, LANDMARK_106]
        try:
            app = FaceAnalysis(
                name=str(self.pack_dir), allowed_modules=allowed, providers=self.providers
            )
        except AssertionError as exc:  # insightface asserts a detector exists
            raise EngineError(f"{self.pack_dir}: no face detection model in this folder") from exc
        except Exception as exc:
            raise EngineError(f"{self.pack_dir}: cannot be loaded ({exc})") from exc
        models = dict(app.models)
        other = LANDMARK_106 if lmk == LANDMARK_68 else LANDMARK_68
        if lmk in models:
            models.pop(other, None)  # keep only one dense landmark model
        return models

    # --- inference ----------------------------------------------------------------

    def detect(self, image: np.ndarray, *, max_faces: int | None = None) -> list[Face]:
        image = validate_image(image)
        bboxes, kpss = self._det.detect(image, max_num=max_faces or 0)
        faces = [
            Face(
                bbox=(float(b[0]), float(b[1]), float(b[2]), float(b[3])),
                score=float(b[4]),
                kps=np.asarray(k, dtype=np.float32).reshape(5, 2),
            )
            for b, k in zip(bboxes, kpss, strict=True)
        ]
        faces.sort(key=lambda f: f.width * f.height, reverse=True)
        if max_faces:
            faces = faces[:max_faces]
        if self._lmk is not None:
            for face in faces:
                self._add_landmarks(image, face)
        return faces

    def _add_landmarks(self, image: np.ndarray, face: Face) -> None:
        from insightface.app.common import Face as InsightFace

        from facekiosk.engine.pose import estimate_pose, eye_aspect_ratio

        if self._lmk is None:
            return
        raw = InsightFace(bbox=np.asarray(face.bbox, dtype=np.float32), kps=face.kps)
        points = np.asarray(self._lmk.get(image, raw), dtype=np.float32)[:, :2]
        if not np.all(np.isfinite(points)):
            return
        face.landmarks = np.ascontiguousarray(points)
        if points.shape == (68, 2):
            face.pose = estimate_pose(points, image.shape)
            face.eye_openness = float(eye_aspect_ratio(points))
            if raw.pose is not None:  # insightface's own (pitch, yaw, roll), for reference
                face.extras["insightface_pose"] = tuple(float(v) for v in raw.pose)

    def embed(self, image: np.ndarray, faces: list[Face]) -> list[Embedding]:
        image = validate_image(image)
        if not faces:
            return []
        from insightface.utils.face_align import norm_crop

        crops = []
        for face in faces:
            kps = np.asarray(face.kps, dtype=np.float32)
            if kps.shape != (5, 2) or not np.all(np.isfinite(kps)):
                raise ImageError(f"a face needs 5 finite keypoints to embed, got {kps.shape}")
            crops.append(norm_crop(image, landmark=kps, image_size=ARCFACE_INPUT[0]))
        vectors = np.asarray(self._rec.get_feat(crops), dtype=np.float32)
        out = []
        for face, vector in zip(faces, vectors, strict=True):
            try:
                emb = Embedding(vector, engine=self.name, model=self.model_id)
            except ValueError as exc:
                raise EngineError(f"{self.model_id} produced an unusable vector: {exc}") from exc
            face.embedding = emb
            out.append(emb)
        return out

    def close(self) -> None:
        self._det = self._rec = self._lmk = None


def _check_detector(model: Any, folder: Path) -> Any:
    if model is None:
        raise EngineError(f"{folder}: no face detection model in this pack")
    if not getattr(model, "use_kps", False):
        raise EngineError(
            f"{Path(model.model_file).name}: the detector has no 5-point keypoint outputs "
            f"({len(model.output_names)} outputs; SCRFD with keypoints has 9 or 15)"
        )
    return model


def _check_recognizer(model: Any, folder: Path) -> Any:
    if model is None:
        raise EngineError(f"{folder}: no face recognition (ArcFace) model in this pack")
    name = Path(model.model_file).name
    if tuple(model.input_size) != ARCFACE_INPUT:
        raise EngineError(
            f"{name}: recognition input is {model.input_size}, expected {ARCFACE_INPUT}"
        )
    shape = list(model.output_shape)
    if len(shape) != 2 or shape[-1] != EMBEDDING_DIM:
        raise EngineError(
            f"{name}: recognition output shape is {shape}, expected [N, {EMBEDDING_DIM}] "
            f"(a {EMBEDDING_DIM}-d ArcFace embedding)"
        )
    return model
