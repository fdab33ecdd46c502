"""Typed settings: one TOML file (`settings.toml` in the data dir), defaults in code.

Each section is a dataclass; a value of the wrong type or out of range is a
`SettingsError` naming the dotted key; unknown keys are reported, not fatal,
so an older app can read a newer file. Areas add fields to their own section.
"""

from __future__ import annotations

import dataclasses
import tomllib
import types
import typing
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Literal

SETTINGS_FILE = "settings.toml"
# Format version of settings.toml ([meta] schema); a file without it is schema 1.
# An app refuses a file newer than it knows: a downgrade must not misread keys.
SETTINGS_SCHEMA = 1


class SettingsError(ValueError):
    """A settings value is wrong; the message names the key."""


@dataclass
class EngineSettings:
    name: str = "dlib"  # "dlib" (bundled) or "insight"
    pack: str = "buffalo_l"  # insight model pack name or folder
    pack_mirror: str = ""  # `models install` base URL (local mirror); empty = insightface's
    descriptor: Literal["auto", "onnx", "dlib"] = "auto"  # dlib engine: ResNet runtime
    # dlib HOG runs on the frame downscaled to this width; 480 finds faces down to
    # ~90 px wide in 640x480 (the quality gate's TOO_FAR edge), 320 misses most
    # under ~130 px (docs/notes/engine.md, detect_width_recall).
    detect_width: int = 480
    providers: list[str] = field(default_factory=lambda: ["CPUExecutionProvider"])
    threshold: float | None = None  # cosine similarity; None = the engine's default
    # Best identity must beat the second-best by this much. dlib's cosines are
    # crowded (genuine mean 0.95, impostor 0.83): on ../shared/faces the right
    # person leads the best wrong one by a median 0.052, so 0.05 would refuse 42%
    # of correct matches above the threshold, 0.02 refuses 6% (docs/notes/engine.md).
    margin: float = 0.02


@dataclass
class QualitySettings:
    enroll_max_yaw: float = 15.0
    enroll_max_pitch: float = 15.0
    auth_max_yaw: float = 30.0
    auth_max_pitch: float = 30.0
    enroll_max_roll: float = 15.0  # head tilt (in-plane), degrees
    auth_max_roll: float = 30.0
    min_interocular_px: float = 40.0
    max_face_fraction: float = 0.8
    # Laplacian variance of the face resized to 128 px wide. Real webcam clips in
    # ../shared/liveness have per-clip medians 23-525 (p10 >= 21); a Gaussian blur
    # of sigma 2 px on a 155 px face gives 16; 40 flagged most frames of 2 live clips.
    min_blur_var: float = 15.0
    min_brightness: float = 50.0
    max_brightness: float = 210.0
    max_center_offset: float = 0.3
    min_eye_openness: float = 0.15


@dataclass
class LivenessSettings:
    enroll_level: Literal["off", "passive", "challenge"] = "challenge"
    auth_level: Literal["off", "passive", "challenge"] = "passive"
    challenge_actions: int = 2  # at least this many actions (one more at random)
    challenge_timeout_s: float = 15.0  # the whole challenge, pauses included
    action_timeout_s: float = 4.0  # each prompted action
    passive_window_s: float = 3.0  # passive level: no evidence by then -> challenge
    turn_degrees: float = 15.0  # yaw change that counts as TURN_LEFT / TURN_RIGHT
    look_degrees: float = 10.0  # pitch change that counts as LOOK_UP / LOOK_DOWN
    max_restarts: int = 3  # track breaks (second face, swap, loss) before failing
    addon_threshold: float = 0.8


@dataclass
class PinSettings:
    policy: Literal["never", "optional", "always", "low_confidence"] = "low_confidence"
    min_length: int = 4
    max_length: int = 16
    unique: bool = False
    max_tries: int = 3
    confident_delta: float = 0.05  # low_confidence: no PIN when similarity >= threshold + this
    lockout_base_s: float = 60.0  # first PIN lockout of an Index ID; doubles each time
    lockout_max_s: float = 3600.0


