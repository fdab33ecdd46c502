"""One consistent hint while a face is being framed (issue 17).

A face that already fills the frame (a close, low-resolution camera) got "Move your whole
face into the frame" and "Step back a little" in turn, frame by frame, until the capture
timed out: the quality gate calls it CUT_OFF when the box touches an edge and TOO_CLOSE
when it is large, and a big face near the edge is both. Here a cut-off face that is large
(or too close) gets TOO_CLOSE only, the centring hints are dropped for it (the centre of
a face wider than the frame says nothing), and the hint shown last stays first while the
quality gate still reports it, so the words do not flicker between equal problems.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence

# A face this big (share of the frame's width or height, relative to max_face_fraction)
# that touches an edge is too close rather than off to one side.
BIG_FACE_SHARE = 0.6
_CENTRING = {"MOVE_LEFT", "MOVE_RIGHT", "MOVE_UP", "MOVE_DOWN"}


def consistent_guidance(
    codes: Sequence[str],
    measures: Mapping[str, float],
    previous: Sequence[str],
    max_face_fraction: float,
) -> tuple[str, ...]:
    out = [str(c) for c in codes]
    fraction = float(measures.get("face_fraction", 0.0))
    big = fraction >= BIG_FACE_SHARE * max_face_fraction
    if "CUT_OFF" in out and ("TOO_CLOSE" in out or big):
        out = [c for c in out if c != "CUT_OFF" and c not in _CENTRING]
        if "TOO_CLOSE" not in out:
            out.insert(0, "TOO_CLOSE")
    if previous and previous[0] in out:
        out.remove(previous[0])
        out.insert(0, previous[0])
    return tuple(out)
