#!/usr/bin/env bash
# facekiosk installer for Debian / Ubuntu.
#
#   sudo installers/linux/install.sh                 install or upgrade, enable on boot
#   sudo installers/linux/install.sh --uninstall     remove the app, KEEP the data dir
#   sudo installers/linux/install.sh --uninstall --purge-data   ... and erase the data dir
#
# Every step checks before it acts, so a second run changes nothing. --prefix DIR
# installs into a throw-away root (no apt, no users, no systemctl: those steps are
# printed as skipped) and --dry-run prints each step without doing it.
# Run with --help for all options.
set -euo pipefail
umask 022

readonly UV_VERSION="0.13.9" # uv from PyPI, into a bootstrap venv; it installs from uv.lock
readonly MIN_PYTHON="3.11"
SCRIPT_DIR="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
readonly SCRIPT_DIR

# Debian packages the PySide6 wheels need at run time (found with ldd on the Qt
# platform plugins xcb/wayland and their libraries), plus cage, the one-app Wayland
# compositor the boot unit runs the kiosk in. numpy/cv2/dlib/onnxruntime/faiss
# wheels bundle their own libraries. Every locked dependency has a manylinux
# wheel, so no compiler or Python headers are installed.
readonly APT_PACKAGES=(
  python3 python3-venv
  libxcb-cursor0 libxcb-icccm4 libxcb-image0 libxcb-keysyms1 libxcb-randr0
  libxcb-render-util0 libxcb-shape0 libxcb-shm0 libxcb-sync1 libxcb-xfixes0
  libxcb-xkb1 libxcb-glx0 libx11-xcb1 libxkbcommon0 libxkbcommon-x11-0
  libwayland-client0 libwayland-cursor0 libwayland-egl1
  libegl1 libgl1 libgbm1 libdrm2
  libfontconfig1 libfreetype6 libdbus-1-3 libglib2.0-0 fonts-dejavu-core
  cage
)

SOURCE_DIR="$(cd "$SCRIPT_DIR/../.." && pwd)"
PREFIX=""
DRY_RUN=0
ACTION="install"
PURGE_DATA=0
SKIP_APT=0
SKIP_VENV=0
NO_ENABLE=0
START=0
MODE="boot"
SERVICE_USER="facekiosk"
WHEELHOUSE=""
PYTHON="${PYTHON:-python3}"

usage() {
  cat <<EOF
Usage: install.sh [options]

Install (default) or upgrade facekiosk: Debian packages, the '$SERVICE_USER' user,
/opt/facekiosk (app + venv from uv.lock), /var/lib/facekiosk (data, 0700), a
systemd unit that starts the kiosk on boot, a desktop entry and icon.

Options:
  --uninstall        remove the app, units and user files; the data dir is KEPT
  --purge-data       with --uninstall: also erase the data dir, its backups and
                     the '$SERVICE_USER' user (the device key is shredded first)
  --mode MODE        boot    (default) a system unit runs the kiosk full screen on tty1
                     session a user unit runs it in the desktop session of --user
                     (for a desktop with automatic login of that user)
  --user NAME        service / autologin user (default: $SERVICE_USER)
  --wheelhouse DIR   offline install from a wheelhouse made by make_wheelhouse.sh
  --source DIR       facekiosk source tree to install (default: this checkout)
  --prefix DIR       install under DIR instead of / (tests, image builds); skips
                     apt, user creation, chown and systemctl
  --dry-run          print every step, change nothing
  --skip-apt         do not install Debian packages
  --skip-venv        do not create/update the virtual environment (tests)
  --no-enable        install the unit but do not enable it
  --start            (re)start the service at the end
  -h, --help         this help
EOF
}

die() {
  echo "install.sh: error: $*" >&2
  exit 1
}
log() { echo "==> $*"; }
note() { echo "    $*"; }

while (($#)); do
  case "$1" in
    --uninstall) ACTION="uninstall" ;;
    --purge-data) PURGE_DATA=1 ;;
    --mode)
      MODE="${2:?--mode needs boot or session}"
      shift
      ;;
    --user)
      SERVICE_USER="${2:?--user needs a name}"
      shift
      ;;
    --wheelhouse)
      WHEELHOUSE="$(cd "${2:?--wheelhouse needs a directory}" && pwd)" || die "no such wheelhouse: $2"
      shift
      ;;
    --source)
      SOURCE_DIR="$(cd "${2:?--source needs a directory}" && pwd)" || die "no such source dir: $2"
      shift
      ;;
    --prefix)
      PREFIX="${2:?--prefix needs a directory}"
      shift
      ;;
    --dry-run) DRY_RUN=1 ;;
    --skip-apt) SKIP_APT=1 ;;
    --skip-venv) SKIP_VENV=1 ;;
    --no-enable) NO_ENABLE=1 ;;
    --start) START=1 ;;
    -h | --help)
      usage
      exit 0
      ;;
    *) die "unknown option '$1' (see --help)" ;;
  esac
  shift