@dataclass
class KioskSettings:
    kiosk_id: str = "kiosk-1"
    mode: Literal["attendance", "access"] = "attendance"
    confirm_frames: int = 3
    idle_timeout_s: float = 30.0
    debounce_minutes: float = 5.0
    anti_passback: bool = False
    access_hook: str = ""  # command run on a grant; empty = log line only
    allow_masked: bool = True
    min_age: int = 0
    consent_version: str = ""  # empty = taken from resources/consent
    language: str = "en"
    access_groups: list[str] = field(default_factory=list)  # groups admitted; empty = all
    direction: Literal["in", "out"] = "in"  # access mode, for anti-passback
    auto_start: bool = False  # start authentication when a face appears (no button)
    capture_timeout_s: float = 20.0  # per capture/liveness/matching step
    result_display_s: float = 5.0  # result screen, then back to attract
    unrecognized_frames: int = 5  # good frames with no match before UNRECOGNIZED_FACE
    template_frames: int = 3  # enrollment frames (3-5) across small pose changes
    max_failures: int = 10  # failed attempts within failure_window_s lock the kiosk
    failure_window_s: float = 300.0
    enroll_validity_days: int = 0  # 0 = enrolled Index IDs do not expire
    reconsent: bool = True  # a changed consent text is accepted again at the next sign-in
    access_relay: str = ""  # access mode: relay device file, e.g. /sys/class/gpio/gpio17/value
    relay_pulse_s: float = 1.0  # how long the relay stays on per grant


@dataclass
class CameraSettings:
    source: str = "auto"  # "auto", a camera index, a device path, a video file or image folder
    width: int = 640
    height: int = 480
    fps: int = 30


@dataclass
class VaultSettings:
    key_mode: Literal["device", "passphrase"] = "device"
    compact_every: int = 1000  # journal records before an automatic compaction
    search_exact_max: int = 20_000  # galleries up to this size are searched exactly
    search_rerank: int = 64  # quantised-scan candidates re-ranked exactly (more = safer)


@dataclass
class LogSettings:
    level: str = "INFO"


@dataclass
class MetaSettings:
    schema: int = SETTINGS_SCHEMA


@dataclass
class Settings:
    meta: MetaSettings = field(default_factory=MetaSettings)
    engine: EngineSettings = field(default_factory=EngineSettings)
    quality: QualitySettings = field(default_factory=QualitySettings)
    liveness: LivenessSettings = field(default_factory=LivenessSettings)
    pin: PinSettings = field(default_factory=PinSettings)
    kiosk: KioskSettings = field(default_factory=KioskSettings)
    camera: CameraSettings = field(default_factory=CameraSettings)
    vault: VaultSettings = field(default_factory=VaultSettings)
    log: LogSettings = field(default_factory=LogSettings)
    unknown_keys: list[str] = field(default_factory=list, compare=False, repr=False)


def _type_name(tp: Any) -> str:
    return getattr(tp, "__name__", None) or str(tp).replace("typing.", "")


def _coerce(key: str, value: Any, tp: Any) -> Any:
    origin = typing.get_origin(tp)
    args = typing.get_args(tp)
    if origin is Literal:
        if value not in args:
            allowed = ", ".join(repr(a) for a in args)
            raise SettingsError(f"{key}: {value!r} is not one of {allowed}")
        return value
    if origin in (typing.Union, types.UnionType):
        if value is None and type(None) in args:
            return None
        errors = []
        for arg in args:
            if arg is type(None):
                continue
            try:
                return _coerce(key, value, arg)
            except SettingsError as exc:
                errors.append(str(exc))
        raise SettingsError(errors[0] if errors else f"{key}: bad value {value!r}")
    if origin is list:
        if not isinstance(value, list):
            raise SettingsError(f"{key}: expected a list, got {type(value).__name__}")
        return [_coerce(f"{key}[{i}]", v, args[0]) for i, v in enumerate(value)]
    if tp is bool:
        if not isinstance(value, bool):
            raise SettingsError(f"{key}: expected true or false, got {value!r}")
        return value
    if tp is float:
        if isinstance(value, bool) or not isinstance(value, int | float):
            raise SettingsError(f"{key}: expected a number, got {value!r}")
        return float(value)
    if tp is int:
        if isinstance(value, bool) or not isinstance(value, int):
            raise SettingsError(f"{key}: expected an integer, got {value!r}")
        return value
    if tp is str:
        if not isinstance(value, str):
            raise SettingsError(f"{key}: expected a string, got {value!r}")
        return value
    raise SettingsError(f"{key}: unsupported type {_type_name(tp)}")


