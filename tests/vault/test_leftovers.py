"""Issue 14 item 1: a compaction killed between its temp file's fsync and the rename leaves
a sealed segment that nothing names. Templates in it outlive their purge unless every open
removes such files (overwritten first), and `admin check` must name them."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import textwrap
from pathlib import Path

import numpy as np

from facekiosk.vault import Vault
from facekiosk.vault.check import check_vault
from facekiosk.vault.crypto import AuthenticationFailed, KeyRing, unseal
from facekiosk.vault.keys import unlock
from facekiosk.vault.vector_store import SEGMENT_MAGIC, VectorStore
from tests.vault.conftest import SPACE, contains_vector, emb, unit

CHILD = """
import json, os, sys
import numpy as np
from pathlib import Path
from facekiosk.vault import Vault, space_index

space_index.SEGMENT_ROWS = 20
data_dir, vectors = Path(sys.argv[1]), np.load(sys.argv[2])
real_replace = os.replace
def replace(src, dst, *a, **k):
    if Path(src).name.startswith(".vectors.seg."):
        os._exit(9)  # the temp segment is written and fsynced, the rename never happens
    real_replace(src, dst, *a, **k)
with Vault.open(data_dir) as vault:
    ids = vault.enroll_many(vectors, "test/synthetic-v1")
    print(json.dumps(ids), flush=True)
    os.replace = replace
    vault.compact(full=True)  # as a key rotation with re-encryption does
print("not killed", flush=True)
"""


def _crash_mid_compaction(data_dir: Path, tmp_path: Path, vectors: np.ndarray) -> list[str]:
    np.save(tmp_path / "v.npy", vectors)
    script = tmp_path / "child.py"
    script.write_text(textwrap.dedent(CHILD))
    done = subprocess.run(
        [sys.executable, str(script), str(data_dir), str(tmp_path / "v.npy")],
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert done.returncode == 9, done.stderr[-2000:]
    return list(json.loads(done.stdout.splitlines()[0]))


def _decrypt_leftover(path: Path, final_name: str, ring: KeyRing, vault_id: str) -> bytes:
    """The temp segment is sealed like the file it was to become."""
    store = VectorStore(path.parent, vault_id, ring)
    _tag, seg, _gen = final_name.removeprefix("vectors.seg.").split(".")
    data = path.read_bytes()
    if not data.startswith(SEGMENT_MAGIC):
        raise AuthenticationFailed("not a sealed segment (any more)")
    aad = store._segment_aad("/".join(SPACE), int(seg), final_name)
    return unseal(ring, aad, memoryview(data)[len(SEGMENT_MAGIC) :])


def test_temp_segment_left_by_a_crash_is_wiped_on_open(data_dir, tmp_path, rng):
    vectors = np.stack([unit(rng, 32) for _ in range(30)])
    # a full compaction after the import: the crash hits its first segment
    ids = _crash_mid_compaction(data_dir, tmp_path, vectors)
    leftovers = sorted(data_dir.glob(".vectors.seg.*.tmp"))
    assert len(leftovers) == 1, sorted(p.name for p in data_dir.iterdir())
    leftover = leftovers[0]
    final_name = leftover.name[1:].rsplit(".", 2)[0]
    spy = tmp_path / "spy"  # a second name for the same inode: shows what open leaves in it
    os.link(leftover, spy)
    envelope, ring = unlock(data_dir, None)
    plain = _decrypt_leftover(spy, final_name, ring, envelope.vault_id)
    assert contains_vector(plain, vectors[0])  # the crash's leftover holds the templates

    report = check_vault(data_dir)
    assert not report.ok
    assert leftover.name in report.files and report.files[leftover.name].damaged

    with Vault.open(data_dir) as vault:
        assert not list(data_dir.glob(".*.tmp"))
        vault.delete(ids[:5], reason="forget me")
        assert vault.search(emb(vectors[0]), k=1)[0].index_id != ids[0]
        assert vault.search(emb(vectors[9]), k=1)[0].index_id == ids[9]
    try:
        plain = _decrypt_leftover(spy, final_name, ring, envelope.vault_id)
    except AuthenticationFailed:
        plain = b""
    assert not any(contains_vector(plain, v) for v in vectors)
    assert not any(contains_vector(p.read_bytes(), vectors[0]) for p in data_dir.iterdir()
                   if p.is_file())  # fmt: skip
    assert check_vault(data_dir).ok


def test_check_names_files_it_does_not_account_for(data_dir, rng):
    with Vault.open(data_dir) as vault:
        vault.enroll([emb(unit(rng))])
    assert check_vault(data_dir).ok
    (data_dir / "vectors.snap.orig").write_bytes(b"a copy someone made")
    (data_dir / "settings.toml").write_text("# not the vault's\n")
    report = check_vault(data_dir)
    assert not report.ok
    assert "vectors.snap.orig" in report.files
    assert "settings.toml" not in report.files
