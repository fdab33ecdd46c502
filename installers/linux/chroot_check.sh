#!/usr/bin/env bash
# End-to-end check of install.sh on a real Debian root: a debootstrap chroot.
#
#   sudo installers/linux/chroot_check.sh /var/tmp/fk-chroot     (~10-20 min, needs the
#                                                                 Debian mirror and PyPI)
#
# Runs the installer as root inside the chroot with nothing pre-installed but a
# minimal Debian: real apt packages, the real `facekiosk` user, chown, runuser
# and first start as that user. Only systemctl is skipped (no systemd running in
# a chroot). Then checks ownership and modes, the launcher dropping root, that a
# second run changes nothing, and uninstall / --purge-data. Prints JSON timings.
set -euo pipefail

ROOT="${1:?usage: chroot_check.sh CHROOT_DIR [SUITE]}"
SUITE="${2:-bookworm}"
MIRROR="${MIRROR:-http://deb.debian.org/debian}"
REPO="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
[[ "$(id -u)" == 0 ]] || { echo "run as root" >&2; exit 1; }
command -v debootstrap >/dev/null || { echo "apt-get install debootstrap" >&2; exit 1; }

now() { date +%s; }
in_root() { chroot "$ROOT" /usr/bin/env -i PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin HOME=/root LANG=C.UTF-8 "$@"; }
fail() { echo "chroot_check: FAIL: $*" >&2; exit 1; }

t0="$(now)"
if [[ ! -f "$ROOT/etc/debian_version" ]]; then
  debootstrap --variant=minbase "$SUITE" "$ROOT" "$MIRROR" >/dev/null
fi
t1="$(now)"

mounts=()
cleanup() {
  local m
  for ((i = ${#mounts[@]} - 1; i >= 0; i--)); do umount -l "${mounts[$i]}" 2>/dev/null || true; done
}
trap cleanup EXIT
for m in proc sys dev dev/pts; do
  mountpoint -q "$ROOT/$m" || { mount --bind "/$m" "$ROOT/$m"; mounts+=("$ROOT/$m"); }
done
cp /etc/resolv.conf "$ROOT/etc/resolv.conf"

rm -rf "$ROOT/root/facekiosk" && mkdir -p "$ROOT/root/facekiosk"
tar -C "$REPO" --exclude=__pycache__ -c pyproject.toml uv.lock README.md app resources packaging installers |
  tar -C "$ROOT/root/facekiosk" -x

# A previous run's install: start from scratch (its uv cache stays warm).
if [[ -e "$ROOT/opt/facekiosk" || -e "$ROOT/var/lib/facekiosk" ]]; then
  in_root bash /root/facekiosk/installers/linux/install.sh --uninstall --purge-data >/dev/null
fi
in_root apt-get update -qq
# This machine may reach the registries through a TLS-inspecting proxy: give the
# chroot the CAs this host trusts beyond Debian's (as a site admin would install
# theirs), so that update-ca-certificates keeps them.
in_root apt-get install -y -qq --no-install-recommends ca-certificates >/dev/null
python3 - /etc/ssl/certs/ca-certificates.crt "$ROOT/usr/share/ca-certificates/mozilla" \
  "$ROOT/usr/local/share/ca-certificates/host-extra.crt" <<'PY'
import pathlib, re, sys
pem = re.compile(r"-----BEGIN CERTIFICATE-----.+?-----END CERTIFICATE-----", re.S)
host = pem.findall(open(sys.argv[1]).read())
debian = {c for f in pathlib.Path(sys.argv[2]).glob("*.crt") for c in pem.findall(f.read_text())}
extra = [c for c in host if c not in debian]
open(sys.argv[3], "w").write("\n".join(extra) + ("\n" if extra else ""))
PY
in_root update-ca-certificates >/dev/null
t2="$(now)"
in_root bash /root/facekiosk/installers/linux/install.sh >"$ROOT/root/install-1.log" 2>&1 ||
  { tail -30 "$ROOT/root/install-1.log" >&2; fail "first install"; }
t3="$(now)"

# Ownership, modes, the user and the launcher.
in_root id -nG facekiosk | grep -qw video || fail "facekiosk user not in group video"
[[ "$(in_root stat -c '%U %a' /var/lib/facekiosk)" == "facekiosk 700" ]] || fail "data dir owner/mode"
[[ "$(in_root stat -c '%U %a' /var/lib/facekiosk/vault.kek)" == "facekiosk 600" ]] || fail "device key owner/mode"
in_root /usr/local/bin/facekiosk --version | grep -q '^facekiosk ' || fail "launcher --version"
in_root /usr/local/bin/facekiosk admin list --json | grep -q '"total": 0' || fail "admin list as facekiosk"
# Files the launcher created as root must still belong to facekiosk.
[[ -z "$(in_root find /var/lib/facekiosk ! -user facekiosk -print -quit)" ]] || fail "root-owned file in the data dir"

# Second run: nothing changes.
touch "$ROOT/root/.before-second-run"
sleep 1
in_root bash /root/facekiosk/installers/linux/install.sh >"$ROOT/root/install-2.log" 2>&1 || fail "second install"
t4="$(now)"
changed="$(find "$ROOT/opt/facekiosk" "$ROOT/etc/facekiosk" "$ROOT/var/lib/facekiosk" \
  "$ROOT/etc/systemd/system/facekiosk.service" "$ROOT/usr/local/bin/facekiosk" \
  -newer "$ROOT/root/.before-second-run" -print | head -5)"
[[ -z "$changed" ]] || fail "second run changed: $changed"

# Uninstall keeps data; purge erases it and the user.
in_root bash /root/facekiosk/installers/linux/install.sh --uninstall >/dev/null
[[ -d "$ROOT/var/lib/facekiosk" && ! -e "$ROOT/opt/facekiosk" ]] || fail "uninstall"
in_root bash /root/facekiosk/installers/linux/install.sh --uninstall --purge-data >/dev/null
[[ ! -e "$ROOT/var/lib/facekiosk" ]] || fail "purge left the data dir"
! in_root getent passwd facekiosk >/dev/null || fail "purge left the user"
t5="$(now)"

cat <<JSON
{
  "suite": "$SUITE",
  "debootstrap_s": $((t1 - t0)),
  "install_s": $((t3 - t2)),
  "second_run_s": $((t4 - t3)),
  "checks_and_uninstall_s": $((t5 - t4)),
  "apt_packages_installed": $(grep -c '^Setting up' "$ROOT/root/install-1.log" || true)
}
JSON
echo "chroot_check: OK" >&2
