"""Issue 18's upgrade: a vault enrolled with the `dlib` engine keeps working after the switch
to the default `bundled` engine, and each person gets a fused template at their next
admitted sign-in (through the real session, the real engines and a real vault).

The fixture vault is enrolled through the kiosk itself with the dlib engine, from the same
frames (t1.jpg's six people, Tom Hanks, the astronaut) analysed by the dlib engine; the
bundled kiosk then sees the frames analysed by the bundled engine (its extras carry the
dlib-space vector the old templates are matched with).
"""

from __future__ import annotations

import pytest

from facekiosk.engine.registry import create_engine
from facekiosk.kiosk import ErrorCode, ResultKind, State
from facekiosk.settings import EngineSettings, Settings

from .conftest import Frame, flow_settings

DLIB_SPACE = "dlib/dlib_resnet_v1"
ENROLLED = ("t1_0", "t1_1", "t1_2", "t1_3", "t1_4", "t1_5", "hanks")
STRANGER = "astronaut"


@pytest.fixture(scope="session")
def dlib_engine():
    eng = create_engine(EngineSettings(name="dlib"))
    yield eng
    eng.close()


@pytest.fixture(scope="session")
def dlib_people(people, dlib_engine) -> dict[str, list[Frame]]:
    """The same frames as `people`, analysed by the dlib engine (the site before the update)."""
    return {
        name: [Frame(f.image, dlib_engine.analyze(f.image)) for f in frames]
        for name, frames in people.items()
    }


def dlib_settings(**kiosk: object) -> Settings:
    s = flow_settings(**kiosk)
    s.engine.name = "dlib"
    s.engine.threshold = None  # the dlib engine's own default, 0.92
    return s


@pytest.fixture
def legacy_kiosk(make_kiosk, dlib_engine, dlib_people):
    """A vault enrolled through the kiosk with the dlib engine: ENROLLED, hanks with a PIN
    and a payload; returns (kiosk, {name: Index ID})."""
    k = make_kiosk(dlib_settings(), engine=dlib_engine)
    ids = {}
    for name in ENROLLED:
        pin = "5831" if name == "hanks" else None
        payload = b"badge-17" if name == "hanks" else None
        ids[name] = k.enroll(dlib_people[name], pin=pin, payload=payload, label=name)
    assert k.vault.spaces() == {DLIB_SPACE: len(ENROLLED)}
    return k, ids


def _sign_in(k, frames, pin: str | None = None):
    s = k.session
    k.clock.advance(400)  # past the attendance debounce and any result screen
    s.tick()
    s.start_auth()
    state = k.feed(frames)
    if state == State.PIN_ENTRY:
        assert pin is not None
        s.enter_pin(pin)
    return s.view


def _upgrades(vault) -> list[str]:
    return [
        e.details["index_id"]
        for e in vault.audit_entries()
        if e.action == "replace_template" and e.actor == "upgrade"
    ]


def test_dlib_vault_authenticates_everyone_then_holds_fused_templates(
    make_kiosk, legacy_kiosk, people, engine
):
    _, ids = legacy_kiosk
    k = make_kiosk(flow_settings(pin_policy="optional"))  # the default engine: bundled
    assert k.session.engine.name == "bundled"
    fused = f"bundled/{engine.model_id}"
    vault = k.vault
    consents = {i: vault.consents(i) for i in ids.values()}

    # A stranger is refused while the vault holds dlib templates only.
    view = _sign_in(k, people[STRANGER])
    assert view.error == ErrorCode.UNRECOGNIZED_FACE

    for n, name in enumerate(ENROLLED, start=1):
        view = _sign_in(k, people[name], pin="5831" if name == "hanks" else None)
        assert view.result is not None and view.result.kind == ResultKind.CHECK_IN, name
        assert vault.events(index_id=ids[name], kind="attendance")[-1].decision == "check_in"
        # admitted: this person's template moved to the fused space, nobody else's
        left = {DLIB_SPACE: len(ENROLLED) - n} if n < len(ENROLLED) else {}
        assert vault.spaces() == {**left, fused: n}, name
    assert set(_upgrades(vault)) == set(ids.values())

    # Same Index IDs, label, payload, PIN and consent.
    hanks = vault.get(ids["hanks"])
    assert hanks.label == "hanks" and hanks.has_pin and hanks.n_images == 3
    assert vault.get_payload(ids["hanks"]) == b"badge-17"
    assert vault.verify_pin(ids["hanks"], "5831")
    assert {i: vault.consents(i) for i in ids.values()} == consents

    # The stranger is still refused; a second sign-in matches in the fused space (the only
    # one left) and upgrades nothing again.
    assert _sign_in(k, people[STRANGER]).error == ErrorCode.UNRECOGNIZED_FACE
    for name in ("t1_3", "t1_4"):  # the closest look-alikes of the set
        view = _sign_in(k, people[name])
        assert view.result is not None and view.result.kind == ResultKind.CHECK_OUT, name
    assert len(_upgrades(vault)) == len(ENROLLED)
    assert k.session.held_biometrics() == 0


def test_upgrade_waits_for_admission(make_kiosk, legacy_kiosk, people):
    """Matched in the dlib space but not admitted (PIN cancelled): nothing is written and the
    fused frames leave memory with the attempt; the next admitted sign-in upgrades."""
    _, ids = legacy_kiosk
    k = make_kiosk(flow_settings(pin_policy="optional"))
    s = k.session
    k.clock.advance(400)
    s.tick()
    s.start_auth()
    assert k.feed(people["hanks"]) == State.PIN_ENTRY
    assert s.held_biometrics() > 0  # the fused frames wait for the admission
    s.cancel()
    assert s.held_biometrics() == 0
    assert DLIB_SPACE in k.vault.spaces() and _upgrades(k.vault) == []
    view = _sign_in(k, people["hanks"], pin="5831")
    assert view.result is not None and view.result.kind == ResultKind.CHECK_IN
    assert _upgrades(k.vault) == [ids["hanks"]]


def test_enrolment_after_the_switch_finds_a_dlib_enrolled_duplicate(
    make_kiosk, legacy_kiosk, people
):
    _, ids = legacy_kiosk
    k = make_kiosk(flow_settings(pin_policy="never"))
    s = k.session
    s.start_enroll()
    s.accept_consent()
    k.feed(people["t1_2"])
    assert s.view.error == ErrorCode.FACE_DUPLICATION
    new_id = k.enroll(people[STRANGER], pin=None)  # a new person is enrolled, fused
    assert k.vault.spaces()[DLIB_SPACE] == len(ENROLLED) and len(k.vault.spaces()) == 2
    # Deleting purges every space: one dlib-space and one fused-space Index ID.
    k.vault.delete([ids["t1_2"], new_id])
    assert k.vault.spaces() == {DLIB_SPACE: len(ENROLLED) - 1}
