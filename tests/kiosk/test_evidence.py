"""Match streak and template-frame bookkeeping (pure; real vectors from real faces)."""

from __future__ import annotations

import pytest

from facekiosk.kiosk.evidence import TEMPLATE_POSE_WAIT_S, TemplateFrames
from facekiosk.kiosk.match_policy import MatchStreak


def test_streak_needs_consecutive_frames_of_one_identity():
    s = MatchStreak(confirm_frames=3, unrecognized_frames=2)
    s.hit("a", 0.95)
    s.hit("a", 0.97)
    s.hit("b", 0.96)  # another identity: starts again
    assert s.confirmed is None and s.progress == pytest.approx(1 / 3)
    s.hit("b", 0.93)
    s.interrupt()  # a frame without a usable face
    for sim in (0.95, 0.94, 0.99):
        s.hit("b", sim)
    assert s.confirmed == ("b", 0.94)  # the weakest of the streak
    s.miss()
    assert s.confirmed is None and not s.unrecognized
    s.miss()
    assert s.unrecognized
    s.hit("b", 0.95)
    assert s.misses == 0


def test_template_frames_want_time_and_pose_change(people):
    t1_0 = [f.faces[0].embedding for f in people["t1_0"]]
    hanks = people["hanks"][0].faces[0].embedding
    t = TemplateFrames(needed=3, threshold=0.92, anchor=t1_0[0])
    assert t.wants((0.0, 0.0), 0.0) is True
    assert t.add(t1_0[1], (0.0, 0.0), 0.0)
    assert t.wants((5.0, 0.0), 0.1) is False  # too soon
    assert t.wants((0.5, 0.0), 0.3) is None  # nobody moved: wait a little
    assert t.wants((0.5, 0.0), TEMPLATE_POSE_WAIT_S) is True  # ...but not forever
    assert t.wants((3.0, 0.0), 0.3) is True  # a small turn
    assert not t.add(hanks, (3.0, 0.0), 0.3)  # someone else: refused, nothing kept
    assert t.add(t1_0[2], (3.0, 0.0), 0.3) and not t.done
    assert t.add(t1_0[0], (-3.0, 1.0), 0.6) and t.done and t.progress == 1.0
    assert t.mean().similarity(t1_0[0]) > 0.99
    assert t.held() == 4  # three frames and the anchor


def test_template_frames_say_before_a_frame_whether_it_is_worth_embedding(people):
    """frame_request asks for an embedding in TEMPLATE only for a frame likely taken."""
    t = TemplateFrames(needed=3, threshold=0.92)
    assert t.worth_embedding(0.0)  # nothing taken, nothing seen yet
    assert t.add(people["t1_0"][0].faces[0].embedding, (0.0, 0.0), 0.0)
    assert not t.worth_embedding(0.1)  # too soon, whatever the pose
    t.seen_pose = (0.5, 0.0)  # the latest frame: nobody moved
    assert not t.worth_embedding(0.3)
    assert t.worth_embedding(TEMPLATE_POSE_WAIT_S)  # waited long enough
    t.seen_pose = (3.0, 0.0)  # a small turn
    assert t.worth_embedding(0.3)
