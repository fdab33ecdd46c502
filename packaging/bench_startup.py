"""Start-up times of the installed (venv) and the frozen facekiosk, as JSON.

    .venv/bin/python packaging/bench_startup.py [--repeat 5] [--venv-exe PATH] [--frozen-exe PATH]

Each command runs `--repeat` times in a fresh data dir; medians and p90 in
seconds, and frozen/venv ratios measured in the same run (the machine is shared,
so absolute numbers are noisy; the ratios less so). The frozen executable is
dist/facekiosk/facekiosk from packaging/build_frozen.sh (skipped when absent).
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
COMMANDS: dict[str, list[str]] = {
    "version": ["--version"],
    "doctor": ["doctor", "--json", "--no-camera"],
    # Every kiosk page rendered offscreen, engine in its worker process: the
    # closest headless stand-in for "first window on screen".
    "demo_pages": ["demo", "--screenshot", "{shots}"],
}


def _time_once(exe: Path, args: list[str]) -> float:
    with tempfile.TemporaryDirectory() as tmp:
        env = {**os.environ, "FACEKIOSK_HOME": f"{tmp}/home", "QT_QPA_PLATFORM": "offscreen"}
        argv = [str(exe), *(a.replace("{shots}", f"{tmp}/shots") for a in args)]
        start = time.perf_counter()
        proc = subprocess.run(argv, capture_output=True, text=True, env=env, timeout=600)
        elapsed = time.perf_counter() - start
    if proc.returncode != 0:
        raise SystemExit(f"{' '.join(argv)} failed ({proc.returncode}): {proc.stderr[-500:]}")
    return elapsed


def _stats(samples: list[float]) -> dict[str, float]:
    ordered = sorted(samples)
    p90 = ordered[min(len(ordered) - 1, round(0.9 * (len(ordered) - 1)))]
    return {"median_s": round(statistics.median(ordered), 3), "p90_s": round(p90, 3)}


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeat", type=int, default=5)
    parser.add_argument(
        "--venv-exe", type=Path, default=Path(sys.executable).with_name("facekiosk")
    )
    parser.add_argument(
        "--frozen-exe", type=Path, default=REPO / "dist" / "facekiosk" / "facekiosk"
    )
    args = parser.parse_args()
    targets = {"venv": args.venv_exe}
    if args.frozen_exe.exists():
        targets["frozen"] = args.frozen_exe
    samples: dict[str, dict[str, list[float]]] = {t: {c: [] for c in COMMANDS} for t in targets}
    # Interleave targets so that load changes on the shared machine hit both alike.
    for _ in range(args.repeat):
        for name, cmd in COMMANDS.items():
            for target, exe in targets.items():
                samples[target][name].append(_time_once(exe, cmd))
    result: dict[str, object] = {
        "repeat": args.repeat,
        "cpus": os.cpu_count(),
        **{t: {c: _stats(s) for c, s in per.items()} for t, per in samples.items()},
    }
    if "frozen" in targets:
        result["frozen_over_venv"] = {
            c: round(
                statistics.median(samples["frozen"][c]) / statistics.median(samples["venv"][c]), 2
            )
            for c in COMMANDS
        }
    json.dump(result, sys.stdout, indent=2)
    sys.stdout.write("\n")
    return 0


if __name__ == "__main__":
    sys.exit(main())
