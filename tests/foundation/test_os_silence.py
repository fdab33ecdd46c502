"""The kiosk, its engine process and the CLI are silent at the operating-system level.

The in-process guard (conftest.py, nonet.py) sees only Python's socket calls; onnxruntime's
native telemetry resolved mobile.events.data.microsoft.com about 9.6 s after start and wrote
a device id under ~/.cache/Microsoft (measured with onnxruntime 1.32.0). Here each command
runs in a network namespace without interfaces (`unshare -rn`, so nothing can leave even if
it tried) under `strace -f`, which logs every socket, connect, bind and send of any thread or
child process. Allowed: AF_UNIX (Qt, X11, multiprocessing), AF_NETLINK (talks to the kernel
only; glibc uses it to list local interfaces), and an IP socket that is only bound to
loopback: urllib3's import-time IPv6 probe binds one to ::1 (insightface imports requests).
No IP connect, send or non-loopback bind is allowed at all. HOME and TMPDIR
point at empty temp dirs that must still be empty afterwards: nothing is written outside
the data dir.
"""

from __future__ import annotations

import os
import re
import shutil
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from tests.conftest import SHARED

FACES = SHARED / "faces" / "identities"
CLIP = SHARED / "liveness" / "videos" / "live_talking_lp_d20.mp4"
LOCAL_FAMILIES = {"AF_UNIX", "AF_LOCAL", "AF_NETLINK"}
# Longer than the 9.6 s after which onnxruntime 1.32's telemetry made its first lookup.
RUN_SECONDS = 14
TRACED = "socket,connect,bind,sendto,sendmsg,sendmmsg"
_CALL = re.compile(r"^\d+\s+(socket|connect|bind|sendto|sendmsg|sendmmsg)\((.*)$")
_FAMILY = re.compile(r"^(AF_[A-Z0-9]+|\d+)")
_LOOPBACK = ('"::1"', 'inet_addr("127.')

pytestmark = pytest.mark.skipif(
    not (shutil.which("strace") and shutil.which("unshare")),
    reason="needs strace and unshare (installers/quickstart.sh installs them for tests)",
)


def _unshare_works() -> bool:
    try:
        return subprocess.run(["unshare", "-rn", "true"], capture_output=True).returncode == 0
    except OSError:
        return False


def silent_run(
    tmp_path: Path, *args: str, timeout_s: float | None = None, until: str | None = None
) -> dict:
    """Run `facekiosk ARGS` traced; return its socket families, output and stray files.
    `until`: stop (SIGTERM to the whole group) once the trace shows this text and
    RUN_SECONDS have passed, rather than at `timeout_s` (a loaded machine starts slowly)."""
    home, tmp, data = tmp_path / "home", tmp_path / "tmp", tmp_path / "data"
    for d in (home, tmp):
        d.mkdir(mode=0o700, parents=True)
    log = tmp_path / "strace.log"
    env = {
        k: v for k, v in os.environ.items() if not k.startswith(("XDG_", "FACEKIOSK_", "ORT_"))
    }
    env.update(HOME=str(home), TMPDIR=str(tmp), QT_QPA_PLATFORM="offscreen")
    env["PYTHONPATH"] = os.pathsep.join([str(Path(__file__).resolve().parents[2] / "app")])
    command = [sys.executable, "-m", "facekiosk", "--data-dir", str(data), *args]
    if timeout_s is not None:  # the kiosk quits cleanly on SIGTERM (ui.app._quit_on_signals)
        command = ["timeout", "-k", "10", str(timeout_s), *command]
    command = ["strace", "-f", "-qq", "-e", f"trace={TRACED}", "-o", str(log), *command]
    if _unshare_works():
        command = ["unshare", "-rn", *command]
    if until is None:
        proc = subprocess.run(command, env=env, capture_output=True, text=True, timeout=300)
    else:
        proc = _run_until(command, env, log, until)
    stray = sorted(str(p.relative_to(tmp_path)) for d in (home, tmp) for p in d.rglob("*"))
    return {"proc": proc, **parse_trace(log.read_text()), "stray": stray}


def _run_until(command: list[str], env: dict, log: Path, until: str) -> subprocess.CompletedProcess:
    popen = subprocess.Popen(
        command, env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
        start_new_session=True,
    )  # fmt: skip
    start = time.monotonic()
    while popen.poll() is None:
        seen = log.is_file() and until in log.read_text(errors="replace")
        if seen and time.monotonic() - start >= RUN_SECONDS:
            for pid in _kiosk_pids(command):  # SIGTERM as systemd would: a clean quit
                os.kill(pid, signal.SIGTERM)
            break
        time.sleep(0.5)
    out, err = popen.communicate(timeout=60)
    return subprocess.CompletedProcess(command, popen.returncode, out, err)


def _kiosk_pids(command: list[str]) -> list[int]:
    """The traced kiosk process itself (not strace, timeout or the engine's children)."""
    want = command[command.index(sys.executable) :]
    pids = []
    for entry in Path("/proc").iterdir():
        try:
            argv = (entry / "cmdline").read_bytes().decode(errors="replace").split("\0")[:-1]
        except (OSError, ValueError):
            continue
        if entry.name.isdigit() and argv == want:
            pids.append(int(entry.name))
    return pids


