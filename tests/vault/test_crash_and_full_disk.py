"""A killed process or a full disk at any step of a write loses nothing committed, and a
purge that was cut short is finished at the next open (no file keeps the template)."""

from __future__ import annotations

import errno
import json
import os
import subprocess
import sys
import textwrap

import numpy as np
import pytest

from facekiosk.vault import Vault
from facekiosk.vault.errors import VaultDiskFullError
from facekiosk.vault.vector_store import VectorStore
from tests.vault.conftest import SPACE, contains_vector, emb, unit

CHILD = """
import json, os, sys
import numpy as np
from pathlib import Path
from facekiosk.vault import Vault, space_index
from facekiosk.engine.types import Embedding

space_index.SEGMENT_ROWS = 20
data_dir, step = Path(sys.argv[1]), sys.argv[2]
vectors = np.load(sys.argv[3])
with Vault.open(data_dir) as vault:
    ids = vault.enroll_many(vectors[:60], "test/synthetic-v1")
    vault.compact()
print(json.dumps(ids), flush=True)
real_replace, real_write = os.replace, os.write
def replace(src, dst, *a, **k):
    if step == "before-manifest" and str(dst).endswith("vectors.snap"):
        os._exit(9)  # segments written, manifest not yet renamed
    real_replace(src, dst, *a, **k)
    if step == "after-manifest" and str(dst).endswith("vectors.snap"):
        os._exit(9)  # manifest renamed, old segment files not yet deleted
os.replace = replace
with Vault.open(data_dir) as vault:
    vault.delete(ids[25], reason="forget me")  # segment 1 of 3
print("not killed", flush=True)
"""


@pytest.mark.parametrize("step", ["before-manifest", "after-manifest"])
def test_killed_mid_purge_loses_nothing_and_the_purge_finishes_on_open(
    data_dir, tmp_path, rng, step
):
    vectors = np.stack([unit(rng, 32) for _ in range(60)])
    np.save(tmp_path / "v.npy", vectors)
    script = tmp_path / "child.py"
    script.write_text(textwrap.dedent(CHILD))
    done = subprocess.run(
        [sys.executable, str(script), str(data_dir), step, str(tmp_path / "v.npy")],
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert done.returncode == 9, done.stderr[-2000:]
    ids = json.loads(done.stdout.splitlines()[0])
    with Vault.open(data_dir) as vault:
        assert vault.count() == 59  # the delete was committed before the kill
        assert vault.search(emb(vectors[25]), k=1)[0].index_id != ids[25]
        for i in (0, 24, 26, 59):
            assert vault.search(emb(vectors[i]), k=1)[0].index_id == ids[i]
        units = list(VectorStore(data_dir, vault.vault_id, vault.keys.ring).scan())
        assert all(isinstance(plain, bytes) for _p, _o, plain in units), units
        assert not any(contains_vector(plain, vectors[25]) for _p, _o, plain in units)
        assert any(contains_vector(plain, vectors[24]) for _p, _o, plain in units)  # control
    with Vault.open(data_dir) as vault:  # and again: nothing left to finish
        assert vault.count() == 59


def _fd_path(fd: int) -> str:
    return os.readlink(f"/proc/self/fd/{fd}")


class _FullDiskFile:
    """A file object whose writes fail as on a full disk."""

    def __init__(self, fh):
        self._fh = fh

    def write(self, _data):
        raise OSError(errno.ENOSPC, "No space left on device")

    def __getattr__(self, name):
        return getattr(self._fh, name)

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self._fh.close()


def _full_disk_for(monkeypatch, target: str) -> None:
    """Writes to files whose path contains `target` fail with ENOSPC (os.write and files
    from os.fdopen, which is how the vault writes)."""
    real_write, real_fdopen = os.write, os.fdopen

    def write(fd, data):
        if target in _fd_path(fd):
            raise OSError(errno.ENOSPC, "No space left on device")
        return real_write(fd, data)

    def fdopen(fd, *a, **k):
        fh = real_fdopen(fd, *a, **k)
        return _FullDiskFile(fh) if target in _fd_path(fd) else fh

    monkeypatch.setattr(os, "write", write)
    monkeypatch.setattr(os, "fdopen", fdopen)


def test_full_disk_on_enrol_refuses_it_and_keeps_the_rest(data_dir, rng, monkeypatch):
    kept = [unit(rng) for _ in range(3)]
    with Vault.open(data_dir) as vault:
        ids = [vault.enroll([emb(v)]) for v in kept]
    with Vault.open(data_dir) as vault:
        with monkeypatch.context() as m:
            _full_disk_for(m, "vectors.journal")
            with pytest.raises(VaultDiskFullError, match="the disk is full: free space on"):
                vault.enroll([emb(unit(rng))])
        assert vault.count() == 3
    with Vault.open(data_dir) as vault:
        assert vault.count() == 3 and vault.spaces() == {"/".join(SPACE): 3}
        assert [vault.search(emb(v), k=1)[0].index_id for v in kept] == ids
        vault.enroll([emb(unit(rng))])  # space again: works
        assert vault.count() == 4


def test_full_disk_during_compaction_keeps_everything(data_dir, rng, monkeypatch):
    vectors = [unit(rng) for _ in range(5)]
    with Vault.open(data_dir) as vault:
        ids = [vault.enroll([emb(v)]) for v in vectors]
        with monkeypatch.context() as m:
            _full_disk_for(m, "vectors.seg.")
            with pytest.raises(OSError):
                vault.compact()
        assert not list(data_dir.glob(".vectors.seg.*"))  # no temp file left behind
        assert [vault.search(emb(v), k=1)[0].index_id for v in vectors] == ids
    with Vault.open(data_dir) as vault:
        assert [vault.search(emb(v), k=1)[0].index_id for v in vectors] == ids
        vault.compact()
    assert list(data_dir.glob("vectors.seg.*"))
