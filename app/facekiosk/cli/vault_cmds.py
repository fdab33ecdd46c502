"""`facekiosk enroll | identify | admin …`: the vault from the command line.

The admin passphrase (passphrase-mode vaults) comes from $FACEKIOSK_VAULT_PASSPHRASE
or an interactive prompt; it is never a command-line argument (shell history, ps).
"""

from __future__ import annotations

import argparse
import sqlite3
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from facekiosk.cli.context import CliContext, CliError, print_json
from facekiosk.cli.inputs import (
    MAX_K,
    MAX_ROWS,
    check_out,
    int_in,
    label_text,
    printable,
    read_passphrase,
)

PASSPHRASE_ENV = "FACEKIOSK_VAULT_PASSPHRASE"
NEW_PASSPHRASE_ENV = "FACEKIOSK_VAULT_NEW_PASSPHRASE"

def register(sub: argparse._SubParsersAction) -> None:
    from facekiosk.cli import vault_keys_cmds as keys_cmds

    p = sub.add_parser("enroll", help="enrol one person from photos; prints the new Index ID")
    p.add_argument("--image", nargs="+", required=True, metavar="PATH", help="photos of ONE person")
    p.add_argument(
        "--label", type=label_text, help="optional label (stored encrypted, <= 256 characters)"
    )
    p.add_argument("--consent-version", help="consent text version the person accepted")
    p.add_argument(
        "--allow-duplicate", action="store_true", help="enrol even if the face is already enrolled"
    )
    p.add_argument("--json", action="store_true")
    p.set_defaults(func=run_enroll)

    p = sub.add_parser("identify", help="1:N search of the face in a photo")
    p.add_argument("--image", required=True, metavar="PATH")
    p.add_argument(
        "-k", type=int_in(1, MAX_K), default=5, help="number of candidates (default 5)"
    )
    p.add_argument("--json", action="store_true")
    p.set_defaults(func=run_identify)

    admin = sub.add_parser("admin", help="vault administration: list, delete, audit, keys, backup")
    asub = admin.add_subparsers(dest="admin_command", metavar="ACTION", required=True)

    p = asub.add_parser("list", help="enrolled Index IDs")
    p.add_argument("--search", help="Index ID or label substring")
    p.add_argument("--order-by", default="created", help="created|last_seen|label|… ('-' = desc)")
    p.add_argument("--offset", type=int_in(0, MAX_ROWS), default=0)
    p.add_argument("--limit", type=int_in(0, MAX_ROWS))
    p.add_argument("--json", action="store_true")
    p.set_defaults(func=run_list)

    p = asub.add_parser("delete", help="purge Index IDs for good (template, metadata, PIN)")
    p.add_argument("index_ids", nargs="+", metavar="INDEX_ID")
    p.add_argument("--reason", default="", help="recorded in the audit log")
    p.add_argument("--json", action="store_true")
    p.set_defaults(func=run_delete)

    p = asub.add_parser("audit", help="show the audit log; --verify checks its hash chain")
    p.add_argument("--verify", action="store_true")
    p.add_argument(
        "--checkpoint",
        action="store_true",
        help="print a token naming the newest entry, to keep off the device (rollback check)",
    )
    p.add_argument(
        "--against",
        metavar="TOKEN",
        help="with --verify: the log must still contain this earlier checkpoint",
    )
    p.add_argument("--since-seq", type=int_in(0, MAX_ROWS), default=0)
    p.add_argument("--json", action="store_true")
    p.set_defaults(func=run_audit)

    p = asub.add_parser(
        "check", help="read every encrypted record without opening the vault; name the damage"
    )
    p.add_argument("--json", action="store_true")
    p.set_defaults(func=run_check)

    p = asub.add_parser("events", help="attendance/access events")
    p.add_argument("--csv", action="store_true", help="CSV on stdout (or --out)")
    p.add_argument("--out", type=Path, help="write to this file instead of stdout")
    p.add_argument("--kind")
    p.add_argument("--since", help="ISO date/time (UTC if no zone)")
    p.add_argument("--until", help="ISO date/time, exclusive")
    p.add_argument("--json", action="store_true")
    p.set_defaults(func=run_events)

    key = asub.add_parser("key", help="export or rotate the vault key")
    ksub = key.add_subparsers(dest="key_command", metavar="ACTION", required=True)
    p = ksub.add_parser("export", help="write the wrapped data key (for the site's safe)")
    p.add_argument("--out", type=Path, help="file to write (default: stdout)")
    p.add_argument(
        "--recovery-passphrase",
        action="store_true",
        help=f"wrap under a recovery passphrase (from ${NEW_PASSPHRASE_ENV} or a prompt)",
    )
    p.set_defaults(func=keys_cmds.run_key_export)
    p = ksub.add_parser("rotate", help="new key-encryption key (device file or passphrase)")
    p.add_argument(
        "--passphrase",
        action="store_true",
        help=f"lock with a new admin passphrase (${NEW_PASSPHRASE_ENV} or a prompt); "
        "default: a new device key file",
    )
    p.add_argument(
        "--reencrypt", action="store_true", help="also new data key; re-encrypt everything"
    )
    p.add_argument(
        "--forget-old-backups",
        action="store_true",
        help="with --reencrypt: drop the old data key too (old ciphertext in free disk blocks "
        "becomes unreadable, and so does every backup made before this rotation)",
    )
    p.set_defaults(func=keys_cmds.run_key_rotate)

    p = asub.add_parser("backup", help="one encrypted archive of the vault")
    p.add_argument("--out", type=Path, required=True, help="file or folder")
    p.set_defaults(func=keys_cmds.run_backup)

    from facekiosk.cli.upgrade_cmd import register_admin

    register_admin(asub)  # upgrade-templates

    p = asub.add_parser("restore", help="restore an archive into an EMPTY data dir")
    p.add_argument("archive", type=Path)
    p.add_argument(
        "--key-file",
        type=Path,
        action="append",
        default=[],
        help="device key file, key export or recovery envelope of this vault (repeatable)",
    )
    p.add_argument(
        "--key-from",
        type=Path,
        metavar="DATA_DIR",
        help="the current data dir of this vault: its keys and its purge ledger",
    )
    p.add_argument(
        "--ledger",
        type=Path,
        action="append",
        default=[],
        help="newest purge ledger (vault.purges, or the .purges file beside the newest backup)",
    )
    p.add_argument(
        "--accept-resurrection",
        action="store_true",
        help="restore without a purge ledger: people purged after the backup come back",
    )
    p.set_defaults(func=keys_cmds.run_restore)