def _build(cls: type, data: dict[str, Any], prefix: str, unknown: list[str]) -> Any:
    hints = typing.get_type_hints(cls)
    kwargs: dict[str, Any] = {}
    names = {f.name for f in dataclasses.fields(cls) if f.name != "unknown_keys"}
    for key, value in data.items():
        dotted = f"{prefix}{key}"
        if key not in names:
            unknown.append(dotted)
            continue
        tp = hints[key]
        if dataclasses.is_dataclass(tp):
            if not isinstance(value, dict):
                raise SettingsError(f"{dotted}: expected a [{dotted}] table")
            kwargs[key] = _build(tp, value, f"{dotted}.", unknown)
        else:
            kwargs[key] = _coerce(dotted, value, tp)
    return cls(**kwargs)


def _validate(s: Settings) -> None:
    if s.meta.schema > SETTINGS_SCHEMA:
        raise SettingsError(
            f"meta.schema: settings file is schema {s.meta.schema}, newer than this facekiosk "
            f"understands ({SETTINGS_SCHEMA}); install the newer version again or restore "
            "the settings.toml from the backup taken before the upgrade"
        )
    checks: list[tuple[bool, str]] = [
        (
            4 <= s.pin.min_length <= s.pin.max_length <= 16,
            "pin.min_length/max_length: need 4 <= min <= max <= 16",
        ),
        (s.pin.max_tries >= 1, "pin.max_tries: must be at least 1"),
        (s.kiosk.confirm_frames >= 1, "kiosk.confirm_frames: must be at least 1"),
        (s.kiosk.idle_timeout_s > 0, "kiosk.idle_timeout_s: must be positive"),
        (s.engine.detect_width >= 80, "engine.detect_width: must be at least 80"),
        (
            s.engine.threshold is None or -1.0 <= s.engine.threshold <= 1.0,
            "engine.threshold: a cosine similarity in [-1, 1]",
        ),
        (0.0 <= s.engine.margin < 1.0, "engine.margin: must be in [0, 1)"),
        (0.0 <= s.liveness.addon_threshold <= 1.0, "liveness.addon_threshold: must be in [0, 1]"),
        (1 <= s.liveness.challenge_actions <= 5, "liveness.challenge_actions: 1 to 5"),
        (s.camera.width > 0 and s.camera.height > 0, "camera.width/height: must be positive"),
        (0 <= s.vault.search_exact_max <= 10_000_000, "vault.search_exact_max: 0 to 10000000"),
        (1 <= s.vault.search_rerank <= 4096, "vault.search_rerank: 1 to 4096"),
        (s.vault.compact_every >= 1, "vault.compact_every: must be at least 1"),
    ]
    for ok, message in checks:
        if not ok:
            raise SettingsError(message)


def parse_settings(text: str, *, source: str = "settings") -> Settings:
    try:
        data = tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        raise SettingsError(f"{source}: not valid TOML: {exc}") from exc
    meta = data.setdefault("meta", {})
    if isinstance(meta, dict):
        meta.setdefault("schema", 1)
    unknown: list[str] = []
    settings = _build(Settings, data, "", unknown)
    settings.unknown_keys = unknown
    _validate(settings)
    return settings


def load_settings(data_dir: Path) -> Settings:
    """Read `settings.toml` from the data dir; a missing file means all defaults."""
    path = data_dir / SETTINGS_FILE
    if not path.exists():
        return Settings()
    try:
        text = path.read_text(encoding="utf-8")
    except UnicodeDecodeError as exc:
        raise SettingsError(f"{path}: not UTF-8 text") from exc
    return parse_settings(text, source=str(path))


def _toml_value(value: Any) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int | float):
        return repr(value)
    if isinstance(value, str):
        return '"' + value.replace("\\", "\\\\").replace('"', '\\"') + '"'
    if isinstance(value, list):
        return "[" + ", ".join(_toml_value(v) for v in value) + "]"
    raise TypeError(type(value))


def dump_settings(settings: Settings) -> str:
    """TOML text for `settings` (None values are left out: they mean the default)."""
    lines: list[str] = []
    for f in dataclasses.fields(settings):
        if f.name == "unknown_keys":
            continue
        section = getattr(settings, f.name)
        lines.append(f"[{f.name}]")
        for sf in dataclasses.fields(section):
            value = getattr(section, sf.name)
            if value is not None:
                lines.append(f"{sf.name} = {_toml_value(value)}")
        lines.append("")
    return "\n".join(lines)


def save_settings(data_dir: Path, settings: Settings) -> Path:
    """Write atomically (temp file + rename) so a crash never leaves half a file."""
    from facekiosk.fsutil import atomic_write

    path = data_dir / SETTINGS_FILE
    atomic_write(path, dump_settings(settings).encode("utf-8"))
    return path
