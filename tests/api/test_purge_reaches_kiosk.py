"""Done-when (1): a purge through the API, served from the process that runs the kiosk
session (the real bundled engine, the same Vault object, as `build_kiosk` wires it), is
seen by that session at once; after the kiosk closes, a fresh CLI `identify` no longer
matches the person, and no file in the data dir holds their template in any form."""

from __future__ import annotations

import json

import cv2
import httpx

from facekiosk.api.service import start_integrations
from facekiosk.kiosk import ErrorCode, KioskSession, ResultKind, State
from facekiosk.kiosk.restrictions import AccessPolicy
from facekiosk.vault import Vault
from facekiosk.vault.keys import unlock
from tests.api.conftest import cli
from tests.kiosk.conftest import FakeClock, Kiosk, engine, finder, flow_settings, people
from tests.vault.conftest import contains_vector
from tests.vault.sealed_scan import sealed_plaintexts

__all__ = ["engine", "finder", "people"]  # the kiosk tests' session fixtures, reused


def _sign_in(k: Kiosk, frames) -> tuple[str | None, str | None]:
    """(the Index ID checked in, the error code) of one sign-in attempt."""
    k.clock.advance(10)
    k.session.tick()
    k.session.drain_events()
    k.session.start_auth()
    assert k.feed(frames) == State.RESULT
    checked_in = [e.index_id for e in k.session.drain_events() if e.decision == "check_in"]
    return (checked_in[0] if checked_in else None), k.session.view.error


def test_api_purge_reaches_the_running_kiosk_the_cli_and_every_file(data_dir, engine, people,
                                                                    tmp_path):  # fmt: skip
    settings = flow_settings(mode="attendance")
    vault = Vault.open(data_dir)
    clock = FakeClock()
    session = KioskSession(engine, vault, settings, clock=clock, wall_clock=clock.wall,
                           data_dir=data_dir, policy=AccessPolicy())  # fmt: skip
    k = Kiosk(session, vault, clock, data_dir)
    leaver = k.enroll(people["hanks"], pin=None)
    stays = k.enroll(people["t1_2"], pin=None)
    space = vault.get(leaver).space
    ids, matrix = vault.templates.spaces[space].vectors()
    template = {i: matrix[ids.index(i)].copy() for i in (leaver, stays)}
    key = vault.api_keys.create(["delete"]).token
    running = start_integrations(vault, settings, data_dir, api=True, port=0, strict=True)
    try:
        assert _sign_in(k, people["hanks"]) == (leaver, None)  # recognised before
        response = httpx.post(f"{running.server.url}/deletefacialid", data={"fid": leaver},
                              headers={"Authorization": f"Bearer {key}"}, timeout=30)  # fmt: skip
        assert response.status_code == 200, response.text
        # The same session, the very next attempt: nobody matches any more.
        index_id, error = _sign_in(k, people["hanks"])
        assert (index_id, error) == (None, ErrorCode.UNRECOGNIZED_FACE)
        assert _sign_in(k, people["t1_2"]) == (stays, None)  # control: the others still do
        assert k.session.view.result.kind == ResultKind.CHECK_IN
    finally:
        running.close()
        vault.close()

    photos = {}
    for name in ("hanks", "t1_2"):
        photos[name] = tmp_path / f"{name}.png"
        cv2.imwrite(str(photos[name]), people[name][0].image)
    gone = cli(data_dir, "identify", "--image", str(photos["hanks"]), "--json")
    assert gone.returncode == 0, gone.stderr
    assert json.loads(gone.stdout)["decision"] != "match"
    assert leaver not in gone.stdout
    kept = json.loads(cli(data_dir, "identify", "--image", str(photos["t1_2"]), "--json").stdout)
    assert kept["decision"] == "match" and kept["matches"][0]["index_id"] == stays

    envelope, ring = unlock(data_dir, None)
    units = list(sealed_plaintexts(data_dir, ring, envelope.vault_id, [space]))
    assert not [n for n, _kind, plain in units if contains_vector(plain, template[leaver])]
    # Control: the same scan finds the template that stays, sealed (never in the clear).
    assert any(contains_vector(p, template[stays]) for _n, kind, p in units if kind != "raw")
    assert not any(contains_vector(p, template[stays]) for _n, kind, p in units if kind == "raw")
