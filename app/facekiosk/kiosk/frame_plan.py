"""What the next camera frame needs from the engine: one `FrameRequest` per frame.

The pipeline makes exactly one `engine.analyze(frame, request)` call with it (the engine
runs in another process: one round trip, one copy of the frame), then `on_frame`.
- None outside the scan (consent, PIN pages, result; IDLE unless kiosk.auto_start):
  nothing to analyse, the pipeline only ticks the session.
- landmarks always while scanning (quality gate, pose, blink, masks);
- embed="primary" on frames a match step, the enrolment anchor or a template frame may
  use: CAPTURE (its first good frame is the anchor at enrolment, and at sign-in it goes
  straight on to the first match step), sign-in LIVENESS (the streak builds during
  liveness), MATCHING, TEMPLATE when the frame is likely to be taken (not too soon after
  the last template frame, not while waiting for a pose change: evidence.TemplateFrames.
  worth_embedding). Enrolment LIVENESS needs none;
- antispoof while the attempt's liveness level is not "off" in CAPTURE and LIVENESS, and
  in LIVENESS only on frames the session wants judged (`wants_antispoof`: at 10 fps every
  other frame, its verdict as soon as before; the model is most of liveness's cost);
- track_box = the tracked face, so the engine embeds the same face the session follows.
"""

from __future__ import annotations

from facekiosk.engine.types import FrameRequest
from facekiosk.kiosk.codes import SCAN_STATES, Purpose, State
from facekiosk.kiosk.core import FlowCore
from facekiosk.kiosk.steps.liveness import liveness_level


def frame_request(core: FlowCore) -> FrameRequest | None:
    state, purpose = core.state, core.attempt.purpose
    if state == State.IDLE and core.settings.kiosk.auto_start:
        state, purpose = State.CAPTURE, Purpose.AUTH  # a face in view starts a sign-in
    if state not in SCAN_STATES:
        return None
    template = core.attempt.bio.template
    needs_embedding = not (
        (state == State.LIVENESS and purpose == Purpose.ENROLL)
        or (state == State.TEMPLATE and not template.worth_embedding(core.clock()))
    )
    live = liveness_level(core.settings, purpose) != "off"
    session = core.attempt.bio.liveness
    wants = getattr(session, "wants_antispoof", None)  # only the real session skips frames
    if live and state == State.LIVENESS and wants is not None:
        live = bool(wants(core.clock()))
    return FrameRequest(
        landmarks=True,
        embed="primary" if needs_embedding else "none",
        antispoof=live and state in (State.CAPTURE, State.LIVENESS),
        max_faces=None,
        track_box=core.attempt.bio.track_box,
    )