done

[[ "$MODE" == boot || "$MODE" == session ]] || die "--mode must be boot or session, not '$MODE'"
[[ "$SERVICE_USER" =~ ^[a-z_][a-z0-9_-]{0,31}$ ]] || die "--user: '$SERVICE_USER' is not a valid user name"
((PURGE_DATA == 0)) || [[ "$ACTION" == uninstall ]] || die "--purge-data is only valid with --uninstall"

if [[ -n "$PREFIX" ]]; then
  PREFIX="$(realpath -m -- "$PREFIX")"
  [[ "$PREFIX" != "/" ]] || PREFIX=""
fi
HOST=1 # 1 = act on this machine (apt, users, systemctl); 0 = files under a prefix only
[[ -z "$PREFIX" ]] || HOST=0

# Paths as the running system sees them (written into unit files) ...
readonly APP_DIR="/opt/facekiosk"
readonly ETC_DIR="/etc/facekiosk"
readonly DATA_DIR="/var/lib/facekiosk"
readonly BACKUP_DIR="/var/backups/facekiosk"
readonly UNIT_FILE="/etc/systemd/system/facekiosk.service"
readonly USER_UNIT_FILE="/etc/systemd/user/facekiosk-session.service"
readonly PAM_FILE="/etc/pam.d/facekiosk"
readonly BIN_LINK="/usr/local/bin/facekiosk"
readonly DESKTOP_FILE="/usr/share/applications/facekiosk.desktop"
readonly ICON_SVG="/usr/share/icons/hicolor/scalable/apps/facekiosk.svg"
readonly ICON_PNG="/usr/share/icons/hicolor/256x256/apps/facekiosk.png"
# ... and where this run writes them.
r() { echo "${PREFIX}$1"; }

CHANGED=0     # set when a step changed something (drives daemon-reload)
WAS_ACTIVE=0  # the service ran before an upgrade stopped it: start it again
APP_CHANGED=0 # the venv was (re)built in this run
UPGRADED=0    # an older version was installed before this run

# Run a command that changes the system, or print it under --dry-run.
run() {
  if ((DRY_RUN)); then
    echo "    [dry-run] $*"
  else
    "$@"
  fi
}

# Same, with the command's own stdout discarded.
run_quiet() {
  if ((DRY_RUN)); then
    echo "    [dry-run] $*"
  else
    "$@" >/dev/null
  fi
}

# Steps that only make sense on the real machine.
host_only() {
  if ((HOST)); then
    return 0
  fi
  note "skipped under --prefix: $*"
  return 1
}

# Create a directory with a mode (and owner on the host) unless it already is so.
ensure_dir() {
  local path mode owner
  path="$(r "$1")"
  mode="$2"
  owner="${3:-}"
  if [[ ! -d "$path" ]]; then
    note "create $1 ($mode)"
    run install -d -m "$mode" "$path"
    CHANGED=1
  elif [[ "$(stat -c %a "$path")" != "${mode#0}" ]]; then
    note "chmod $mode $1"
    run chmod "$mode" "$path"
  fi
  if [[ -n "$owner" ]] && ((HOST)) && [[ "$(stat -c %U "$path" 2>/dev/null || true)" != "$owner" ]]; then
    note "chown $owner $1"
    run chown "$owner:$owner" "$path"
  fi
}

# Install SRC as DEST (system path) with MODE, only when content or mode differ.
put_file() {
  local src="$1" dest mode="$3"
  dest="$(r "$2")"
  if [[ -f "$dest" ]] && cmp -s "$src" "$dest"; then
    if [[ "$(stat -c %a "$dest")" != "${mode#0}" ]]; then
      note "chmod $mode $2"
      run chmod "$mode" "$dest"
    fi
    return 0
  fi
  note "write $2"
  run install -D -m "$mode" "$src" "$dest"
  CHANGED=1
}

