"""`facekiosk doctor [--json] [--no-camera]`."""

from __future__ import annotations

import argparse

from facekiosk.cli.context import CliContext, print_json

_MARK = {"ok": "PASS", "warn": "WARN", "fail": "FAIL"}


def register(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser("doctor", help="check this machine: packages, cv2/Qt, camera, data dir")
    p.add_argument("--json", action="store_true", help="machine-readable output")
    p.add_argument("--no-camera", action="store_true", help="skip the camera probe")
    p.set_defaults(func=run)


def run(args: argparse.Namespace, ctx: CliContext) -> int:
    from facekiosk.doctor import report, run_checks

    result = report(run_checks(ctx.data_dir, cameras=not args.no_camera))
    if args.json:
        print_json(result)
    else:
        for check in result["checks"]:
            print(f"[{_MARK[check['status']]}] {check['name']}: {check['detail']}")
            if check["hint"] and check["status"] != "ok":
                print(f"       -> {check['hint']}")
        print("doctor: all checks passed" if result["ok"] else "doctor: some checks FAILED")
    return 0 if result["ok"] else 1
