"""Every settings rule, fed to `settings check` and to start-up: both refuse the same files.

The issue: `kiosk.template_frames = 9` passed `facekiosk settings check` and was then refused
at start-up. Each row below is one rule of the schema; `settings check` and `facekiosk run`
(the path it takes before any window: load settings, prepare the data dir) must both exit 1
naming the key. The whole table runs in-process through `facekiosk.cli.main` (a subprocess
per row would cost minutes on the shared machine); a few rows also run as a real subprocess.
"""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

from facekiosk.cli import main
from facekiosk.settings import SettingsError, parse_settings

NONET = Path(__file__).with_name("nonet.py")

# (settings.toml text, the key the refusal must name)
REFUSED: list[tuple[str, str]] = [
    # structure and meta
    ("engine = 3\n", "engine"),
    ("[meta]\nschema = 2\n", "meta.schema"),
    ("[meta]\nschema = 0\n", "meta.schema"),
    ("[meta]\nschema = 'two'\n", "meta.schema"),
    # engine
    ("[engine]\nname = 'dlb'\n", "engine.name"),
    ("[engine]\ndescriptor = 'gpu'\n", "engine.descriptor"),
    ("[engine]\ndetect_width = 79\n", "engine.detect_width"),
    ("[engine]\nproviders = 'CPU'\n", "engine.providers"),
    ("[engine]\nproviders = [1]\n", "engine.providers[0]"),
    ("[engine]\nthreshold = 'high'\n", "engine.threshold"),
    ("[engine]\nthreshold = -1.0\n", "engine.threshold"),
    ("[engine]\nthreshold = 1.5\n", "engine.threshold"),
    ("[engine]\nname = 'dlib'\nthreshold = 0.49\n", "engine.threshold"),
    ("[engine]\nthreshold = 0.44\n", "engine.threshold"),  # the default engine: bundled
    ("[engine]\nname = 'bundled'\nthreshold = 0.92\n", "engine.threshold"),  # dlib-era
    ("[engine]\nname = 'bundled'\nthreshold = 0.3\n", "engine.threshold"),
    ("[engine]\nname = 'insight'\nthreshold = 0.97\n", "engine.threshold"),
    ("[engine]\nname = 'insight'\nthreshold = 0.05\n", "engine.threshold"),
    ("[engine]\nmargin = -0.01\n", "engine.margin"),
    ("[engine]\nmargin = 0.6\n", "engine.margin"),
    # quality
    ("[quality]\nenroll_max_yaw = -1\n", "quality.enroll_max_yaw"),
    ("[quality]\nenroll_max_pitch = 91\n", "quality.enroll_max_pitch"),
    ("[quality]\nenroll_max_roll = 100\n", "quality.enroll_max_roll"),
    ("[quality]\nauth_max_yaw = 91\n", "quality.auth_max_yaw"),
    ("[quality]\nauth_max_pitch = -5\n", "quality.auth_max_pitch"),
    ("[quality]\nauth_max_roll = 181\n", "quality.auth_max_roll"),
    ("[quality]\nmin_interocular_px = -1\n", "quality.min_interocular_px"),
    ("[quality]\nmax_face_fraction = 0\n", "quality.max_face_fraction"),
    ("[quality]\nmax_face_fraction = 1.5\n", "quality.max_face_fraction"),
    ("[quality]\nmin_blur_var = -1\n", "quality.min_blur_var"),
    ("[quality]\nmin_brightness = -1\n", "quality.min_brightness"),
    ("[quality]\nmax_brightness = 256\n", "quality.max_brightness"),
    ("[quality]\nmin_brightness = 200\nmax_brightness = 100\n", "quality.min_brightness"),
    ("[quality]\nmax_center_offset = 1.5\n", "quality.max_center_offset"),
    ("[quality]\nmin_eye_openness = -0.1\n", "quality.min_eye_openness"),
    # liveness
    ("[liveness]\nenroll_level = 'maybe'\n", "liveness.enroll_level"),
    ("[liveness]\nauth_level = 'strict'\n", "liveness.auth_level"),
    ("[liveness]\nchallenge_actions = 0\n", "liveness.challenge_actions"),
    ("[liveness]\nchallenge_actions = 6\n", "liveness.challenge_actions"),
    ("[liveness]\nchallenge_timeout_s = 0\n", "liveness.challenge_timeout_s"),
    ("[liveness]\naction_timeout_s = -1\n", "liveness.action_timeout_s"),
    ("[liveness]\npassive_window_s = 0\n", "liveness.passive_window_s"),
    ("[liveness]\nturn_degrees = 0\n", "liveness.turn_degrees"),
    ("[liveness]\nlook_degrees = 95\n", "liveness.look_degrees"),
    ("[liveness]\nmax_restarts = -1\n", "liveness.max_restarts"),
    ("[liveness]\naddon_threshold = 1.2\n", "liveness.addon_threshold"),
    # pin
    ("[pin]\npolicy = 'sometimes'\n", "pin.policy"),
    ("[pin]\nmin_length = 3\n", "pin.min_length"),
    ("[pin]\nmax_length = 17\n", "pin.max_length"),
    ("[pin]\nmin_length = 8\nmax_length = 6\n", "pin.min_length"),
    ("[pin]\nunique = 1\n", "pin.unique"),
    ("[pin]\nmax_tries = 0\n", "pin.max_tries"),
    ("[pin]\nconfident_delta = -0.1\n", "pin.confident_delta"),
    ("[pin]\nconfident_delta = 1.0\n", "pin.confident_delta"),
    ("[pin]\nlockout_base_s = 0\n", "pin.lockout_base_s"),
    ("[pin]\nlockout_max_s = -1\n", "pin.lockout_max_s"),
    ("[pin]\nlockout_base_s = 7200\n", "pin.lockout_base_s"),
    # kiosk (the first rows are those KioskSession._check_settings used to add at start-up)
    ("[kiosk]\ntemplate_frames = 9\n", "kiosk.template_frames"),
    ("[kiosk]\ntemplate_frames = 2\n", "kiosk.template_frames"),
    ("[kiosk]\ncapture_timeout_s = 0\n", "kiosk.capture_timeout_s"),
    ("[kiosk]\nresult_display_s = -1\n", "kiosk.result_display_s"),
    ("[kiosk]\nunrecognized_frames = 0\n", "kiosk.unrecognized_frames"),
    ("[kiosk]\nmax_failures = 0\n", "kiosk.max_failures"),
    ("[kiosk]\nfailure_window_s = 0\n", "kiosk.failure_window_s"),
    ("[kiosk]\ndebounce_minutes = -1\n", "kiosk.debounce_minutes"),
    ("[kiosk]\nmin_age = -1\n", "kiosk.min_age"),
    ("[kiosk]\nenroll_validity_days = -1\n", "kiosk.enroll_validity_days"),
    ("[kiosk]\nrelay_pulse_s = 0\n", "kiosk.relay_pulse_s"),
    ("[kiosk]\nrelay_pulse_s = 61\n", "kiosk.relay_pulse_s"),
    ("[kiosk]\nkiosk_id = ''\n", "kiosk.kiosk_id"),
    ("[kiosk]\nmode = 'party'\n", "kiosk.mode"),
    ("[kiosk]\ndirection = 'up'\n", "kiosk.direction"),
    ("[kiosk]\nconfirm_frames = 0\n", "kiosk.confirm_frames"),
    ("[kiosk]\nidle_timeout_s = 0\n", "kiosk.idle_timeout_s"),
    ("[kiosk]\naccess_groups = 'staff'\n", "kiosk.access_groups"),
    ("[kiosk]\nauto_start = 'yes'\n", "kiosk.auto_start"),
    # camera
    ("[camera]\nsource = ''\n", "camera.source"),
    ("[camera]\nwidth = 0\n", "camera.width"),
    ("[camera]\nheight = -480\n", "camera.height"),
    ("[camera]\nfps = 0\n", "camera.fps"),
    # vault
    ("[vault]\nkey_mode = 'tpm'\n", "vault.key_mode"),
    ("[vault]\ncompact_every = 0\n", "vault.compact_every"),
    ("[vault]\nsearch_exact_max = -1\n", "vault.search_exact_max"),
    ("[vault]\nsearch_exact_max = 10000001\n", "vault.search_exact_max"),
    ("[vault]\nsearch_rerank = 0\n", "vault.search_rerank"),
    ("[vault]\nsearch_rerank = 4097\n", "vault.search_rerank"),
    # log
    ("[log]\nlevel = 'NONSENSE'\n", "log.level"),
]

