#!/usr/bin/env bash
# facekiosk quick start from a source checkout.
#   installers/quickstart.sh run  [facekiosk run args]  set up, then start the kiosk
#                                                      (camera, or the demo source)
#   installers/quickstart.sh test [pytest args]        set up with test tools, run every test
# Needs only python3 (>= 3.11) and the package registries. The environment comes
# from the committed uv.lock into ./.venv; uv itself lives in ./.tools.
set -euo pipefail

UV_VERSION="0.13.9"
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$ROOT"
MODE="${1:-run}"
shift || true

# Debian packages: the X/GL libraries Qt's xcb platform needs, plus Xvfb for the tests.
QT_DEBS=(libxcb-cursor0 libxkbcommon-x11-0 libxcb-icccm4 libxcb-keysyms1 libxcb-image0
  libxcb-render-util0 libxcb-shape0 libxcb-xinerama0 libxcb-randr0 libxcb-xfixes0
  libxcb-sync1 libxcb-xkb1 libegl1 libgl1 libfontconfig1 libdbus-1-3 fonts-dejavu-core)
TEST_DEBS=(xvfb xauth shellcheck desktop-file-utils strace postgresql)  # postgresql: the site hub tests start throw-away clusters

missing_debs() {
  command -v dpkg-query >/dev/null || return 0
  local p
  for p in "$@"; do
    dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "ok installed" || echo "$p"
  done
}

install_debs() {
  local need
  mapfile -t need < <(missing_debs "$@")
  [ "${#need[@]}" -eq 0 ] && return 0
  local sudo=""
  if [ "$(id -u)" -ne 0 ]; then
    if command -v sudo >/dev/null; then sudo="sudo"; else
      echo "quickstart: please install these Debian packages as root: ${need[*]}" >&2
      return 0
    fi
  fi
  echo "quickstart: installing Debian packages: ${need[*]}" >&2
  $sudo apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq --no-install-recommends "${need[@]}" >/dev/null
}

find_python() {
  local py
  for py in python3 python3.13 python3.12 python3.11; do
    if command -v "$py" >/dev/null \
      && "$py" -c 'import sys; sys.exit(sys.version_info < (3, 11))' 2>/dev/null; then
      echo "$py"; return 0
    fi
  done
  echo "quickstart: Python 3.11 or newer is required" >&2
  exit 1
}

setup_env() {
  local py
  py="$(find_python)"
  if [ ! -x .tools/bin/uv ]; then
    "$py" -m venv .tools
    .tools/bin/python -m pip install -q "uv==${UV_VERSION}"
  fi
  # --frozen: install exactly what uv.lock pins; never re-resolve at a site.
  # System CA store: works behind TLS-inspecting proxies as well as on a plain machine.
  UV_PYTHON="$py" UV_PYTHON_DOWNLOADS=never UV_NATIVE_TLS=1 .tools/bin/uv sync --frozen -q "$@"
}

case "$MODE" in
  run)
    if command -v apt-get >/dev/null; then install_debs "${QT_DEBS[@]}"; fi
    setup_env --no-dev
    if [ -z "${DISPLAY:-}" ] && [ -z "${WAYLAND_DISPLAY:-}" ] && [ -z "${QT_QPA_PLATFORM:-}" ]; then
      echo "quickstart: no display found; starting offscreen (screenshots only). Run from a desktop session to see the window." >&2
      export QT_QPA_PLATFORM=offscreen
    fi
    exec .venv/bin/facekiosk run "$@"
    ;;
  test)
    if command -v apt-get >/dev/null; then install_debs "${QT_DEBS[@]}" "${TEST_DEBS[@]}"; fi
    setup_env
    .venv/bin/ruff check app tests
    .venv/bin/mypy app/facekiosk  # the whole package, ui/ included: a new subpackage is checked too
    exec .venv/bin/python -m pytest "$@"
    ;;
  *)
    echo "usage: $0 run [facekiosk run args] | test [pytest args]" >&2
    exit 2
    ;;
esac
