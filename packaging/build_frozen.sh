#!/usr/bin/env bash
# Build the one-folder frozen facekiosk with PyInstaller and smoke-test it.
#
#   packaging/build_frozen.sh            -> dist/facekiosk/facekiosk (+ dist/frozen-build.json)
#
# The build venv (build/frozen-venv) is made from uv.lock: runtime dependencies
# plus the 'package' group (PyInstaller), nothing from the dev group. Smoke tests
# run the frozen binary: --version, --help, `doctor --json` in a throw-away data dir.
set -euo pipefail

REPO="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
BUILD="$REPO/build"
DIST="$REPO/dist"
VENV="$BUILD/frozen-venv"
FROZEN="$DIST/facekiosk/facekiosk"
REPORT="$DIST/frozen-build.json"

find_uv() {
  if [[ -n "${UV:-}" ]]; then
    echo "$UV"
  elif command -v uv >/dev/null; then
    command -v uv
  elif [[ -x "$REPO/.tools/bin/uv" ]]; then
    echo "$REPO/.tools/bin/uv"  # the one installers/quickstart.sh set up
  else
    # uv from PyPI into a private venv, as the installer does.
    python3 -m venv "$BUILD/uv-venv" >/dev/null
    "$BUILD/uv-venv/bin/pip" install --quiet --disable-pip-version-check uv >&2
    echo "$BUILD/uv-venv/bin/uv"
  fi
}

now() { date +%s.%N; }
elapsed() { python3 -c "import sys; print(round(float(sys.argv[2]) - float(sys.argv[1]), 1))" "$1" "$2"; }

mkdir -p "$BUILD" "$DIST"
uv_bin="$(find_uv)"
t0="$(now)"
echo "==> build venv $VENV (uv.lock: runtime + package group)"
UV_PROJECT_ENVIRONMENT="$VENV" UV_PYTHON_DOWNLOADS=never "$uv_bin" sync --quiet \
  --project "$REPO" --frozen --no-dev --group package --no-editable --reinstall-package facekiosk
t1="$(now)"
echo "==> pyinstaller packaging/facekiosk.spec"
"$VENV/bin/pyinstaller" --noconfirm --log-level WARN --clean \
  --distpath "$DIST" --workpath "$BUILD/pyinstaller" "$REPO/packaging/facekiosk.spec"
t2="$(now)"

echo "==> smoke tests"
smoke_home="$(mktemp -d)"
trap 'rm -rf "$smoke_home"' EXIT
version_out="$("$FROZEN" --version)"
echo "    $version_out"
"$FROZEN" --help >/dev/null
t3="$(now)"
set +e
QT_QPA_PLATFORM="${QT_QPA_PLATFORM:-offscreen}" FACEKIOSK_HOME="$smoke_home" \
  "$FROZEN" doctor --json --no-camera >"$BUILD/frozen-doctor.json"
doctor_rc=$?
set -e
t4="$(now)"
# The GUI from the frozen folder: every kiosk page rendered offscreen, the engine
# in its spawned worker process (multiprocessing in a frozen app).
shots="$BUILD/frozen-demo-screens"
rm -rf "$shots" && mkdir -p "$shots"
set +e
QT_QPA_PLATFORM=offscreen FACEKIOSK_HOME="$smoke_home" \
  "$FROZEN" demo --screenshot "$shots" >/dev/null 2>"$BUILD/frozen-demo.log"
demo_rc=$?
set -e
t5="$(now)"
screens="$(find "$shots" -name '*.png' | wc -l)"
echo "    demo: exit $demo_rc, $screens pages rendered"
python3 - "$BUILD/frozen-doctor.json" <<'PY'
import json, sys
report = json.load(open(sys.argv[1]))
for check in report["checks"]:
    print(f"    [{check['status']}] {check['name']}: {check['detail'][:100]}")
PY

size_bytes="$(du -sb "$DIST/facekiosk" | cut -f1)"
files="$(find "$DIST/facekiosk" -type f | wc -l)"
cat >"$REPORT" <<JSON
{
  "version": "${version_out#facekiosk }",
  "folder": "dist/facekiosk",
  "size_bytes": $size_bytes,
  "size_mib": $(python3 -c "print(round($size_bytes / 2**20, 1))"),
  "files": $files,
  "venv_sync_s": $(elapsed "$t0" "$t1"),
  "pyinstaller_s": $(elapsed "$t1" "$t2"),
  "version_and_help_s": $(elapsed "$t2" "$t3"),
  "doctor_s": $(elapsed "$t3" "$t4"),
  "doctor_exit_code": $doctor_rc,
  "demo_screenshots_s": $(elapsed "$t4" "$t5"),
  "demo_exit_code": $demo_rc,
  "demo_pages": $screens
}
JSON
cat "$REPORT"
if ((doctor_rc != 0)); then
  echo "frozen 'facekiosk doctor --json' failed (exit $doctor_rc): see $BUILD/frozen-doctor.json" >&2
  exit 1
fi
if ((demo_rc != 0 || screens == 0)); then
  echo "frozen 'facekiosk demo --screenshot' failed (exit $demo_rc): see $BUILD/frozen-demo.log" >&2
  exit 1
fi
echo "==> OK: $FROZEN"
