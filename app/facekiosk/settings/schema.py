"""The settings schema: every key's type, default, range and cross-field rule, in one place.

pydantic v2 (chosen over msgspec for its per-field constraints and error locations, which
give the dotted key of a bad value). The sections are pydantic dataclasses, so
`settings.kiosk.x` and `dataclasses.replace(settings.kiosk, x=...)` keep working and a
replace re-validates; plain attribute assignment (tests, benchmarks) is not validated.
Strict mode: TOML `1` is not `true`, `"5"` is not 5 (an int still widens to a float).
Areas add fields to their own section; `settings check`, start-up and the admin panel all
validate through these classes and nothing else.
"""

from __future__ import annotations

import typing
from dataclasses import field
from typing import Annotated, Any, Literal

from pydantic import ConfigDict, Field, field_validator, model_validator
from pydantic.dataclasses import dataclass
from pydantic_core import ArgsKwargs

from facekiosk.settings.api_schema import ApiSettings, WebhookSettings
from facekiosk.settings.site_schema import SiteSettings

# Format version of settings.toml ([meta] schema); a file without it is schema 1.
# An app refuses a file newer than it knows: a downgrade must not misread keys.
SETTINGS_SCHEMA = 1

_STRICT = ConfigDict(strict=True)

EngineName = Literal["dlib", "bundled", "insight", "sface"]  # sface: SFace alone (benchmarks)
LogLevel = Literal["DEBUG", "INFO", "WARNING", "ERROR", "CRITICAL"]
LOG_LEVELS: tuple[str, ...] = typing.get_args(LogLevel)

# Accepted engine.threshold (cosine) per engine; outside it the kiosk either matches
# strangers or nobody. dlib (default 0.92): on ../shared/faces impostor pairs score 0.69-0.94
# (mean 0.826) and genuine pairs 0.90-0.987 (docs/notes/engine.md), so below 0.5 every
# stranger matches someone and above 0.999 not even a re-take of the same photo does.
# bundled (default 0.7411): its fused cosine (0.705 dlib + 0.295 SFace) is lower; on
# ../shared/faces impostor pairs score 0.463-0.777 (mean 0.609), genuine 0.702-0.946 (mean
# 0.861): below 0.45 every stranger matches; at 0.90 only 17 % of genuine pairs pass (0.92:
# 4 %), so 0.90 is the top and a dlib-era threshold (0.905-0.935) left in settings.toml
# is refused with its key named instead of locking nearly everyone out (re-check when the
# calibration version changes). insight/ArcFace (default 0.40):
# impostors sit around 0 and genuines around 0.5-0.8, so below 0.1 a sizeable share of
# strangers pass and above 0.95 hardly anyone does.
THRESHOLD_RANGES: dict[str, tuple[float, float]] = {
    "dlib": (0.5, 0.999),
    "bundled": (0.45, 0.90),
    "insight": (0.1, 0.95),
    # SFace alone: impostor cosines 0.09 +- 0.09 on ../shared/faces, FAR 1e-3 at 0.354.
    "sface": (0.2, 0.9),
}

_DLIB_HINT = (
    '; a threshold written for the dlib engine? set engine.name = "dlib" to keep that '
    "engine, or remove engine.threshold: dlib-enrolled people still match under bundled"
)  # shown when engine.name = "bundled" is explicit (see _dlib_era_threshold)

Positive = Annotated[float, Field(gt=0)]
NonNegative = Annotated[float, Field(ge=0)]
Degrees = Annotated[float, Field(ge=0, le=90)]
Fraction = Annotated[float, Field(ge=0, le=1)]
Count = Annotated[int, Field(ge=1)]


def _rule(ok: bool, message: str) -> None:
    """A cross-field rule; `message` starts with the field name (the parser adds the section)."""
    if not ok:
        raise ValueError(message)