# --- helpers ----------------------------------------------------------------------------------


@contextmanager
def open_vault(ctx: CliContext, *, create: bool = True) -> Iterator[Any]:
    from facekiosk.vault import Vault, VaultError
    from facekiosk.vault.crypto import ENVELOPE_FILE, Envelope
    from facekiosk.vault.space_index import SearchParams

    data_dir = ctx.prepare() if create else ctx.data_dir
    envelope_path = data_dir / ENVELOPE_FILE
    passphrase = None
    try:
        if envelope_path.exists():
            mode = Envelope.from_bytes(envelope_path.read_bytes()).mode
        else:
            mode = ctx.settings.vault.key_mode
        if mode == "passphrase":
            creating = create and not envelope_path.exists()
            passphrase = read_passphrase(PASSPHRASE_ENV, "vault passphrase: ", new=creating)
        vault = Vault.open(
            data_dir,
            passphrase=passphrase,
            create=create,
            compact_every=ctx.settings.vault.compact_every,
            search=SearchParams.from_settings(ctx.settings.vault),
        )
    except VaultError as exc:
        raise CliError(str(exc)) from exc
    except sqlite3.DatabaseError as exc:
        raise CliError(
            f"the vault database in {data_dir} is damaged ({exc}): run `facekiosk admin "
            "check`, then restore the newest backup into an empty data dir"
        ) from exc
    try:
        yield vault
    except VaultError as exc:
        raise CliError(str(exc)) from exc
    finally:
        vault.close()