def parse_trace(text: str) -> dict:
    """IP sockets created, loopback binds, and every IP connect/send/outside bind."""
    ip_sockets, loopback_binds, network = [], 0, []
    for line in text.splitlines():
        m = _CALL.match(line)
        if not m:
            continue
        call, rest = m.groups()
        if call == "socket":
            family = _FAMILY.match(rest)
            if family is None or family.group(1) not in LOCAL_FAMILIES:
                ip_sockets.append(line)
        elif "sa_family=AF_INET" in rest:  # AF_INET and AF_INET6
            if call == "bind" and any(lo in rest for lo in _LOOPBACK):
                loopback_binds += 1
            else:
                network.append(line)
    return {"ip_sockets": ip_sockets, "loopback_binds": loopback_binds, "network": network}


def assert_silent(result: dict, *, expect_rc: int | None = 0) -> None:
    proc = result["proc"]
    if expect_rc is not None:
        assert proc.returncode == expect_rc, proc.stderr[-2000:]
    assert not result["network"], f"network use: {result['network'][:5]}"
    assert len(result["ip_sockets"]) <= result["loopback_binds"], (
        f"IP sockets not just bound to loopback: {result['ip_sockets'][:5]}"
    )
    assert not result["stray"], f"files written outside the data dir: {result['stray']}"


@pytest.fixture(scope="module")
def enrolled(tmp_path_factory) -> tuple[Path, dict]:
    """One traced `enroll` (it also builds the bundled ONNX model, once for the module)."""
    root = tmp_path_factory.mktemp("enroll")
    result = silent_run(root, "enroll", "--image", str(FACES / "Al_Gore" / "1.jpg"))
    return root / "data", result


def _with_models(tmp_path: Path, enrolled_dir: Path) -> Path:
    """A fresh data dir holding only the already built model (no rebuild under strace)."""
    data = tmp_path / "data"
    data.mkdir(mode=0o700, parents=True)
    shutil.copytree(enrolled_dir / "models", data / "models")
    return tmp_path


def test_enroll_is_silent(enrolled):
    assert_silent(enrolled[1])


def test_identify_is_silent(enrolled, tmp_path):
    shutil.copytree(enrolled[0], tmp_path / "data")
    result = silent_run(tmp_path, "identify", "--image", str(FACES / "Al_Gore" / "2.jpg"))
    assert_silent(result)
    assert result["proc"].stdout.startswith("match"), result["proc"].stdout


def test_bench_pipeline_is_silent(enrolled, tmp_path):
    root = _with_models(tmp_path, enrolled[0])
    assert_silent(silent_run(root, "bench", "pipeline", "--repeats", "1"))


def test_demo_screenshots_are_silent(enrolled, tmp_path):
    out = tmp_path / "shots"
    assert_silent(silent_run(_with_models(tmp_path, enrolled[0]), "demo", "--screenshot", str(out)))
    assert (out / "attract.png").is_file()


@pytest.mark.skipif(not CLIP.is_file(), reason="needs ../shared/liveness clips")
def test_kiosk_on_a_clip_is_silent_for_a_while(enrolled, tmp_path):
    """The window and the engine process run on a real clip longer than the telemetry delay."""
    root = _with_models(tmp_path, enrolled[0])
    result = silent_run(root, "run", "--source", str(CLIP), timeout_s=RUN_SECONDS)
    # 0 = quit on SIGTERM; 124 = timeout had to be more forceful (still traced throughout).
    assert result["proc"].returncode in (0, 124, -15, 143), result["proc"].stderr[-2000:]
    assert_silent(result, expect_rc=None)


@pytest.mark.skipif(not CLIP.is_file(), reason="needs ../shared/liveness clips")
def test_kiosk_with_api_and_webhooks_on_listens_on_loopback_only(enrolled, tmp_path):
    """Issue 15: the integrator API on (default host) and webhooks on (none configured):
    the kiosk binds its API port on 127.0.0.1 and still sends nothing anywhere."""
    root = _with_models(tmp_path, enrolled[0])
    (root / "data" / "settings.toml").write_text(
        "[api]\nenabled = true\nport = 18765\n[webhooks]\nenabled = true\n"
    )
    listening = 'htons(18765), sin_addr=inet_addr("127.0.0.1")'
    result = silent_run(root, "run", "--source", str(CLIP), timeout_s=90, until=listening)
    assert result["proc"].returncode in (0, 124, -15, 143), result["proc"].stderr[-2000:]
    assert_silent(result, expect_rc=None)
    trace = (root / "strace.log").read_text()
    assert 'htons(18765), sin_addr=inet_addr("127.0.0.1")' in trace  # the API was listening


def test_trace_parser_flags_the_telemetry_lookup():
    """Lines recorded from onnxruntime 1.32 before the fix, and the harmless urllib3 probe."""
    before = (
        "9143  socket(AF_INET, SOCK_DGRAM|SOCK_CLOEXEC|SOCK_NONBLOCK, IPPROTO_IP) = 9\n"
        '9143  connect(9, {sa_family=AF_INET, sin_port=htons(53), sin_addr=inet_addr("10.255.2'
        '55.53")}, 16) = 0\n'
        '9142  connect(8, {sa_family=AF_UNIX, sun_path="/var/run/nscd/socket"}, 110) = -1\n'
    )
    parsed = parse_trace(before)
    assert len(parsed["network"]) == 1 and len(parsed["ip_sockets"]) == 1
    probe = (
        "12764 socket(AF_INET6, SOCK_STREAM|SOCK_CLOEXEC, IPPROTO_IP) = 3\n"
        "12764 bind(3, {sa_family=AF_INET6, sin6_port=htons(0), sin6_flowinfo=htonl(0), "
        'inet_pton(AF_INET6, "::1", &sin6_addr), sin6_scope_id=0}, 28) = 0\n'
    )
    parsed = parse_trace(probe)
    assert not parsed["network"] and parsed["loopback_binds"] == 1
