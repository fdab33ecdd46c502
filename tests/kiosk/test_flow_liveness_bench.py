"""`bench flow-liveness`, short: one person of ../shared/liveness, two seeds, the real
session, vault and default engine (skipped without ../shared)."""

from __future__ import annotations

import json

from facekiosk.bench.flow_liveness import run_flow_liveness, shared_pairs
from facekiosk.cli import build_parser, main


def test_pairs_from_the_manifest(shared_liveness):
    pairs = {p.person: p for p in shared_pairs(shared_liveness)}
    assert set(pairs) == {"luyt", "lestari", "zubair"}
    assert pairs["luyt"].live.name == "live_head_moves_luyt.mp4"
    assert pairs["luyt"].replay.name == "attack_replay_monitor_luyt.mp4"


def test_short_run_replay_never_granted(shared_liveness, engine):
    pair = next(p for p in shared_pairs(shared_liveness) if p.person == "luyt")
    # enrolment at "passive" only (the challenge is not answerable by a recording and
    # costs ~8 s of frames): the full bench tries the challenge first and reports it
    report = run_flow_liveness(engine, [pair], tries=2, enrol_levels=("passive", "off"))
    json.dumps(report)  # the CLI prints it as JSON
    row = report["people"]["luyt"]
    assert row["enrolment"]["enrolled"], row["enrolment"]
    replay, live = row["replay"], row["live"]
    assert replay["tries"] == live["tries"] == 2
    assert replay["granted"] == 0, replay["runs"]
    assert [r["seed"] for r in live["runs"]] == [0, 1]
    assert len({r["start_s"] for r in live["runs"]}) == 2  # each seed walks up elsewhere
    for summary in (replay, live):
        refused = sum(summary["refused"].values())
        assert summary["granted"] + refused == 2
        assert all(0 < r["seconds"] <= 60 for r in summary["runs"])
    assert report["targets"]["replay_never_granted"] and report["targets"]["not_enrolled"] == []


def test_cli_subcommand_is_registered_and_checks_its_input(tmp_path, capsys):
    args = build_parser().parse_args(["bench", "flow-liveness", "--tries", "3", "--json"])
    assert args.tries == 3 and args.json
    assert main(["bench", "flow-liveness", "--shared", str(tmp_path)]) == 1
    assert "MANIFEST.json not found" in capsys.readouterr().err


def test_paced_clip_gives_the_newest_frame_and_loops(shared_liveness):
    """`--frame-ms`: the clip plays at its own rate and size, as `run --source` plays it."""
    from facekiosk.bench.flow_liveness import PacedClip

    clip = shared_liveness / "videos" / "live_webcam_lestari.mp4"  # 112 frames at 30 fps
    paced = PacedClip(clip, start_s=1.0)
    try:
        first = paced.frame_at(0.0)
        assert first.shape == (720, 1080, 3)  # native size: the bench's 640 px cap is not used
        assert paced._index == 30  # 1.0 s in at 30 fps
        paced.frame_at(0.5)
        assert paced._index == 45  # frames in between were grabbed, not analysed
        paced.frame_at(3.0)  # 4.0 s > the 3.73 s clip: it loops
        assert paced._loops == 1 and paced._index == 120 - 112
    finally:
        paced.close()
