"""`facekiosk run` (the kiosk window) and `facekiosk demo` (no camera needed)."""

from __future__ import annotations

import argparse
import getpass
import os
import sys
from collections.abc import Callable
from pathlib import Path

from facekiosk.cli.context import CliContext, CliError


def register(sub: argparse._SubParsersAction) -> None:
    run = sub.add_parser("run", help="start the kiosk window")
    src = run.add_mutually_exclusive_group()
    src.add_argument("--camera", metavar="N", help="camera index or device path (/dev/videoN)")
    src.add_argument(
        "--source", metavar="PATH", help='a video file, an image folder, an image, or "demo"'
    )
    _common(run)
    run.add_argument(
        "--set-admin-pin",
        action="store_true",
        help="set the admin PIN (asked twice on the console) and exit",
    )
    run.set_defaults(func=run_command, demo=False)

    demo = sub.add_parser(
        "demo", help="the kiosk on a slideshow of sample faces (no camera; liveness off)"
    )
    _common(demo)
    demo.set_defaults(func=run_command, demo=True, camera=None, source="demo", set_admin_pin=False)


def _common(p: argparse.ArgumentParser) -> None:
    p.add_argument("--kiosk", action="store_true", help="full screen, frameless, no cursor")
    p.add_argument(
        "--screenshot",
        metavar="DIR",
        help="save a PNG of every page into DIR and exit (works offscreen)",
    )
    p.add_argument("--language", help="override kiosk.language (en, de)")
    p.add_argument(
        "--engine-mode",
        choices=("process", "thread"),
        default="process",
        help="run the engine in a worker process (default: keeps the GUI smooth) or a thread",
    )


def _set_admin_pin(ctx: CliContext) -> int:
    """Ask for the current PIN first (a lockout applies), state the rule, check it at once."""
    from facekiosk.admin_auth import SECRET_RULE, AdminAuth, AdminAuthError, weak_secret_reason

    auth = AdminAuth(ctx.data_dir)
    try:
        if auth.is_set():
            result = auth.login(getpass.getpass("Current admin PIN: "))
            if not result.ok:
                wait = f"; try again in {result.locked_for_s:.0f} s" if result.locked_for_s else ""
                raise CliError(
                    f"wrong current admin PIN; nothing changed{wait} (forgotten: as the "
                    f"kiosk's user, remove {auth.path} and set a new one)"
                )
        print(f"The admin PIN needs {SECRET_RULE}.")
        first = getpass.getpass("New admin PIN: ")
        reason = weak_secret_reason(first)
        if reason:
            raise CliError(f"that admin PIN is too easy to guess: {reason}; nothing changed")
        if getpass.getpass("Repeat it: ") != first:
            raise CliError("the two entries differ; nothing changed")
        auth.set_secret(first)
    except AdminAuthError as exc:
        raise CliError(str(exc)) from exc
    print("admin PIN set")
    return 0


def resolve_auto_source(first_camera: Callable[[], str | None] | None = None) -> str:
    """camera.source = "auto": the first camera that delivers a frame; with none, the
    demo source, so a newcomer without a camera still sees the whole flow."""
    if first_camera is None:
        from facekiosk.doctor import first_camera as probe_cameras

        first_camera = probe_cameras
    camera = first_camera()
    if camera is None:
        print("facekiosk: no camera found; starting the demo source", file=sys.stderr)
        return "demo"
    return camera


def run_command(args: argparse.Namespace, ctx: CliContext) -> int:
    ctx.prepare()
    if args.set_admin_pin:
        return _set_admin_pin(ctx)
    if args.screenshot:
        os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
    settings = ctx.settings
    if args.language:
        import dataclasses

        settings = dataclasses.replace(
            settings, kiosk=dataclasses.replace(settings.kiosk, language=args.language)
        )
    spec = args.camera if args.camera is not None else (args.source or settings.camera.source)
    if spec == "auto":
        spec = resolve_auto_source()
    demo = args.demo or spec == "demo"

    from facekiosk.engine.types import EngineError
    from facekiosk.pipeline.sources import SourceError
    from facekiosk.ui.app import build_kiosk, hold_stop_signals, run_kiosk
    from facekiosk.vault import VaultError

    if not args.screenshot:
        hold_stop_signals()
    try:
        kiosk = build_kiosk(settings, ctx.data_dir, spec, engine_mode=args.engine_mode, demo=demo)
    except (SourceError, EngineError, VaultError) as exc:
        raise CliError(str(exc)) from exc
    if args.screenshot:
        from facekiosk.ui.screenshots import save_screenshots

        try:
            paths = save_screenshots(kiosk.window, Path(args.screenshot))
        finally:
            kiosk.close()
        for p in paths:
            print(p)
        return 0
    return run_kiosk(kiosk, kiosk_mode=args.kiosk)
