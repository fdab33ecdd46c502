"""GUI test fixtures: the real engine in its worker process, once per session."""

from __future__ import annotations

import pytest

from facekiosk.settings import Settings


@pytest.fixture(scope="session")
def shared_engine():
    """One engine process for the whole GUI test session (model loading is the slow part)."""
    from facekiosk.engine.remote import RemoteEngine

    engine = RemoteEngine(Settings().engine)
    yield engine
    engine.close()


@pytest.fixture
def make_kiosk(qtbot, data_dir, shared_engine):
    """Start a kiosk (real session, vault, engine) on a held demo face; stopped at teardown."""
    from facekiosk.ui.app import build_kiosk
    from tests.ui.helpers import flow_settings, people_source

    started = []

    def make(settings=None, source=None):
        k = build_kiosk(
            settings or flow_settings(), data_dir, source or people_source(), engine=shared_engine
        )
        qtbot.addWidget(k.window)
        k.controller.start()
        k.window.show()
        started.append(k)
        return k

    yield make
    for k in started:
        k.controller.stop()
        k.vault.close()


@pytest.fixture
def kiosk(make_kiosk):
    return make_kiosk()
