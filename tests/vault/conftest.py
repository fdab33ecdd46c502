"""Vault test helpers: synthetic and real unit vectors, a plaintext-vector scanner."""

from __future__ import annotations

import hashlib
from pathlib import Path

import numpy as np
import pytest
from numpy.lib.stride_tricks import sliding_window_view

from facekiosk.engine.types import Embedding

SPACE = ("test", "synthetic-v1")


def unit(rng: np.random.Generator, dim: int = 32) -> np.ndarray:
    v = rng.standard_normal(dim).astype(np.float32)
    return v / np.linalg.norm(v)


def emb(vector: np.ndarray, engine: str = SPACE[0], model: str = SPACE[1]) -> Embedding:
    return Embedding(np.asarray(vector, np.float32), engine, model)


@pytest.fixture
def rng() -> np.random.Generator:
    return np.random.default_rng(1234)


@pytest.fixture(params=["exact", "quantised"])
def search(request):
    """Both search paths: exact (small galleries) and the quantised scan + exact re-rank
    (forced from 32 templates on; tests that use this fixture enrol at least that many)."""
    from facekiosk.vault.space_index import SearchParams

    if request.param == "exact":
        return SearchParams()
    return SearchParams(exact_max=0, train_min=32, rerank=4)


def contains_vector(blob: bytes, vector: np.ndarray, tol: float = 1e-4) -> bool:
    """True when some 4-byte-aligned window (at any of the 4 byte phases) of `blob`
    decodes to a float32 vector within `tol` (max abs) of `vector`."""
    dim = vector.shape[0]
    target = vector.astype(np.float32)
    for phase in range(4):
        usable = (len(blob) - phase) // 4
        if usable < dim:
            continue
        arr = np.frombuffer(blob, dtype=np.float32, count=usable, offset=phase)
        arr = np.nan_to_num(arr, nan=0.0, posinf=0.0, neginf=0.0)
        # Cheap prefilter on the first component, then check whole windows.
        starts = np.nonzero(np.abs(arr[: usable - dim + 1] - target[0]) <= tol)[0]
        if starts.size == 0:
            continue
        windows = sliding_window_view(arr, dim)[starts]
        if np.any(np.max(np.abs(windows - target), axis=1) <= tol):
            return True
    return False


def tree_digest(folder: Path) -> dict[str, str]:
    """sha256 of every file under `folder` (to prove nothing changed)."""
    return {
        str(p.relative_to(folder)): hashlib.sha256(p.read_bytes()).hexdigest()
        for p in sorted(folder.rglob("*"))
        if p.is_file()
    }


@pytest.fixture(scope="session")
def real_embeddings(shared_faces: Path) -> dict[str, list[Embedding]]:
    """dlib embeddings of a few people from ../shared/faces (two photos each)."""
    from facekiosk.engine.registry import create_engine
    from facekiosk.engine.types import read_image
    from facekiosk.settings import EngineSettings

    engine = create_engine(EngineSettings(name="dlib"), None)
    out: dict[str, list[Embedding]] = {}
    for person in sorted((shared_faces / "identities").iterdir()):
        got = []
        for photo in sorted(person.glob("*.jpg")):
            faces = engine.analyze(read_image(str(photo)))
            if len(faces) == 1:
                got.append(faces[0].embedding)
            if len(got) == 2:
                break
        if len(got) == 2:
            out[person.name] = got
        if len(out) == 4:
            break
    engine.close()
    if len(out) < 4:
        pytest.skip("not enough single-face photos in ../shared/faces")
    return out