@dataclass(config=_STRICT)
class EngineSettings:
    # "bundled" (YuNet + fused dlib/SFace, the default since issue 18) or "dlib" (ship with
    # facekiosk), "insight" (a pack). A vault enrolled with "dlib" keeps working under
    # "bundled" (kiosk/match_policy.py: legacy spaces) and upgrades at each sign-in.
    name: EngineName = "bundled"
    pack: str = "buffalo_l"  # insight model pack name or folder
    pack_mirror: str = ""  # `models install` base URL (local mirror); empty = insightface's
    descriptor: Literal["auto", "onnx", "dlib"] = "auto"  # dlib engine: ResNet runtime
    # The detector runs on the frame downscaled to this width; None = the engine's own
    # default (engine/registry.py): 480 for dlib's HOG (finds faces down to ~90 px wide
    # in 640x480, the quality gate's TOO_FAR edge; 320 misses most under ~130 px; HOG's
    # window is 80 px), 320 for the bundled engine's YuNet (100 % recall of the 294 DEV
    # photos at 90-260 px at every width 240-640, a third of the cost of 480).
    detect_width: Annotated[int, Field(ge=80)] | None = None
    providers: list[str] = field(default_factory=lambda: ["CPUExecutionProvider"])
    # cosine similarity; None = the engine's default (kiosk/match_policy.py resolves it)
    threshold: float | None = None
    # Best identity must beat the second-best by this much. dlib's cosines are
    # crowded (genuine mean 0.95, impostor 0.83): on ../shared/faces the right
    # person leads the best wrong one by a median 0.052, so 0.05 would refuse 42%
    # of correct matches above the threshold, 0.02 refuses 6% (docs/notes/engine.md).
    # Above 0.5 no engine's right person ever leads by that much.
    margin: Annotated[float, Field(ge=0, le=0.5)] = 0.02

    @model_validator(mode="before")
    @classmethod
    def _dlib_era_threshold(cls, data: Any) -> Any:
        """A file that sets a threshold only the dlib engine accepts, and no engine name, was
        written when dlib was the default (before issue 18): it keeps meaning dlib, so an
        update neither stops the kiosk nor refuses everyone at 0.92+ on fused cosines. The
        admin switches with engine.name = "bundled" and a bundled threshold (or none)."""
        kwargs = data.kwargs if isinstance(data, ArgsKwargs) else data
        if isinstance(kwargs, dict) and "name" not in kwargs:
            t = kwargs.get("threshold")
            if isinstance(t, int | float) and t > THRESHOLD_RANGES["bundled"][1]:
                pinned = {**kwargs, "name": "dlib"}
                return ArgsKwargs(data.args, pinned) if isinstance(data, ArgsKwargs) else pinned
        return data

    @model_validator(mode="after")
    def _threshold_in_range(self) -> EngineSettings:
        if self.threshold is not None:
            low, high = THRESHOLD_RANGES[self.name]
            _rule(
                low <= self.threshold <= high,
                f"threshold: {self.threshold!r} is outside {low} to {high}, the sane cosine "
                f"range for the {self.name!r} engine (leave it unset for the engine's default)"
                + _DLIB_HINT * (self.name == "bundled" and self.threshold > high),
            )
        return self


@dataclass(config=_STRICT)
class QualitySettings:
    enroll_max_yaw: Degrees = 15.0
    enroll_max_pitch: Degrees = 15.0
    auth_max_yaw: Degrees = 30.0
    auth_max_pitch: Degrees = 30.0
    enroll_max_roll: Degrees = 15.0  # head tilt (in-plane), degrees
    auth_max_roll: Degrees = 30.0
    min_interocular_px: NonNegative = 40.0
    max_face_fraction: Annotated[float, Field(gt=0, le=1)] = 0.8
    # Laplacian variance of the face resized to 128 px wide. Real webcam clips in
    # ../shared/liveness have per-clip medians 23-525 (p10 >= 21); a Gaussian blur
    # of sigma 2 px on a 155 px face gives 16; 40 flagged most frames of 2 live clips.
    min_blur_var: NonNegative = 15.0
    # Mean grey level of the face. Measured with the bundled engine on 40 ../shared/faces
    # people, one photo darkened (x k + sensor noise) against another: genuine similarity
    # median 0.859 at full exposure, 0.856 at face grey 23-53, 0.841 at 18-41, 0.813 at
    # 10-24 (38/40 still accepted), 0.797 at 8-18 (33/39). 30 keeps a 2x margin; faces
    # under 50 must also keep their detail (engine/quality.py DIM_LEVEL).
    min_brightness: Annotated[float, Field(ge=0, le=255)] = 30.0
    max_brightness: Annotated[float, Field(ge=0, le=255)] = 210.0
    max_center_offset: Fraction = 0.3
    min_eye_openness: Fraction = 0.15

    @model_validator(mode="after")
    def _brightness_band(self) -> QualitySettings:
        _rule(
            self.min_brightness < self.max_brightness,
            f"min_brightness/max_brightness: need min < max, got {self.min_brightness} "
            f"and {self.max_brightness}",
        )
        return self