# Fill @NAME@ placeholders of a template into a temp file; prints its path.
render() {
  local out
  out="$(mktemp)"
  sed -e "s|@APP_DIR@|$APP_DIR|g" -e "s|@ETC_DIR@|$ETC_DIR|g" \
    -e "s|@DATA_DIR@|$DATA_DIR|g" -e "s|@USER@|$SERVICE_USER|g" "$1" >"$out"
  echo "$out"
}

put_template() {
  local tmp
  tmp="$(render "$1")"
  put_file "$tmp" "$2" "$3"
  rm -f "$tmp"
}

remove_path() {
  local path
  path="$(r "$1")"
  if [[ -e "$path" || -L "$path" ]]; then
    note "remove $1"
    run rm -rf -- "$path"
    CHANGED=1
  fi
}

project_version() {
  sed -n 's/^version *= *"\([^"]*\)".*/\1/p' "$1/pyproject.toml" | head -n1
}

# 0 when version $1 sorts strictly before $2.
version_lt() {
  [[ "$1" != "$2" && "$(printf '%s\n%s\n' "$1" "$2" | sort -V | head -n1)" == "$1" ]]
}

# A hash of everything the venv is built from: a change means re-sync.
source_stamp() {
  (
    cd "$1"
    find pyproject.toml uv.lock README.md app resources -type f \
      ! -path '*/__pycache__/*' ! -name '*.pyc' -print0 | LC_ALL=C sort -z | xargs -0 sha256sum
    echo "uv=$UV_VERSION wheelhouse=${WHEELHOUSE:+yes}"
  ) | sha256sum | cut -d' ' -f1
}

systemctl_host() {
  if command -v systemctl >/dev/null && [[ -d /run/systemd/system ]]; then
    run systemctl "$@"
  else
    note "systemd is not running here: skipped systemctl $*"
  fi
}

step_preflight() {
  log "preflight"
  [[ -f "$SOURCE_DIR/pyproject.toml" && -f "$SOURCE_DIR/uv.lock" ]] ||
    die "$SOURCE_DIR is not a facekiosk source tree (pyproject.toml and uv.lock needed)"
  if ((HOST)) && ((!DRY_RUN)) && [[ "$(id -u)" != 0 ]]; then
    die "run as root (sudo), or use --prefix DIR / --dry-run"
  fi
  if [[ -n "$WHEELHOUSE" ]]; then
    [[ -f "$WHEELHOUSE/SHA256SUMS" && -f "$WHEELHOUSE/requirements.txt" ]] ||
      die "$WHEELHOUSE is not a wheelhouse from make_wheelhouse.sh (SHA256SUMS, requirements.txt)"
    (cd "$WHEELHOUSE" && sha256sum --quiet --strict -c SHA256SUMS) ||
      die "the wheelhouse does not match its SHA256SUMS: copy it again"
    note "wheelhouse $WHEELHOUSE verified"
  fi
  if ((HOST)) && [[ ! -f /etc/debian_version ]]; then
    die "this installer is for Debian/Ubuntu (no /etc/debian_version)"
  fi
  note "source $SOURCE_DIR (facekiosk $(project_version "$SOURCE_DIR")), root ${PREFIX:-/}, mode $MODE"
}

step_python() {
  ((SKIP_VENV)) && return 0
  command -v "$PYTHON" >/dev/null || die "$PYTHON not found (apt-get install python3 python3-venv)"
  "$PYTHON" - "$MIN_PYTHON" <<'PY' || die "facekiosk needs Python >= $MIN_PYTHON (found $("$PYTHON" -V 2>&1))"
import sys
need = tuple(int(p) for p in sys.argv[1].split("."))
sys.exit(0 if sys.version_info[:2] >= need else 1)
PY
}

