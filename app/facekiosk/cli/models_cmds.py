"""`facekiosk models list | install NAME | import PATH | verify [NAME] | remove NAME`.

`install` is the only facekiosk command that uses the network, and only when an
admin runs it. The packs module is imported inside each command so that
`facekiosk --help` does not pay for importing insightface.
"""

from __future__ import annotations

import argparse
import dataclasses
import sys
from pathlib import Path
from typing import Any

from facekiosk.cli import models_bundled
from facekiosk.cli.context import CliContext, CliError, print_json


def register(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser(
        "models",
        help="insightface model packs: list, install, import, verify, remove",
        description="Model packs live in <data dir>/models/<name>/ with a manifest of "
        "sizes and sha256. `install` is the only command that uses the network.",
    )
    msub = p.add_subparsers(dest="models_command", metavar="ACTION")
    p.set_defaults(func=lambda args, ctx: _usage(p))

    ls = msub.add_parser("list", help="catalog and installed packs, with their licences")
    ls.add_argument("--json", action="store_true")
    ls.set_defaults(func=run_list)

    inst = msub.add_parser("install", help="download and install a pack (network)")
    inst.add_argument("name", help="catalog name (buffalo_l, buffalo_s, buffalo_sc, ...)")
    src = inst.add_mutually_exclusive_group()
    src.add_argument(
        "--from",
        dest="mirror",
        metavar="BASE_URL",
        help="local mirror serving the same files (default: engine.pack_mirror, else insightface)",
    )
    src.add_argument("--url", help="exact URL of the zip (or .onnx addon) to install")
    inst.add_argument("--sha256", help="expected sha256 of the download (from your mirror's admin)")
    inst.add_argument("--yes", action="store_true", help="accept the licence terms shown")
    inst.add_argument("--quiet", action="store_true", help="no progress bar")
    inst.add_argument("--json", action="store_true")
    inst.set_defaults(func=run_install)

    imp = msub.add_parser("import", help="install from a local zip, folder or .onnx (offline)")
    imp.add_argument("path", help="pack zip, pack folder, or liveness.onnx (e.g. on a USB stick)")
    imp.add_argument("--name", help="install under this name (default: from the manifest/file)")
    imp.add_argument("--sha256", help="expected sha256 of the file")
    imp.add_argument("--yes", action="store_true", help="accept the licence terms shown")
    imp.add_argument("--json", action="store_true")
    imp.set_defaults(func=run_import)

    ver = msub.add_parser("verify", help="re-hash installed packs against their manifests")
    ver.add_argument("name", nargs="?", help="one pack (default: all installed)")
    ver.add_argument("--json", action="store_true")
    ver.set_defaults(func=run_verify)

    rm = msub.add_parser("remove", help="delete an installed pack")
    rm.add_argument("name")
    rm.add_argument("--json", action="store_true")
    rm.set_defaults(func=run_remove)

    # `models build-bundled` (fast dlib engine) lives in its own area's module.
    models_bundled.register_models(msub)


def _usage(parser: argparse.ArgumentParser) -> int:
    parser.print_help()
    return 2


def _packs() -> Any:
    from facekiosk.engine import packs  # imported on use: keeps `--help` light

    return packs


def _mb(size: int | None) -> str:
    return "-" if size is None else f"{size / 1e6:.1f} MB"


def _short_licence(text: str) -> str:
    lower = text.lower()
    if "non-commercial" in lower:
        return "non-commercial research only"
    return text.split(".")[0][:40] or "unknown"


def run_list(args: argparse.Namespace, ctx: CliContext) -> int:
    packs = _packs()
    rows = packs.list_packs(ctx.data_dir)
    bundled = models_bundled.bundled_rows()
    if args.json:
        out = []
        for row in rows:
            d = dataclasses.asdict(row)
            d["path"] = str(row.path) if row.path else None
            out.append(d)
        print_json(out + bundled)
        return 0
    print(f"{'NAME':<12} {'KIND':<7} {'STATUS':<10} {'SIZE':>9}  LICENCE")
    for b in bundled:  # shipped inside facekiosk: always present, licence in full
        print(
            f"{b['name']:<12} {b['kind']:<7} {'bundled':<10} {_mb(b['size_bytes']):>9}  "
            f"{b['licence']}"
        )
    for row in rows:
        status = "installed" if row.installed else "-"
        print(
            f"{row.name:<12} {row.kind:<7} {status:<10} {_mb(row.size_bytes):>9}  "
            f"{_short_licence(row.licence)}"
        )
    print(f"\n{packs.NON_COMMERCIAL}")
    return 0


def _confirm_licence(licence: str, yes: bool) -> None:
    print(f"Licence: {licence}", file=sys.stderr)
    if yes:
        return
    if not sys.stdin.isatty():
        raise CliError("pass --yes to accept the licence terms above non-interactively")
    answer = input("Accept these terms and continue? [y/N] ").strip().lower()
    if answer not in ("y", "yes"):
        raise CliError("cancelled: licence not accepted")


def _report(result: Any, as_json: bool) -> None:
    m = result.manifest
    if as_json:
        print_json(
            {
                "name": result.name,
                "path": str(result.path),
                "kind": m.kind,
                "files": [dataclasses.asdict(f) for f in m.files],
                "trust": m.trust,
                "source": m.source,
                "archive_sha256": m.archive_sha256,
                "licence": m.licence,
                "warnings": result.warnings,
            }
        )
        return
    for warning in result.warnings:
        print(f"facekiosk: warning: {warning}", file=sys.stderr)
    tasks = ", ".join(f"{f.path} ({f.task})" for f in m.files if f.task)
    print(f"installed {result.name} in {result.path}: {tasks}")
    print(f"checked against: {m.trust}")


def run_install(args: argparse.Namespace, ctx: CliContext) -> int:
    packs = _packs()
    entry = packs.CATALOG.get(args.name)
    if entry is None and not args.url:
        known = ", ".join(sorted(packs.CATALOG))
        raise CliError(f"unknown pack {args.name!r}: choose one of {known}, or give --url")
    _confirm_licence(
        entry.licence if entry else "not known for a pack outside the catalog", args.yes
    )
    data_dir = ctx.prepare()
    mirror = args.mirror or ctx.settings.engine.pack_mirror or None
    try:
        result = packs.install_pack(
            data_dir,
            args.name,
            url=args.url,
            mirror=None if args.url else mirror,
            sha256=args.sha256,
            progress=not (args.quiet or args.json),
        )
    except packs.PackError as exc:
        raise CliError(f"install {args.name}: {exc}") from exc
    _report(result, args.json)
    return 0


def run_import(args: argparse.Namespace, ctx: CliContext) -> int:
    packs = _packs()
    try:
        name = args.name or packs.guess_name(Path(args.path).expanduser())
    except packs.PackError as exc:
        raise CliError(f"import {args.path}: {exc}") from exc
    entry = packs.CATALOG.get(name)
    if entry is not None:
        _confirm_licence(entry.licence, args.yes)
    data_dir = ctx.prepare()
    try:
        result = packs.import_pack(data_dir, Path(args.path), name=name, sha256=args.sha256)
    except packs.PackError as exc:
        raise CliError(f"import {args.path}: {exc}") from exc
    if entry is None and not args.json:
        print(f"Licence: {result.manifest.licence}", file=sys.stderr)
    _report(result, args.json)
    return 0


def run_verify(args: argparse.Namespace, ctx: CliContext) -> int:
    packs = _packs()
    names = [args.name] if args.name else packs.installed_names(ctx.data_dir)
    try:
        reports = [packs.verify_pack(ctx.data_dir, name) for name in names]
    except packs.PackError as exc:
        raise CliError(f"verify: {exc}") from exc
    if args.json:
        print_json(
            [
                {"name": r.name, "path": str(r.path), "ok": r.ok, "problems": r.problems}
                for r in reports
            ]
        )
    elif not reports:
        print("no model packs installed")
    for r in reports if not args.json else []:
        print(f"{r.name}: {'OK' if r.ok else 'FAILED'}" + (f" ({r.trust})" if r.ok else ""))
        for problem in r.problems:
            print(f"  {problem}")
    return 0 if all(r.ok for r in reports) else 1


def run_remove(args: argparse.Namespace, ctx: CliContext) -> int:
    packs = _packs()
    ctx.prepare()
    try:
        path = packs.remove_pack(ctx.data_dir, args.name)
    except packs.PackError as exc:
        raise CliError(f"remove: {exc}") from exc
    if args.json:
        print_json({"removed": args.name, "path": str(path)})
    else:
        print(f"removed {args.name} ({path})")
    return 0
