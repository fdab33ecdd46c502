"""Crashes, torn writes and tampering: detected, reported with file + offset, nothing lost."""

from __future__ import annotations

import logging
import os
import signal
import subprocess
import sys
import textwrap
import time

import numpy as np
import pytest

from facekiosk.vault import Vault, VaultCorruptError
from facekiosk.vault.vector_store import _REC_HEAD, JOURNAL_FILE, SNAPSHOT_FILE
from tests.vault.conftest import emb, unit


def _vault_with_snapshot_and_journal(data_dir, rng, dim=32):
    vectors = [unit(rng, dim) for _ in range(5)]
    with Vault.open(data_dir) as vault:
        ids = [vault.enroll([emb(v)]) for v in vectors[:3]]
        vault.compact()  # first three in the snapshot
        ids += [vault.enroll([emb(v)]) for v in vectors[3:]]  # two in the journal
    return ids, vectors


def _flip_and_open(path, pos):
    pristine = path.read_bytes()
    damaged = bytearray(pristine)
    damaged[pos] ^= 0xFF
    path.write_bytes(bytes(damaged))
    try:
        with pytest.raises(VaultCorruptError) as info:
            Vault.open(path.parent).close()
        return info.value
    finally:
        path.write_bytes(pristine)


@pytest.mark.parametrize("name", [SNAPSHOT_FILE, JOURNAL_FILE, "segment"])
def test_flipped_byte_is_detected_with_file_and_offset(data_dir, rng, name):
    _vault_with_snapshot_and_journal(data_dir, rng)
    if name == "segment":  # the templates themselves live in segment files
        (path,) = data_dir.glob("vectors.seg.*")
    else:
        path = data_dir / name
    size = path.stat().st_size
    # Every byte of the headers and first record, then a stride through the rest.
    positions = sorted(set(range(min(size, 400))) | set(range(400, size, 61)) | {size - 1})
    for pos in positions:
        err = _flip_and_open(path, pos)
        assert err.path == path, pos
        assert err.offset <= pos, (pos, err)
        assert str(path) in str(err) and f"offset {err.offset}" in str(err)
    with Vault.open(data_dir) as vault:  # the pristine files still open
        assert vault.count() == 5


def test_rest_of_journal_stays_readable_after_a_bad_record(data_dir, rng):
    _vault_with_snapshot_and_journal(data_dir, rng)
    path = data_dir / JOURNAL_FILE
    damaged = bytearray(path.read_bytes())
    damaged[24 + _REC_HEAD.size + 40] ^= 0x01  # inside the first record's ciphertext
    path.write_bytes(bytes(damaged))
    with pytest.raises(VaultCorruptError, match="journal record 0"):
        Vault.open(data_dir)
    # The scanner reports the bad record and still decrypts the one after it.
    from facekiosk.vault.crypto import Envelope, read_device_kek
    from facekiosk.vault.vector_store import VectorStore

    env = Envelope.from_bytes((data_dir / "vault.keys").read_bytes())
    ring = env.unwrap(read_device_kek(data_dir / "vault.kek"))
    units = [u for u in VectorStore(data_dir, env.vault_id, ring).scan() if u[0] == path]
    assert [isinstance(u[2], VaultCorruptError) for u in units] == [True, False]


def test_journal_truncated_anywhere_in_last_record_keeps_the_rest(data_dir, rng, caplog):
    ids, vectors = _vault_with_snapshot_and_journal(data_dir, rng)
    path = data_dir / JOURNAL_FILE
    full = path.read_bytes()
    # Start of the last record: walk the length fields.
    pos, starts = 24, []
    while pos < len(full):
        starts.append(pos)
        pos += _REC_HEAD.size + _REC_HEAD.unpack_from(full, pos)[0]
    last = starts[-1]
    caplog.set_level(logging.WARNING)
    for cut in range(last, len(full)):
        path.write_bytes(full[:cut])
        with Vault.open(data_dir) as vault:
            for i, v in zip(ids[:4], vectors[:4], strict=True):
                assert vault.search(emb(v), k=1)[0].index_id == i, cut
            assert ids[4] not in {m.index_id for m in vault.search(emb(vectors[4]), k=5)}
        if cut > last:
            assert "torn last record" in caplog.text
        assert path.stat().st_size == last  # the torn tail is cut off for the next append
        caplog.clear()


CHILD = textwrap.dedent(
    """
    import sys
    import numpy as np
    from facekiosk.engine.types import Embedding
    from facekiosk.vault import Vault

    vault = Vault.open(sys.argv[1], compact_every=25)  # compactions happen mid-run too
    for i in range(100000):
        v = np.random.default_rng(i).standard_normal(32).astype(np.float32)
        index_id = vault.enroll([Embedding(v, "test", "synthetic-v1")])
        print(i, index_id, flush=True)
    """
)


def test_sigkill_mid_append_loses_nothing_committed(data_dir):
    env = dict(os.environ)
    child = subprocess.Popen(
        [sys.executable, "-c", CHILD, str(data_dir)], stdout=subprocess.PIPE, text=True, env=env
    )
    assert child.stdout is not None
    committed: list[tuple[int, str]] = []
    target = 40 + int(np.random.default_rng().integers(0, 20))
    for line in child.stdout:
        i, index_id = line.split()
        committed.append((int(i), index_id))
        if len(committed) >= target:
            time.sleep(float(np.random.default_rng().uniform(0, 0.02)))
            break
    child.send_signal(signal.SIGKILL)
    child.wait(timeout=30)
    assert child.returncode == -signal.SIGKILL
    with Vault.open(data_dir) as vault:
        assert vault.count() >= len(committed)
        for i, index_id in committed:
            v = np.random.default_rng(i).standard_normal(32).astype(np.float32)
            best = vault.search(emb(v), k=1)[0]
            assert best.index_id == index_id
            assert vault.get(index_id).status == "active"