step_apt() {
  log "Debian packages"
  if ((SKIP_APT)); then
    note "skipped (--skip-apt)"
    return 0
  fi
  host_only "apt-get install ${APT_PACKAGES[*]}" || return 0
  local missing=() pkg wanted=("${APT_PACKAGES[@]}")
  for pkg in "${wanted[@]}"; do
    dpkg-query -W -f='${Status}' "$pkg" 2>/dev/null | grep -q "install ok installed" || missing+=("$pkg")
  done
  if ((${#missing[@]} == 0)); then
    note "all ${#wanted[@]} present"
    return 0
  fi
  note "installing: ${missing[*]}"
  export DEBIAN_FRONTEND=noninteractive
  run apt-get install -y --no-install-recommends "${missing[@]}" ||
    die "apt-get install failed (run 'apt-get update' first, or install offline: see installers/README.md)"
}

step_user() {
  log "service user '$SERVICE_USER'"
  host_only "useradd $SERVICE_USER; usermod -aG video" || return 0
  if [[ "$MODE" == session ]] && ! getent passwd "$SERVICE_USER" >/dev/null; then
    die "--mode session: user '$SERVICE_USER' does not exist; create the desktop account that logs in automatically first"
  fi
  if ! getent passwd "$SERVICE_USER" >/dev/null; then
    note "create system user $SERVICE_USER"
    run useradd --system --user-group --home-dir "$DATA_DIR" --no-create-home \
      --shell /usr/sbin/nologin --comment "facekiosk kiosk" "$SERVICE_USER"
  fi
  local group
  for group in video render input; do
    getent group "$group" >/dev/null || continue
    if ! id -nG "$SERVICE_USER" 2>/dev/null | tr ' ' '\n' | grep -qx "$group"; then
      note "add $SERVICE_USER to group $group"
      run usermod -aG "$group" "$SERVICE_USER"
    fi
  done
}

step_guard_version() {
  log "version check"
  local new old
  new="$(project_version "$SOURCE_DIR")"
  old="$(cat "$(r "$APP_DIR/VERSION")" 2>/dev/null || true)"
  if [[ -z "$old" ]]; then
    note "fresh install of $new"
  elif [[ "$old" == "$new" ]]; then
    note "$new already installed"
  elif version_lt "$new" "$old"; then
    die "facekiosk $old is installed; refusing to downgrade to $new (its data dir may use a newer format). Restore the backup in $BACKUP_DIR taken before the upgrade to $old, or install $old or later."
  else
    note "upgrade $old -> $new"
    UPGRADED=1
    step_backup_data "$old"
  fi
}

# Copy the data dir aside before a newer app migrates it in place.
step_backup_data() {
  local old="$1" src dest stamp
  src="$(r "$DATA_DIR")"
  if [[ ! -d "$src" ]] || [[ -z "$(ls -A "$src" 2>/dev/null)" ]]; then
    note "data dir empty: no backup needed"
    return 0
  fi
  if ((HOST)) && systemctl is-active --quiet facekiosk.service 2>/dev/null; then
    WAS_ACTIVE=1
    systemctl_host stop facekiosk.service
  fi
  stamp="$(date -u +%Y%m%dT%H%M%SZ)"
  dest="$(r "$BACKUP_DIR")/data-$old-$stamp"
  note "backup $DATA_DIR -> $BACKUP_DIR/data-$old-$stamp"
  run install -d -m 0700 "$(r "$BACKUP_DIR")"
  run cp -a -- "$src" "$dest"
}

step_dirs() {
  log "directories"
  ensure_dir "$APP_DIR" 0755
  ensure_dir "$ETC_DIR" 0755
  ensure_dir "$DATA_DIR" 0700 "$SERVICE_USER"
}

step_app() {
  log "application in $APP_DIR"
  local stamp_file new_stamp version
  stamp_file="$(r "$APP_DIR/.source-stamp")"
  version="$(project_version "$SOURCE_DIR")"
  if ((SKIP_VENV)); then
    note "skipped (--skip-venv)"
  else
    new_stamp="$(source_stamp "$SOURCE_DIR")"
    if [[ -f "$stamp_file" && "$(cat "$stamp_file")" == "$new_stamp" && -x "$(r "$APP_DIR/venv/bin/facekiosk")" ]]; then
      note "venv up to date ($version)"
    else
      install_app "$new_stamp"
    fi
  fi
  local tmp
  tmp="$(mktemp)"
  echo "$version" >"$tmp"
  put_file "$tmp" "$APP_DIR/VERSION" 0644
  rm -f "$tmp"
}

install_app() {
  local stamp="$1" app src boot venv
  app="$(r "$APP_DIR")"
  src="$app/src"
  boot="$app/bootstrap"
  venv="$app/venv"
  note "copy source tree -> $APP_DIR/src"
  run rm -rf -- "$src.new"
  run install -d -m 0755 "$src.new"
  if ((DRY_RUN)); then
    echo "    [dry-run] tar -C $SOURCE_DIR -c pyproject.toml uv.lock README.md app resources | tar -C $src.new -x"
  else
    tar -C "$SOURCE_DIR" --exclude=__pycache__ --exclude='*.pyc' \
      -c pyproject.toml uv.lock README.md app resources | tar -C "$src.new" -x
  fi
  run rm -rf -- "$src"
  run mv -- "$src.new" "$src"

  # Trust the system CA store (a site's TLS-inspecting proxy CA lives there), not
  # only the certificates bundled with pip and uv.
  if [[ -f /etc/ssl/certs/ca-certificates.crt ]]; then
    export PIP_CERT="${PIP_CERT:-/etc/ssl/certs/ca-certificates.crt}"
  fi
  export UV_NATIVE_TLS=1
  if [[ ! -x "$boot/bin/uv" ]] || [[ "$("$boot/bin/uv" --version 2>/dev/null)" != "uv $UV_VERSION"* ]]; then
    note "bootstrap uv $UV_VERSION"
    run "$PYTHON" -m venv --clear "$boot"
    if [[ -n "$WHEELHOUSE" ]]; then
      run "$boot/bin/pip" install --quiet --no-index --find-links "$WHEELHOUSE" "uv==$UV_VERSION"
    else
      run "$boot/bin/pip" install --quiet --disable-pip-version-check "uv==$UV_VERSION"
    fi
  fi

  note "virtual environment $APP_DIR/venv from uv.lock"
  export UV_PROJECT_ENVIRONMENT="$venv" UV_PYTHON_DOWNLOADS=never UV_NO_PROGRESS=1
  if [[ -n "$WHEELHOUSE" ]]; then
    # Offline: the requirements (with hashes) were exported from uv.lock.
    run "$boot/bin/uv" venv --quiet --allow-existing --python "$PYTHON" "$venv"
    run "$boot/bin/uv" pip sync --quiet --python "$venv/bin/python" --offline --no-index \
      --find-links "$WHEELHOUSE" --require-hashes "$WHEELHOUSE/requirements.txt"
    run "$boot/bin/uv" pip install --quiet --python "$venv/bin/python" --offline --no-index \
      --no-deps --reinstall "$WHEELHOUSE"/facekiosk-*.whl
  else
    # uv keys its build cache on pyproject.toml only: rebuild our own package always.
    run "$boot/bin/uv" sync --quiet --project "$src" --frozen --no-dev --no-editable \
      --reinstall-package facekiosk \
      --python "$PYTHON"
  fi
  if ((!DRY_RUN)); then
    "$venv/bin/facekiosk" --version >/dev/null || die "the new venv does not start: $venv/bin/facekiosk --version failed"
    echo "$stamp" >"$app/.source-stamp"
  fi
  CHANGED=1
  APP_CHANGED=1
}

step_files() {
  log "configuration, units, launcher, desktop entry"
  local pkg="$SOURCE_DIR/packaging"
  # The env file is the site's to edit: written once, never overwritten.
  if [[ -f "$(r "$ETC_DIR/facekiosk.env")" ]]; then
    note "keep $ETC_DIR/facekiosk.env (site-edited)"
  else
    put_template "$pkg/systemd/facekiosk.env" "$ETC_DIR/facekiosk.env" 0644
  fi
  local launcher
  launcher="$(mktemp)"
  cat >"$launcher" <<EOF
#!/bin/sh
# facekiosk launcher (written by install.sh): the service's data dir, and never
# as root, so that files in the data dir stay owned by $SERVICE_USER.
FACEKIOSK_HOME="\${FACEKIOSK_HOME:-$DATA_DIR}"
export FACEKIOSK_HOME
if [ "\$(id -u)" = 0 ]; then
  exec runuser -u $SERVICE_USER -- env FACEKIOSK_HOME="\$FACEKIOSK_HOME" $APP_DIR/venv/bin/facekiosk "\$@"
fi
exec $APP_DIR/venv/bin/facekiosk "\$@"
EOF
  put_file "$launcher" "$BIN_LINK" 0755
  rm -f "$launcher"
  put_file "$SCRIPT_DIR/first_start.py" "$APP_DIR/first_start.py" 0644
  put_file "$pkg/linux/facekiosk.desktop" "$DESKTOP_FILE" 0644
  put_file "$pkg/linux/facekiosk.svg" "$ICON_SVG" 0644
  put_file "$pkg/linux/facekiosk-256.png" "$ICON_PNG" 0644
  if [[ "$MODE" == boot ]]; then
    put_template "$pkg/systemd/facekiosk.service" "$UNIT_FILE" 0644
    put_file "$pkg/systemd/facekiosk.pam" "$PAM_FILE" 0644
    remove_path "$USER_UNIT_FILE"
  else
    put_template "$pkg/systemd/facekiosk-session.service" "$USER_UNIT_FILE" 0644
    remove_path "$UNIT_FILE"
    remove_path "$PAM_FILE"
  fi
}

# First start as the service user: default settings.toml, the vault and its device
# key (0600); after an upgrade this is where the vault migrates (backup taken above).
step_init_data() {
  log "data dir $DATA_DIR"
  if ((SKIP_VENV)); then
    note "skipped (--skip-venv)"
    return 0
  fi
  local data
  data="$(r "$DATA_DIR")"
  if ((!APP_CHANGED && !UPGRADED)) && [[ -f "$data/settings.toml" && -f "$data/vault.keys" ]]; then
    note "already initialised"
    return 0
  fi
  local -a as_user=()
  if ((HOST)); then
    as_user=(runuser -u "$SERVICE_USER" --)
  fi
  note "first start: settings, vault, device key"
  run "${as_user[@]}" "$(r "$APP_DIR/venv/bin/python")" "$(r "$APP_DIR/first_start.py")" "$data" ||
    die "first start failed in $DATA_DIR (the message above says why; the backup is in $BACKUP_DIR)"
}

step_systemd() {
  log "systemd"
  host_only "systemctl daemon-reload / enable" || return 0
  if command -v systemd-analyze >/dev/null; then
    local unit="$UNIT_FILE"
    [[ "$MODE" == boot ]] || unit="$USER_UNIT_FILE"
    run systemd-analyze verify "$unit" || die "systemd-analyze verify $unit failed"
  fi
  ((CHANGED)) && systemctl_host daemon-reload
  ((NO_ENABLE)) && {
    note "not enabled (--no-enable)"
    return 0
  }
  if [[ "$MODE" == boot ]]; then
    systemctl_host enable facekiosk.service
    if ((START || WAS_ACTIVE)); then
      systemctl_host restart facekiosk.service
    fi
  else
    systemctl_host --global enable facekiosk-session.service
    note "configure automatic login of '$SERVICE_USER' in the display manager"
  fi
  return 0
}

do_install() {
  step_preflight
  step_apt
  step_python
  step_user
  step_guard_version
  step_dirs
  step_app
  step_files
  step_init_data
  step_systemd
  log "done: facekiosk $(project_version "$SOURCE_DIR") in ${PREFIX}$APP_DIR, data in ${PREFIX}$DATA_DIR"
}

do_uninstall() {
  log "uninstall"
  if ((HOST)) && ((!DRY_RUN)) && [[ "$(id -u)" != 0 ]]; then
    die "run as root (sudo), or use --prefix DIR / --dry-run"
  fi
  if ((HOST)); then
    systemctl_host disable --now facekiosk.service 2>/dev/null || true
    systemctl_host --global disable facekiosk-session.service 2>/dev/null || true
  fi
  local path
  for path in "$UNIT_FILE" "$USER_UNIT_FILE" "$PAM_FILE" "$BIN_LINK" "$DESKTOP_FILE" \
    "$ICON_SVG" "$ICON_PNG" "$APP_DIR" "$ETC_DIR"; do
    remove_path "$path"
  done
  if ((HOST)) && ((CHANGED)); then
    systemctl_host daemon-reload
  fi
  if ((PURGE_DATA)); then
    log "purge data"
    local data
    data="$(r "$DATA_DIR")"
    if [[ -d "$data" ]]; then
      # Without the key the encrypted vault is unreadable, even on a disk image.
      while IFS= read -r -d '' key; do
        note "shred ${key#"$PREFIX"}"
        run shred -u -- "$key"
      done < <(find "$data" -type f -name 'vault.kek*'  -print0)
    fi
    remove_path "$DATA_DIR"
    remove_path "$BACKUP_DIR"
    if ((HOST)) && getent passwd "$SERVICE_USER" >/dev/null; then
      note "delete user $SERVICE_USER"
      run userdel "$SERVICE_USER"
    fi
  elif [[ -d "$(r "$DATA_DIR")" ]]; then
    note "kept the data dir ${PREFIX}$DATA_DIR (encrypted vault, settings, logs);"
    note "erase it with: install.sh --uninstall --purge-data"
  fi
  log "done"
}

if [[ "$ACTION" == install ]]; then
  do_install
else
  do_uninstall
fi
