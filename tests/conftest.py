"""Session-wide test setup: Qt offscreen by default, no network, shared test images."""

from __future__ import annotations

import os
import socket
from pathlib import Path

import numpy as np
import pytest

from tests.packaging import early_start

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

SHARED = Path(__file__).resolve().parents[2] / "shared"
SHARED = Path(os.environ.get("FACEKIOSK_SHARED", SHARED))

_LOOPBACK = ("127.", "::1", "localhost", "0.0.0.0")


def _is_local(address: object) -> bool:
    if isinstance(address, tuple) and address:
        host = str(address[0])
        return host.startswith(_LOOPBACK) or host == ""
    return True  # AF_UNIX paths and the like


def pytest_collection_modifyitems(config, items):
    """The frozen build's tests run last: their build was started niced at collection."""
    late = [item for item in items if early_start.is_frozen_build_test(item.path)]
    if late:
        items[:] = [item for item in items if item not in late] + late


def pytest_collection_finish(session):
    if session.config.option.collectonly or os.environ.get("FACEKIOSK_TEST_FROZEN") != "1":
        return
    if any(early_start.is_frozen_build_test(item.path) for item in session.items):
        early_start.FROZEN_BUILD.start()


def pytest_sessionfinish(session, exitstatus):
    early_start.FROZEN_BUILD.stop()  # an interrupted or failed-early run leaves no build behind


@pytest.fixture(autouse=True, scope="session")
def _no_network():
    """Fail any test that connects to a non-loopback address: the app never phones home."""
    real_connect = socket.socket.connect
    real_connect_ex = socket.socket.connect_ex
    real_getaddrinfo = socket.getaddrinfo

    def guarded_connect(self, address):
        if not _is_local(address):
            raise AssertionError(f"network access attempted: connect to {address!r}")
        return real_connect(self, address)

    def guarded_connect_ex(self, address):
        if not _is_local(address):
            raise AssertionError(f"network access attempted: connect_ex to {address!r}")
        return real_connect_ex(self, address)

    def guarded_getaddrinfo(host, *args, **kwargs):
        if host is not None and not _is_local((host,)):
            raise AssertionError(f"network access attempted: DNS lookup of {host!r}")
        return real_getaddrinfo(host, *args, **kwargs)

    socket.socket.connect = guarded_connect
    socket.socket.connect_ex = guarded_connect_ex
    socket.getaddrinfo = guarded_getaddrinfo
    try:
        yield
    finally:
        socket.socket.connect = real_connect
        socket.socket.connect_ex = real_connect_ex
        socket.getaddrinfo = real_getaddrinfo


@pytest.fixture
def data_dir(tmp_path, monkeypatch) -> Path:
    """A fresh data dir, also exported as FACEKIOSK_HOME for code that reads the env."""
    d = tmp_path / "data"
    d.mkdir(mode=0o700)
    monkeypatch.setenv("FACEKIOSK_HOME", str(d))
    return d


def _insightface_images() -> Path:
    import insightface

    return Path(insightface.__file__).parent / "data" / "images"


def _read(path: Path) -> np.ndarray:
    import cv2

    image = cv2.imread(str(path), cv2.IMREAD_COLOR)
    assert image is not None, path
    return image


@pytest.fixture(scope="session")
def t1_image() -> np.ndarray:
    """insightface's t1.jpg: six people, BGR."""
    return _read(_insightface_images() / "t1.jpg")


@pytest.fixture(scope="session")
def tom_hanks_image() -> np.ndarray:
    return _read(_insightface_images() / "Tom_Hanks_54745.png")


@pytest.fixture(scope="session")
def astronaut_image() -> np.ndarray:
    import cv2
    from skimage import data

    return cv2.cvtColor(data.astronaut(), cv2.COLOR_RGB2BGR)


@pytest.fixture(scope="session")
def shared_faces() -> Path:
    path = SHARED / "faces"
    if not (path / "identities").is_dir():
        pytest.skip("../shared/faces not present")
    return path


@pytest.fixture(scope="session")
def shared_liveness() -> Path:
    path = SHARED / "liveness"
    if not (path / "videos").is_dir():
        pytest.skip("../shared/liveness not present")
    return path