def _engine(ctx: CliContext) -> Any:
    from facekiosk.engine.registry import create_engine
    from facekiosk.engine.types import EngineError

    try:
        return create_engine(ctx.settings.engine, ctx.data_dir)
    except EngineError as exc:
        raise CliError(f"engine: {exc}") from exc


def _faces(engine: Any, path: str) -> list[Any]:
    from facekiosk.engine.types import ImageError, read_image

    try:
        return engine.analyze(read_image(path))
    except ImageError as exc:
        raise CliError(str(exc)) from exc


def _threshold(ctx: CliContext, engine: Any) -> float:
    from facekiosk.kiosk.match_policy import resolve_threshold

    return resolve_threshold(ctx.settings, engine)


# --- enroll / identify ---------------------------------------------------------------------------


def run_enroll(args: argparse.Namespace, ctx: CliContext) -> int:
    engine = _engine(ctx)
    embeddings, found = [], []
    for path in args.image:
        faces = _faces(engine, path)
        if len(faces) != 1:
            what = "no face" if not faces else f"{len(faces)} faces"
            raise CliError(f"{path}: {what} found; each photo must show exactly one person")
        embeddings.append(faces[0].embedding)
        found.append(faces[0])
    from facekiosk.cli.enroll_checks import disagreeing_photo
    from facekiosk.engine.types import Embedding
    from facekiosk.kiosk.space_search import find_duplicate, legacy_vectors
    from facekiosk.vault import make_template

    threshold = _threshold(ctx, engine)
    odd = disagreeing_photo([printable(p) for p in args.image], embeddings, threshold)
    if odd is not None:
        raise CliError(odd.message())
    space, template = make_template(embeddings)
    probe = Embedding(template, embeddings[0].engine, embeddings[0].model)
    with open_vault(ctx) as vault:
        held = vault.spaces()
        legacy = [v for face in found for v in legacy_vectors(face, held)]
        if space in held or legacy:  # also a person enrolled with the previous engine
            dup = find_duplicate(vault, probe, legacy, threshold)
            if dup is not None and not args.allow_duplicate:
                raise CliError(
                    f"this face is already enrolled as {dup.index_id} "
                    f"(similarity {dup.similarity:.3f}); use --allow-duplicate to override"
                )
        index_id = vault.enroll(
            embeddings, label=args.label, consent_version=args.consent_version, actor="cli"
        )
    if args.json:
        print_json({"index_id": index_id})
    else:
        print(index_id)
    return 0


def run_identify(args: argparse.Namespace, ctx: CliContext) -> int:
    engine = _engine(ctx)
    faces = _faces(engine, args.image)
    if len(faces) > 1:
        # Refused, as enrolment refuses it: searching the largest face would answer for
        # whoever stood closest, and a match for a bystander reads like a match for the
        # person meant. The admin can crop the photo to the face they mean.
        raise CliError(
            f"{printable(args.image)}: {len(faces)} faces found; identify needs a photo of "
            "exactly one person (crop it to the face you mean)"
        )
    if not faces:
        result: dict[str, Any] = {"matches": [], "decision": "no_face"}
    else:
        from facekiosk.kiosk.space_search import search_face

        # Every space the vault holds (templates of the previous engine too), as the kiosk.
        with open_vault(ctx, create=False) as vault:
            decision, spaces = search_face(
                vault, faces[0], _threshold(ctx, engine), ctx.settings.engine.margin, k=args.k
            )
        result = {
            "matches": [
                {"index_id": m.index_id, "similarity": round(m.similarity, 6), "space": r.space}
                for r in spaces
                for m in r.matches
            ],
            "decision": decision.outcome,
        }
    if args.json:
        print_json(result)
    else:
        print(result["decision"])
        for m in result["matches"]:
            print(f"  {m['index_id']}  {m['similarity']:.4f}")
    return 0


# --- admin -------------------------------------------------------------------------------------


