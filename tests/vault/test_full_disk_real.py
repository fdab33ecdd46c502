"""A real full disk (a 3 MB tmpfs in a private mount namespace, `unshare -rm`): the vault
still opens, searches, lists, verifies and checks PINs; writes fail with one VaultError.
Before the fix every open died in `PRAGMA journal_mode=WAL` ("disk I/O error")."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import textwrap

import pytest

CHILD = """
import sys
import numpy as np
from pathlib import Path
from facekiosk.engine.types import Embedding
from facekiosk.vault import Vault, VaultError

root = Path(sys.argv[1])
rng = np.random.default_rng(7)
vecs = [v / np.linalg.norm(v) for v in rng.standard_normal((4, 32)).astype(np.float32)]
def e(v): return Embedding(v, "test", "synthetic-v1")
with Vault.open(root / "data") as vault:
    ids = [vault.enroll([e(v)]) for v in vecs]
    vault.set_pin(ids[0], "4812")
with open(root / "filler", "wb") as fh:  # fill the file system
    try:
        while True:
            fh.write(bytes(1 << 16))
    except OSError:
        pass
with Vault.open(root / "data") as vault:
    assert [vault.search(e(v), k=1)[0].index_id for v in vecs] == ids
    assert vault.count() == 4 and len(vault.list_ids()) == 4
    assert vault.verify_audit().ok and vault.verify_pin(ids[0], "4812")
    vault.touch(ids[2])  # recognised: last seen is skipped, not an error
    for write in (lambda: vault.enroll([e(-vecs[0])]), lambda: vault.delete(ids[1]),
                  lambda: vault.record_event("check_in", ids[2], "k1", "granted", "ok")):
        try:
            write()
        except VaultError as exc:
            assert str(exc).startswith("the disk is full: free space on"), exc
        else:
            raise AssertionError("a write on a full disk did not fail")
    archive = vault.backup(Path(sys.argv[2]) / "rescue.fkbackup")  # to another disk: works
(root / "filler").unlink()
from facekiosk.vault.restore import RestoreKeys
restored = Path(sys.argv[2]) / "restored"
Vault.restore(archive, restored, RestoreKeys(key_from=root / "data"))
with Vault.open(restored) as vault:
    assert [vault.search(e(v), k=1)[0].index_id for v in vecs] == ids
with Vault.open(root / "data") as vault:  # room again: writes work, nothing was lost
    assert vault.count() == 4  # the refused delete was not done later behind a back
    vault.delete(ids[1])
    assert vault.count() == 3
print("ok")
"""


def test_full_disk_keeps_reading_and_refuses_writes_clearly(tmp_path):
    if shutil.which("unshare") is None:
        pytest.skip("needs unshare (util-linux)")
    mnt = tmp_path / "mnt"
    mnt.mkdir()
    script = tmp_path / "child.py"
    script.write_text(textwrap.dedent(CHILD))
    run = f"{sys.executable} {script} {mnt} {tmp_path}"  # tmp_path: another disk, with room
    inner = f"mount -t tmpfs -o size=3m tmpfs {mnt} && exec {run}"
    try:
        done = subprocess.run(
            ["unshare", "-rm", "sh", "-c", inner], capture_output=True, text=True,
            timeout=120, env={**os.environ},
        )  # fmt: skip
    except OSError as exc:
        pytest.skip(f"unshare: {exc}")
    if done.returncode != 0 and "unshare failed" in done.stderr:
        pytest.skip("no user/mount namespaces here: " + done.stderr[-300:])
    assert done.returncode == 0 and done.stdout.strip() == "ok", done.stderr[-3000:]
