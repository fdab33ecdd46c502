#!/usr/bin/env bash
# Import model packs from a USB stick (or any folder) on an air-gapped kiosk.
#
#   sudo installers/linux/import_model_pack.sh [--yes] /media/usb/facekiosk-models
#
# The folder holds the pack files (insightface pack .zip, liveness .onnx) and a
# SHA256SUMS file in `sha256sum` format, made on the connected machine with
#   cd facekiosk-models && sha256sum *.zip *.onnx > SHA256SUMS
# (optionally signed: gpg --detach-sign SHA256SUMS -> SHA256SUMS.sig).
#
# Every listed file is first copied off the stick into a private staging folder
# and checked there (what is imported is exactly what was checked); only when all
# pass does `facekiosk models import` install them, each with its expected sha256.
# Nothing is installed when any check fails.
set -euo pipefail

FACEKIOSK="${FACEKIOSK:-/usr/local/bin/facekiosk}"
SERVICE_USER="facekiosk"
YES=0
KEYRING=""
REQUIRE_SIGNATURE=0
SOURCE=""

usage() {
  cat <<EOF
Usage: import_model_pack.sh [options] DIR

Verify DIR/SHA256SUMS, then import every file it lists with 'facekiosk models import'.

Options:
  --yes                accept the licence terms of the packs (shown otherwise)
  --keyring FILE       verify DIR/SHA256SUMS.sig with gpgv against this keyring
  --require-signature  refuse a folder without a valid SHA256SUMS.sig
  --facekiosk CMD      the facekiosk command (default: $FACEKIOSK)
  --user NAME          the service user that owns the data dir (default: $SERVICE_USER)
  -h, --help           this help
EOF
}

die() {
  echo "import_model_pack.sh: error: $*" >&2
  exit 1
}

while (($#)); do
  case "$1" in
    --yes) YES=1 ;;
    --keyring)
      KEYRING="${2:?--keyring needs a file}"
      shift
      ;;
    --require-signature) REQUIRE_SIGNATURE=1 ;;
    --facekiosk)
      FACEKIOSK="${2:?--facekiosk needs a command}"
      shift
      ;;
    --user)
      SERVICE_USER="${2:?--user needs a name}"
      shift
      ;;
    -h | --help)
      usage
      exit 0
      ;;
    -*) die "unknown option '$1' (see --help)" ;;
    *)
      [[ -z "$SOURCE" ]] || die "only one folder, please"
      SOURCE="$1"
      ;;
  esac
  shift
done

[[ -n "$SOURCE" ]] || {
  usage >&2
  exit 2
}
[[ -d "$SOURCE" ]] || die "$SOURCE is not a folder"
SUMS="$SOURCE/SHA256SUMS"
[[ -f "$SUMS" ]] || die "$SUMS not found: make it on the connected machine with 'sha256sum * > SHA256SUMS'"
command -v "$FACEKIOSK" >/dev/null || [[ -x "$FACEKIOSK" ]] || die "facekiosk command not found: $FACEKIOSK"

# 1. The signature over the list, when there is one (or when it is required).
if [[ -f "$SUMS.sig" && -n "$KEYRING" ]]; then
  command -v gpgv >/dev/null || die "gpgv not found (apt-get install gpgv)"
  gpgv --keyring "$KEYRING" "$SUMS.sig" "$SUMS" 2>/dev/null || die "SHA256SUMS.sig does not verify against $KEYRING"
  echo "==> SHA256SUMS signature OK"
elif ((REQUIRE_SIGNATURE)); then
  die "a signed SHA256SUMS is required: need $SUMS.sig and --keyring"
elif [[ -f "$SUMS.sig" ]]; then
  echo "==> warning: SHA256SUMS.sig present but no --keyring given: signature NOT checked" >&2
fi

# 2. Parse the list strictly: '<64 hex>  <file name>' (a '*' before the name is allowed).
declare -a NAMES=() HASHES=()
while IFS= read -r line || [[ -n "$line" ]]; do
  [[ -z "${line// /}" || "$line" == \#* ]] && continue
  if [[ "$line" =~ ^([0-9a-fA-F]{64})\ [\ *](.+)$ ]]; then
    hash="${BASH_REMATCH[1],,}"
    name="${BASH_REMATCH[2]}"
  else
    die "SHA256SUMS: malformed line: $line"
  fi
  [[ "$name" != */* && "$name" != .* ]] || die "SHA256SUMS: '$name' must be a plain file name in the folder"
  [[ -f "$SOURCE/$name" ]] || die "SHA256SUMS lists '$name' but it is not in $SOURCE"
  NAMES+=("$name")
  HASHES+=("$hash")
done <"$SUMS"
((${#NAMES[@]})) || die "SHA256SUMS lists no files"

# 3. Copy off the stick into private staging and check the copies.
STAGING="$(mktemp -d -t facekiosk-import.XXXXXX)"
trap 'rm -rf -- "$STAGING"' EXIT
chmod 0700 "$STAGING"
echo "==> checking ${#NAMES[@]} file(s) from $SOURCE"
failed=0
for i in "${!NAMES[@]}"; do
  cp -- "$SOURCE/${NAMES[$i]}" "$STAGING/${NAMES[$i]}"
  actual="$(sha256sum -- "$STAGING/${NAMES[$i]}" | cut -d' ' -f1)"
  if [[ "$actual" == "${HASHES[$i]}" ]]; then
    echo "    OK   ${NAMES[$i]}"
  else
    echo "    BAD  ${NAMES[$i]} (sha256 $actual, expected ${HASHES[$i]})" >&2
    failed=1
  fi
done
((failed == 0)) || die "checksum mismatch: nothing was imported (copy the files again)"

# 4. Import, as the service user when there is one (the launcher drops root itself).
if [[ "$(id -u)" == 0 ]] && getent passwd "$SERVICE_USER" >/dev/null; then
  chown -R "$SERVICE_USER:" "$STAGING"
fi
accept=()
((YES)) && accept=(--yes)
for i in "${!NAMES[@]}"; do
  echo "==> importing ${NAMES[$i]}"
  "$FACEKIOSK" models import "$STAGING/${NAMES[$i]}" --sha256 "${HASHES[$i]}" "${accept[@]}" ||
    die "facekiosk models import ${NAMES[$i]} failed (packs imported before it stay installed)"
done

echo "==> verifying installed packs"
"$FACEKIOSK" models verify
echo "==> done"