def _record_json(r: Any) -> dict[str, Any]:
    return {
        "index_id": r.index_id,
        "created": r.created.isoformat(),
        "engine": r.engine,
        "model": r.model,
        "consent_version": r.consent_version,
        "status": r.status,
        "valid_until": r.valid_until.isoformat() if r.valid_until else None,
        "last_seen": r.last_seen.isoformat() if r.last_seen else None,
        "label": r.label,
        "has_pin": r.has_pin,
        "has_payload": r.has_payload,
        "images": r.n_images,
    }


def run_list(args: argparse.Namespace, ctx: CliContext) -> int:
    with open_vault(ctx, create=False) as vault:
        try:
            records = vault.list_ids(args.offset, args.limit, args.search, args.order_by)
        except ValueError as exc:
            raise CliError(str(exc)) from exc
        total = vault.count(args.search)
    if args.json:
        print_json({"total": total, "identities": [_record_json(r) for r in records]})
        return 0
    for r in records:
        seen = r.last_seen.isoformat(timespec="seconds") if r.last_seen else "-"
        print(
            f"{r.index_id}  {r.created.isoformat(timespec='seconds')}  {seen}  {r.status}  "
            f"{printable(r.label or '')}"
        )
    print(f"{len(records)} of {total} Index ID(s)")
    return 0


def run_delete(args: argparse.Namespace, ctx: CliContext) -> int:
    from facekiosk.kiosk.receipt import purge_codes, purge_receipt_text
    from facekiosk.kiosk.restrictions import AccessPolicyError, forget_in_policy

    with open_vault(ctx, create=False) as vault:
        receipt = vault.delete(args.index_ids, reason=args.reason, actor="cli")
    # The purged Index IDs must not stay named in access.toml (groups, opt-out list).
    policy_error = None
    try:
        access_removed = forget_in_policy(ctx.data_dir, receipt.index_ids)
    except (AccessPolicyError, OSError) as exc:
        access_removed, policy_error = 0, str(exc)
    codes = purge_codes(receipt)
    if args.json:
        print_json(
            {
                "purged": receipt.index_ids,
                "receipt_codes": codes,
                "purged_at": receipt.purged_at.isoformat(),
                "vectors_removed": receipt.vectors_removed,
                "metadata_rows_removed": receipt.metadata_rows_removed,
                "events_anonymised": receipt.events_anonymised,
                "audit_seq": receipt.audit_seq,
                "access_entries_removed": access_removed,
            }
        )
    else:
        # The admin panel's receipt, then each Index ID with the code a person can quote.
        print(purge_receipt_text(receipt))  # a policy error follows on stderr, with advice
        for index_id, code in codes.items():
            print(f"  {index_id}  receipt code {code}")
        if access_removed:
            print(f"access.toml entries removed: {access_removed}")
    if policy_error is not None:
        raise CliError(
            f"purged, but access.toml still names them (fix it, then delete them there "
            f"with `facekiosk access remove/optout --undo`): {policy_error}"
        )
    return 0


def run_check(args: argparse.Namespace, ctx: CliContext) -> int:
    from facekiosk.vault import VaultError
    from facekiosk.vault.check import check_vault
    from facekiosk.vault.crypto import ENVELOPE_FILE, Envelope

    envelope_path = ctx.data_dir / ENVELOPE_FILE
    if not envelope_path.exists():
        raise CliError(f"no vault in {ctx.data_dir}")
    passphrase = None
    try:
        if Envelope.from_bytes(envelope_path.read_bytes()).mode == "passphrase":
            passphrase = read_passphrase(PASSPHRASE_ENV, "vault passphrase: ")
        report = check_vault(ctx.data_dir, passphrase)
    except VaultError as exc:
        raise CliError(str(exc)) from exc
    if args.json:
        print_json(
            {
                "ok": report.ok,
                "files": {
                    name: {
                        "readable": f.readable,
                        "damaged": [{"offset": o, "detail": d} for o, d in f.damaged],
                    }
                    for name, f in sorted(report.files.items())
                },
                "audit": {"ok": report.audit.ok, "reason": report.audit.reason},
            }
        )
    else:
        for name, f in sorted(report.files.items()):
            state = "OK" if not f.damaged else f"{len(f.damaged)} DAMAGED"
            print(f"{name}: {f.readable} readable, {state}")
            for offset, detail in f.damaged:
                print(f"  offset {offset}: {detail}")
        audit = report.audit
        print(f"audit chain: {'OK' if audit.ok else 'BROKEN: ' + audit.reason}")
        if not report.ok:
            print(
                "the kiosk will not open a damaged vault: restore the newest backup into an "
                "empty data dir (facekiosk --data-dir EMPTY_DIR admin restore ARCHIVE)"
            )
    return 0 if report.ok else 1