Level = Literal["off", "passive", "challenge"]


@dataclass(config=_STRICT)
class LivenessSettings:
    enroll_level: Level = "challenge"
    auth_level: Level = "passive"
    # at least this many actions (one more at random); 5 kinds of action exist
    challenge_actions: Annotated[int, Field(ge=1, le=5)] = 2
    challenge_timeout_s: Positive = 15.0  # the whole challenge, pauses included
    action_timeout_s: Positive = 4.0  # each prompted action
    passive_window_s: Positive = 3.0  # passive level: no evidence by then -> challenge
    turn_degrees: Annotated[float, Field(gt=0, le=90)] = 15.0  # yaw change for TURN_*
    look_degrees: Annotated[float, Field(gt=0, le=90)] = 10.0  # pitch change for LOOK_*
    max_restarts: Annotated[int, Field(ge=0)] = 3  # track breaks before failing
    addon_threshold: Fraction = 0.8


PinLength = Annotated[int, Field(ge=4, le=16)]


@dataclass(config=_STRICT)
class PinSettings:
    policy: Literal["never", "optional", "always", "low_confidence"] = "low_confidence"
    min_length: PinLength = 4
    max_length: PinLength = 16
    unique: bool = False
    max_tries: Count = 3
    # low_confidence: no PIN when similarity >= threshold + this
    confident_delta: Annotated[float, Field(ge=0, lt=1)] = 0.05
    lockout_base_s: Positive = 60.0  # first PIN lockout of an Index ID; doubles each time
    lockout_max_s: Positive = 3600.0

    @model_validator(mode="after")
    def _ordered(self) -> PinSettings:
        _rule(
            self.min_length <= self.max_length,
            f"min_length/max_length: need min <= max, got {self.min_length} and "
            f"{self.max_length}",
        )
        _rule(
            self.lockout_base_s <= self.lockout_max_s,
            f"lockout_base_s/lockout_max_s: the first lockout ({self.lockout_base_s} s) must "
            f"not be longer than the longest ({self.lockout_max_s} s)",
        )
        return self