# The edge of each range is allowed: the rules above are not broader than they say.
ACCEPTED = [
    "[engine]\nname = 'dlib'\nthreshold = 0.5\n",
    "[engine]\nname = 'dlib'\nthreshold = 0.999\nmargin = 0.5\n",
    "[engine]\nthreshold = 0.45\n",
    "[engine]\nthreshold = 0.9\n",
    "[engine]\nname = 'insight'\nthreshold = 0.1\n",
    "[engine]\nname = 'insight'\nthreshold = 0.95\n",
    "[engine]\nname = 'bundled'\nthreshold = 0.8\n",
    "[kiosk]\ntemplate_frames = 5\nrelay_pulse_s = 60\ndebounce_minutes = 0\n",
    "[pin]\nmin_length = 16\nmax_length = 16\nlockout_base_s = 3600\n",
    "[liveness]\nchallenge_actions = 5\nmax_restarts = 0\n",
    "[quality]\nmin_brightness = 0\nmax_brightness = 255\nauth_max_yaw = 90\n",
    "[log]\nlevel = 'debug'\n",
]


def _write(data_dir: Path, text: str) -> None:
    (data_dir / "settings.toml").write_text(text, encoding="utf-8")


def _key_named(message: str, key: str) -> bool:
    """The message leads with the key (`settings: kiosk.mode: ...` on the CLI)."""
    return message.removeprefix("settings: ").startswith(key) or f"settings: {key}" in message


