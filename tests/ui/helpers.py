"""GUI test helpers: flow settings and a source held on one demo face."""

from __future__ import annotations

import dataclasses

from facekiosk.settings import Settings
from facekiosk.ui.demo_source import demo_people
from facekiosk.ui.sources import SlideshowSource

ASTRONAUT = "astronaut"  # the one demo face that passes enrolment quality (frontal, even light)


def flow_settings() -> Settings:
    """Defaults, except: liveness off (the demo frames are still photos, which real
    liveness rightly refuses; liveness has its own tests), PIN never asked, short
    timeouts and result screen."""
    s = Settings()
    return dataclasses.replace(
        s,
        liveness=dataclasses.replace(s.liveness, enroll_level="off", auth_level="off"),
        pin=dataclasses.replace(s.pin, policy="never"),
        kiosk=dataclasses.replace(s.kiosk, capture_timeout_s=60.0, result_display_s=120.0),
    )


def people_source(label: str = ASTRONAUT, fps: float = 15.0) -> SlideshowSource:
    people = demo_people()
    source = SlideshowSource(people, name="demo-people", fps=fps)
    source.hold([p.label for p in people].index(label))
    return source