def run_audit(args: argparse.Namespace, ctx: CliContext) -> int:
    if args.against and not args.verify:
        raise CliError("--against needs --verify")
    with open_vault(ctx, create=False) as vault:
        if args.checkpoint:
            token = vault.audit_checkpoint()
            if args.json:
                print_json({"checkpoint": token})
            else:
                print(token)
                print(
                    "keep this off the device; later: facekiosk admin audit --verify --against "
                    "TOKEN",
                    file=sys.stderr,
                )
            return 0
        if args.verify:
            try:
                v = vault.verify_audit(args.against)
            except ValueError as exc:
                raise CliError(str(exc)) from exc
            if args.json:
                print_json(
                    {
                        "ok": v.ok,
                        "checked": v.checked,
                        "first_bad_seq": v.first_bad_seq,
                        "reason": v.reason,
                        "missing": list(v.missing) if v.missing else None,
                        "note": v.note,
                    }
                )
            else:
                if v.ok:
                    print(f"audit chain OK ({v.checked} entries)")
                elif v.missing:
                    print(
                        f"audit chain BROKEN: entries {v.missing[0]}-{v.missing[1]} are "
                        f"missing (tail truncated): {v.reason}"
                    )
                elif v.first_bad_seq is not None:
                    print(f"audit chain BROKEN at entry {v.first_bad_seq}: {v.reason}")
                else:
                    print(f"audit chain BROKEN: {v.reason}")
                if v.note:
                    print(f"note: {v.note}")
            return 0 if v.ok else 1
        entries = vault.audit_entries(args.since_seq)
    if args.json:
        print_json(
            [
                {
                    "seq": e.seq,
                    "at": e.at.isoformat(),
                    "actor": e.actor,
                    "action": e.action,
                    "details": e.details,
                }
                for e in entries
            ]
        )
    else:
        for e in entries:
            print(
                f"#{e.seq} {e.at.isoformat(timespec='seconds')} {printable(e.actor)} "
                f"{printable(e.action)} {printable(e.details)}"
            )
    return 0


def _when(text: str | None) -> Any:
    from datetime import UTC, datetime

    if text is None:
        return None
    try:
        at = datetime.fromisoformat(text)
    except ValueError as exc:
        raise CliError(f"not an ISO date/time: {text!r}") from exc
    return at if at.tzinfo else at.replace(tzinfo=UTC)


def run_events(args: argparse.Namespace, ctx: CliContext) -> int:
    from facekiosk.vault import write_events_csv

    with open_vault(ctx, create=False) as vault:
        events = vault.events(_when(args.since), _when(args.until), args.kind)
    if args.csv or args.out:
        if args.out:
            check_out(args.out)
            with open(args.out, "w", newline="", encoding="utf-8") as fh:
                n = write_events_csv(events, fh)
            print(f"{n} event(s) written to {args.out}", file=sys.stderr)
        else:
            write_events_csv(events, sys.stdout)
        return 0
    rows = [
        {
            "id": e.id,
            "at": e.at.isoformat(),
            "kind": e.kind,
            "index_id": e.index_id,
            "kiosk_id": e.kiosk_id,
            "decision": e.decision,
            "reason": e.reason,
            "extra": e.extra,
        }
        for e in events
    ]
    if args.json:
        print_json(rows)
    else:
        for r in rows:
            print(
                printable(
                    f"{r['at']} {r['kind']} {r['index_id'] or '-'} {r['decision']} {r['reason']}"
                )
            )
    return 0
