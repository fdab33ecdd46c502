"""Prepare (or upgrade) a facekiosk data dir the way the service will find it.

Run by install.sh with the installed venv's Python, as the service user:

    /opt/facekiosk/venv/bin/python first_start.py /var/lib/facekiosk

- settings.toml: written with defaults when absent; an existing one is validated
  (a file newer than this app is refused: no silent downgrade);
- the vault: opened once, which creates the device key file (0600) on a fresh
  install and migrates an older vault schema in place (after install.sh's backup);
  a vault newer than this app is refused. Passphrase-mode vaults are left alone:
  opening them needs the admin.

Prints one JSON object (no secrets); exit 1 with a one-line reason on failure.
"""

from __future__ import annotations

import json
import stat
import sys
from pathlib import Path


def first_start(data_dir: Path) -> dict[str, object]:
    from facekiosk.paths import ensure_data_dir
    from facekiosk.settings import SETTINGS_FILE, load_settings, save_settings
    from facekiosk.vault import Vault
    from facekiosk.vault.crypto import DEVICE_KEY_FILE, ENVELOPE_FILE, Envelope

    ensure_data_dir(data_dir)
    settings = load_settings(data_dir)  # raises on a newer or broken file
    wrote_settings = False
    if not (data_dir / SETTINGS_FILE).exists():
        save_settings(data_dir, settings)
        wrote_settings = True

    envelope = data_dir / ENVELOPE_FILE
    mode = (
        Envelope.from_bytes(envelope.read_bytes()).mode
        if envelope.exists()
        else settings.vault.key_mode
    )
    vault_state = "skipped: passphrase mode (the admin opens it)"
    if mode == "device":
        existed = envelope.exists()
        Vault.open(data_dir, create=True, compact_every=settings.vault.compact_every).close()
        vault_state = "opened" if existed else "created"
    key = data_dir / DEVICE_KEY_FILE
    key_mode = oct(stat.S_IMODE(key.stat().st_mode)) if key.exists() else None
    return {
        "data_dir": str(data_dir),
        "settings_written": wrote_settings,
        "settings_schema": settings.meta.schema,
        "vault": vault_state,
        "device_key_mode": key_mode,
    }


def main(argv: list[str]) -> int:
    if len(argv) != 2:
        print("usage: first_start.py DATA_DIR", file=sys.stderr)
        return 2
    try:
        result = first_start(Path(argv[1]))
    except Exception as exc:  # one clear line for the installer's log
        print(f"first start failed: {type(exc).__name__}: {exc}", file=sys.stderr)
        return 1
    print(json.dumps(result))
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
