"""`facekiosk admin upgrade-templates [--json]`: what is left of a model upgrade.

After the engine changes (issue 18: `dlib` -> `bundled`) the vault keeps the old templates
and the kiosk still recognises those people (kiosk/space_search.py); each one gets a
template of the current engine at their next admitted sign-in, or at re-enrolment. This
command reports, per model space, how many Index IDs still hold an old template. It
changes nothing: an upgrade needs the person's face.
"""

from __future__ import annotations

import argparse
from typing import Any

from facekiosk.cli.context import CliContext, CliError, print_json


def register_admin(asub: argparse._SubParsersAction) -> None:
    p = asub.add_parser(
        "upgrade-templates",
        help="per model space: Index IDs still to upgrade to the current engine's templates",
    )
    p.add_argument("--json", action="store_true")
    p.set_defaults(func=run_upgrade_templates)


def upgrade_report(held: dict[str, int], current: str) -> dict[str, Any]:
    from facekiosk.kiosk.match_policy import LEGACY_THRESHOLDS
    from facekiosk.kiosk.space_search import upgrade_counts

    left = upgrade_counts(held, current)
    return {
        "current_space": current,
        "upgraded": held.get(current, 0),
        "spaces": [
            {
                "space": space,
                "index_ids": n,
                # a space the current engine cannot search: those people are not recognised
                "recognised": space in LEGACY_THRESHOLDS,
            }
            for space, n in left.items()
        ],
        "left": sum(left.values()),
    }


def run_upgrade_templates(args: argparse.Namespace, ctx: CliContext) -> int:
    from facekiosk.cli.vault_cmds import open_vault
    from facekiosk.engine.registry import engine_space

    engine = ctx.settings.engine
    current = engine_space(engine)
    if current is None:
        raise CliError(
            f"the model space of engine {engine.name!r} depends on its model pack; "
            "upgrade-templates reports for the bundled and dlib engines"
        )
    with open_vault(ctx, create=False) as vault:
        report = upgrade_report(vault.spaces(), current)
    if args.json:
        print_json(report)
        return 0
    print(f"current engine: {engine.name} ({current}): {report['upgraded']} Index IDs")
    if not report["spaces"]:
        print("nothing left to upgrade")
        return 0
    for row in report["spaces"]:
        if row["recognised"]:
            note = "still recognised; each upgrades at their next sign-in or re-enrolment"
        else:
            note = "NOT recognised by this engine: re-enrol them (or switch engine.name back)"
        print(f"{row['space']}: {row['index_ids']} Index IDs left ({note})")
    return 0
