#!/usr/bin/env bash
# Make an offline wheelhouse for install.sh --wheelhouse (air-gapped sites).
#
#   installers/linux/make_wheelhouse.sh OUT_DIR
#
# Run it on a connected machine with the SAME Debian/Ubuntu release, CPU
# architecture and Python minor version as the kiosks. OUT_DIR receives:
#   *.whl              the runtime dependencies locked in uv.lock (downloaded as
#                      wheels and checked against the lock's hashes), uv for the
#                      bootstrap venv, and the facekiosk wheel built from this checkout
#   requirements.txt   those wheels pinned by their own sha256
#   SHA256SUMS         for checking the copy on the stick (sha256sum -c SHA256SUMS)
set -euo pipefail

REPO="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
UV_VERSION="$(sed -n 's/^readonly UV_VERSION="\([^"]*\)".*/\1/p' "$REPO/installers/linux/install.sh")"
OUT="${1:?usage: make_wheelhouse.sh OUT_DIR}"
PYTHON="${PYTHON:-python3}"

mkdir -p "$OUT"
OUT="$(cd "$OUT" && pwd)"
work="$(mktemp -d)"
trap 'rm -rf -- "$work"' EXIT

# Only PyPI, whatever this machine's pip configuration says.
export PIP_CONFIG_FILE=/dev/null PIP_DISABLE_PIP_VERSION_CHECK=1
"$PYTHON" -m venv "$work/venv"
"$work/venv/bin/pip" install --quiet "uv==$UV_VERSION"
uv="$work/venv/bin/uv"

echo "==> locked requirements from uv.lock (runtime only, hashed)"
"$uv" export --quiet --project "$REPO" --frozen --no-dev --no-emit-project \
  --format requirements-txt --output-file "$work/locked.txt"

echo "==> download (wheels only, every file checked against the lock's sha256)"
# Every locked dependency has a manylinux wheel (tests/packaging/test_lock_wheels.py),
# so kiosks need no compiler. A dependency published only as source fails here.
# Wheels of an earlier run (e.g. a dependency since dropped) must not end up in
# requirements.txt.
rm -f -- "$OUT"/*.whl
if ! "$work/venv/bin/pip" download --quiet --no-deps --only-binary=:all: --require-hashes \
  -r "$work/locked.txt" -d "$OUT"; then
  echo "make_wheelhouse.sh: a locked dependency has no wheel for this Python/platform" >&2
  exit 1
fi
"$work/venv/bin/pip" download --quiet --no-deps --only-binary=:all: "uv==$UV_VERSION" -d "$OUT"

echo "==> requirements.txt: the wheels in this folder, pinned by their own sha256"
"$work/venv/bin/python" - "$OUT" <<'PY'
import hashlib, pathlib, sys
out = pathlib.Path(sys.argv[1])
lines = []
for wheel in sorted(out.glob("*.whl")):
    name, version = wheel.name.split("-")[:2]
    if name in ("uv", "facekiosk"):
        continue  # the bootstrap tool and the app are installed separately
    digest = hashlib.sha256(wheel.read_bytes()).hexdigest()
    lines.append(f"{name}=={version} --hash=sha256:{digest}")
(out / "requirements.txt").write_text("\n".join(lines) + "\n")
print(f"    {len(lines)} requirements")
PY

echo "==> facekiosk wheel"
"$uv" build --quiet --wheel --out-dir "$OUT" "$REPO"

(cd "$OUT" && sha256sum -- *.whl requirements.txt >SHA256SUMS)
echo "==> $(find "$OUT" -name '*.whl' | wc -l) wheels, $(du -sh "$OUT" | cut -f1) in $OUT"
echo "    on the kiosk: sudo installers/linux/install.sh --wheelhouse $OUT"