@dataclass(config=_STRICT)
class KioskSettings:
    kiosk_id: Annotated[str, Field(min_length=1)] = "kiosk-1"
    mode: Literal["attendance", "access"] = "attendance"
    confirm_frames: Count = 3
    idle_timeout_s: Positive = 30.0
    debounce_minutes: NonNegative = 5.0
    anti_passback: bool = False
    access_hook: str = ""  # command run on a grant; empty = log line only
    allow_masked: bool = True
    min_age: Annotated[int, Field(ge=0)] = 0
    consent_version: str = ""  # empty = taken from resources/consent
    language: str = "en"
    access_groups: list[str] = field(default_factory=list)  # groups admitted; empty = all
    direction: Literal["in", "out"] = "in"  # access mode, for anti-passback
    auto_start: bool = False  # start authentication when a face appears (no button)
    capture_timeout_s: Positive = 20.0  # per capture/liveness/matching step
    result_display_s: Positive = 5.0  # result screen, then back to attract
    unrecognized_frames: Count = 5  # good frames with no match before UNRECOGNIZED_FACE
    template_frames: Annotated[int, Field(ge=3, le=5)] = 3  # enrolment frames, small pose changes
    max_failures: Count = 10  # failed attempts within failure_window_s lock the kiosk
    failure_window_s: Positive = 300.0
    # The kiosk-wide pause after max_failures: doubles each time up to the cap (was the PIN
    # lockout's pin.lockout_base_s/max_s; same defaults). A day at most: past that an
    # attacker is better stopped by an admin than by a kiosk that looks broken.
    lockout_base_s: Annotated[float, Field(gt=0, le=86400)] = 60.0
    lockout_max_s: Annotated[float, Field(gt=0, le=86400)] = 3600.0
    # Per source (one face, one Index ID; kiosk/throttle.py): this many failures within
    # failure_window_s pause that source, first for source_backoff_base_s, doubling to
    # source_backoff_max_s. 30 s to 10 min: a person can wait that long.
    source_max_failures: Annotated[int, Field(ge=1, le=100)] = 3
    source_backoff_base_s: Annotated[float, Field(gt=0, le=86400)] = 30.0
    source_backoff_max_s: Annotated[float, Field(gt=0, le=86400)] = 600.0
    enroll_validity_days: Annotated[int, Field(ge=0)] = 0  # 0 = Index IDs do not expire
    reconsent: bool = True  # a changed consent text is accepted again at the next sign-in
    access_relay: str = ""  # access mode: relay device file, e.g. /sys/class/gpio/gpio17/value
    relay_pulse_s: Annotated[float, Field(gt=0, le=60)] = 1.0  # relay on-time per grant

    @model_validator(mode="after")
    def _backoffs_ordered(self) -> KioskSettings:
        _rule(
            self.lockout_base_s <= self.lockout_max_s,
            f"lockout_base_s/lockout_max_s: the first kiosk-wide pause ({self.lockout_base_s}"
            f" s) must not be longer than the longest ({self.lockout_max_s} s)",
        )
        _rule(
            self.source_backoff_base_s <= self.source_backoff_max_s,
            f"source_backoff_base_s/source_backoff_max_s: the first pause of a source "
            f"({self.source_backoff_base_s} s) must not be longer than the longest "
            f"({self.source_backoff_max_s} s)",
        )
        return self


@dataclass(config=_STRICT)
class CameraSettings:
    # "auto", a camera index, a device path, a video file or image folder
    source: Annotated[str, Field(min_length=1)] = "auto"
    width: Count = 640
    height: Count = 480
    fps: Count = 30


@dataclass(config=_STRICT)
class VaultSettings:
    key_mode: Literal["device", "passphrase"] = "device"
    compact_every: Count = 1000  # journal records before an automatic compaction
    # galleries up to this size are searched exactly
    search_exact_max: Annotated[int, Field(ge=0, le=10_000_000)] = 20_000
    # quantised-scan candidates re-ranked exactly (more = safer)
    search_rerank: Annotated[int, Field(ge=1, le=4096)] = 64


@dataclass(config=_STRICT)
class LogSettings:
    level: LogLevel = "INFO"

    @field_validator("level", mode="before")
    @classmethod
    def _upper(cls, value: Any) -> Any:
        return value.upper() if isinstance(value, str) else value  # "info" was always accepted


@dataclass(config=_STRICT)
class MetaSettings:
    schema: Annotated[int, Field(ge=1)] = SETTINGS_SCHEMA

    @field_validator("schema", mode="after")
    @classmethod
    def _not_newer(cls, value: int) -> int:
        _rule(
            value <= SETTINGS_SCHEMA,
            f"settings file is schema {value}, newer than this facekiosk understands "
            f"({SETTINGS_SCHEMA}); install the newer version again or restore the "
            "settings.toml from the backup taken before the upgrade",
        )
        return value


@dataclass(config=_STRICT)
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
    site: SiteSettings = field(default_factory=SiteSettings)
    api: ApiSettings = field(default_factory=ApiSettings)
    webhooks: WebhookSettings = field(default_factory=WebhookSettings)
    unknown_keys: list[str] = field(default_factory=list, compare=False, repr=False)


# section name -> its class, in file order
SECTIONS: dict[str, Any] = {
    name: typing.get_type_hints(Settings)[name]
    for name in Settings.__dataclass_fields__
    if name != "unknown_keys"
}