@pytest.mark.parametrize(("text", "key"), REFUSED, ids=[k for _, k in REFUSED])
def test_schema_refuses_and_names_the_key(text, key):
    with pytest.raises(SettingsError) as info:
        parse_settings(text)
    assert _key_named(str(info.value), key), str(info.value)


@pytest.mark.parametrize(("text", "key"), REFUSED, ids=[k for _, k in REFUSED])
def test_settings_check_and_start_up_both_refuse(text, key, data_dir, tmp_path, capsys):
    _write(data_dir, text)
    assert main(["--data-dir", str(data_dir), "settings", "check"]) == 1
    check_err = capsys.readouterr().err
    assert _key_named(check_err, key), check_err
    shots = tmp_path / "shots"
    assert main(["--data-dir", str(data_dir), "run", "--screenshot", str(shots)]) == 1
    run_err = capsys.readouterr().err
    assert _key_named(run_err, key), run_err
    assert not shots.exists()  # refused before any window


@pytest.mark.parametrize("text", ACCEPTED)
def test_range_edges_are_accepted(text, data_dir, capsys):
    parse_settings(text)
    _write(data_dir, text)
    assert main(["--data-dir", str(data_dir), "settings", "check"]) == 0
    assert "valid" in capsys.readouterr().err


@pytest.mark.parametrize(
    ("text", "key"),
    [
        ("[kiosk]\ntemplate_frames = 9\n", "kiosk.template_frames"),
        ("[engine]\nthreshold = -1.0\n", "engine.threshold"),
        ("[engine]\nthreshold = 1.5\n", "engine.threshold"),
    ],
)
def test_real_cli_process_refuses(text, key, data_dir, tmp_path):
    _write(data_dir, text)
    for args in (["settings", "check"], ["run", "--screenshot", str(tmp_path / "shots")]):
        proc = subprocess.run(
            [sys.executable, str(NONET), "--data-dir", str(data_dir), *args],
            capture_output=True,
            text=True,
            timeout=120,
        )
        assert proc.returncode == 1, (args, proc.stderr)
        assert f"facekiosk: error: settings: {key}:" in proc.stderr
        assert "Traceback" not in proc.stderr


def test_log_level_option_is_a_usage_error_not_a_traceback(data_dir, tmp_path):
    def init(level: str, where: Path) -> subprocess.CompletedProcess:
        # `settings init` starts file logging at the given level (so did the traceback)
        args = ["--data-dir", str(where), "--log-level", level, "settings", "init"]
        return subprocess.run(
            [sys.executable, str(NONET), *args],
            capture_output=True,
            text=True,
            timeout=120,
        )

    proc = init("NONSENSE", data_dir)
    assert proc.returncode == 2
    assert "--log-level" in proc.stderr and "invalid choice: 'NONSENSE'" in proc.stderr
    assert "Traceback" not in proc.stderr
    assert not (data_dir / "settings.toml").exists()
    assert init("debug", tmp_path / "other").returncode == 0  # any case, as in settings.toml
