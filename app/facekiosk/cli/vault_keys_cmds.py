"""`facekiosk admin key export|rotate`, `admin backup`, `admin restore`: the commands that
move the vault's keys and archives (split from vault_cmds.py to keep each file one idea)."""

from __future__ import annotations

import argparse
import sys

from facekiosk.cli.context import CliContext, CliError
from facekiosk.cli.inputs import check_out, read_passphrase
from facekiosk.cli.vault_cmds import NEW_PASSPHRASE_ENV, PASSPHRASE_ENV, open_vault


def run_key_export(args: argparse.Namespace, ctx: CliContext) -> int:
    recovery = None
    if args.recovery_passphrase:
        recovery = read_passphrase(
            NEW_PASSPHRASE_ENV, "recovery passphrase: ", confirm=True, new=True
        )
    with open_vault(ctx, create=False) as vault:
        device = recovery is None and vault.keys.envelope.mode == "device"
        data = vault.export_key(recovery, device_key=device)  # alone, it restores backups
    if args.out:
        from facekiosk.fsutil import atomic_write

        check_out(args.out)
        atomic_write(args.out, data)
        print(f"wrapped key written to {args.out}", file=sys.stderr)
    else:
        sys.stdout.write(data.decode())
    if device:
        print(
            "this export holds the device key: with it alone, anyone can open the vault and "
            "its backups; keep it in the site's safe (or export with --recovery-passphrase)",
            file=sys.stderr,
        )
    return 0


def run_key_rotate(args: argparse.Namespace, ctx: CliContext) -> int:
    new = None
    if args.passphrase:
        new = read_passphrase(NEW_PASSPHRASE_ENV, "new vault passphrase: ", confirm=True, new=True)
    if args.forget_old_backups and not args.reencrypt:
        raise CliError("--forget-old-backups only goes with --reencrypt")
    keep = not args.forget_old_backups
    with open_vault(ctx, create=False) as vault:
        vault.rotate_key(passphrase=new, reencrypt=args.reencrypt, keep_for_backups=keep)
    print("key rotated" + (" and data re-encrypted" if args.reencrypt else ""))
    if keep:
        print(
            "warning: backups made before now are locked by the old key file or passphrase: "
            "restore them with --key-from THIS_DATA_DIR, or with a key export made now "
            "(admin key export; the old data keys are kept, sealed under the new key)",
            file=sys.stderr,
        )
    else:
        print("warning: backups made before now can no longer be restored", file=sys.stderr)
    return 0


def run_backup(args: argparse.Namespace, ctx: CliContext) -> int:
    from facekiosk.vault.backup import ledger_copy_path

    if not args.out.is_dir():
        check_out(args.out)
    with open_vault(ctx, create=False) as vault:
        path = vault.backup(args.out)
    print(path)
    print(
        f"keep {ledger_copy_path(path).name} (the purge ledger) with the newest backup: "
        "restoring an older backup needs it so purged people stay purged",
        file=sys.stderr,
    )
    return 0


def run_restore(args: argparse.Namespace, ctx: CliContext) -> int:
    from facekiosk.vault import Vault, VaultError
    from facekiosk.vault.restore import RestoreKeys, needs_passphrase

    keys = RestoreKeys(key_files=args.key_file, key_from=args.key_from)
    try:
        if needs_passphrase(args.archive, keys):
            keys.passphrase = read_passphrase(PASSPHRASE_ENV, "passphrase (vault or recovery): ")
        result = Vault.restore(
            args.archive, ctx.data_dir, keys, ledgers=args.ledger,
            accept_resurrection=args.accept_resurrection,
        )  # fmt: skip
    except VaultError as exc:
        raise CliError(str(exc)) from exc
    print(f"restored vault {result.vault_id} into {ctx.data_dir}")
    if result.ledgers:
        print(f"purged again {len(result.reapply)} Index ID(s) the purge ledger lists")
    else:
        print(
            "warning: restored without a purge ledger: people purged after this backup "
            "are back (recorded in the audit log)",
            file=sys.stderr,
        )
    return 0
