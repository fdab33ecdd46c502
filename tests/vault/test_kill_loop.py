"""Issue 14, done-when: the kill-at-random-moments loop (kills during compaction included)
ends with no file in the data dir that decrypts to a purged template.

Each round a child process opens the vault, enrols, purges and compacts deterministic
vectors (`compact_every` small, 16-row segments, so compactions are frequent and write
several files) and is killed with SIGKILL at a moment drawn from a seeded RNG: at the N-th
durability call (fsync or rename) anywhere, at the N-th one inside a compaction (every
step of it: a temp segment fsynced but not renamed, the manifest, the journal reset), or
by the parent after a random delay. After the loop the vault is opened once more (which
finishes cut-short purges and wipes leftovers) and every file in the data dir is scanned:
each sealed unit that decrypts with the vault key, and each file's raw bytes."""

from __future__ import annotations

import json
import signal
import subprocess
import sys
import textwrap
import time
from pathlib import Path

import numpy as np

from facekiosk.vault import Vault
from facekiosk.vault.check import check_vault
from facekiosk.vault.keys import unlock
from tests.vault.conftest import contains_vector
from tests.vault.sealed_scan import sealed_plaintexts

SPACE = "test/synthetic-v1"
DIM = 64
ROUNDS = ["any", "compaction", "any", "compaction", "any", "compaction", "compaction",
          "any", "timer", "timer"]  # fmt: skip

CHILD = """
import json, os, signal, sys
import numpy as np
from pathlib import Path
from facekiosk.engine.types import Embedding
from facekiosk.vault import Vault, space_index
from facekiosk.vault.vector_store import VectorStore

space_index.SEGMENT_ROWS = 16  # several segments per compaction
data_dir, first, seed = Path(sys.argv[1]), int(sys.argv[2]), int(sys.argv[3])
mode, kill_at, known = sys.argv[4], int(sys.argv[5]), json.loads(Path(sys.argv[6]).read_text())
DIM, SPACE = 64, "test/synthetic-v1"

def vector(n):
    v = np.random.default_rng([7, n]).standard_normal(DIM).astype(np.float32)
    return v / np.linalg.norm(v)

calls, in_compaction = 0, False
def counted(real):
    def call(*a, **k):
        global calls
        if mode == "any" or (mode == "compaction" and in_compaction):
            calls += 1
            if calls == kill_at:
                os.kill(os.getpid(), signal.SIGKILL)
        return real(*a, **k)
    return call
os.fsync, os.replace = counted(os.fsync), counted(os.replace)

real_compact = VectorStore.compact
def compact(self, *a, **k):
    global in_compaction
    print("C", flush=True)
    in_compaction = True
    real_compact(self, *a, **k)
    in_compaction = False
    print("c", flush=True)
VectorStore.compact = compact

rng = np.random.default_rng(seed)
with Vault.open(data_dir, compact_every=6) as vault:
    live = sorted(set(known) & vault.templates.ids())
    print("O", flush=True)
    n = first
    if not live:  # a gallery of several segments to begin with
        for index_id in vault.enroll_many(np.stack([vector(n + i) for i in range(40)]), SPACE):
            print("E", index_id, n, flush=True)
            live.append(index_id)
            n += 1
    for _ in range(5000):
        r = rng.random()
        if r < 0.65 or len(live) < 4:
            index_id = vault.enroll([Embedding(vector(n), "test", "synthetic-v1")])
            print("E", index_id, n, flush=True)
            live.append(index_id)
            n += 1
        elif r < 0.9:
            ids = [str(i) for i in rng.choice(live, size=int(rng.integers(1, 3)), replace=False)]
            print("P", ",".join(ids), flush=True)
            vault.delete(ids, reason="kill loop")
            print("D", flush=True)
            live = [i for i in live if i not in ids]
        else:
            vault.compact(full=bool(rng.integers(2)))
print("not killed", flush=True)
"""


def vector(n: int) -> np.ndarray:
    v = np.random.default_rng([7, n]).standard_normal(DIM).astype(np.float32)
    return v / np.linalg.norm(v)


def _round(script: Path, data_dir: Path, known: Path, k: int, mode: str, rng) -> list[str]:
    kill_at = int(rng.integers(20, 200) if mode == "any" else rng.integers(1, 14))
    args = [str(data_dir), str(k * 10_000), str(100 + k), mode, str(kill_at), str(known)]
    child = subprocess.Popen(
        [sys.executable, str(script), *args],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        bufsize=0,  # unbuffered: readline must not take lines that communicate() then misses
    )
    head = b""
    if mode == "timer":
        assert child.stdout is not None
        while (line := child.stdout.readline()) not in (b"O\n", b""):
            head += line
        head += line  # the delay starts once the vault is open
        time.sleep(float(rng.uniform(0.0, 0.6)))
        child.send_signal(signal.SIGKILL)
    out, err = child.communicate(timeout=120)
    assert child.returncode == -signal.SIGKILL, (mode, kill_at, err[-2000:])
    return (head + out).decode().split()


def test_no_file_decrypts_to_a_purged_template_after_random_kills(data_dir, tmp_path):
    script, known = tmp_path / "child.py", tmp_path / "known.json"
    script.write_text(textwrap.dedent(CHILD))
    rng = np.random.default_rng(14)
    enrolled: dict[str, int] = {}  # Index ID -> vector number (durable: printed after)
    tried: set[str] = set()  # purges started
    done: set[str] = set()  # purges that returned
    compaction_kills = leftover_rounds = 0
    for k, mode in enumerate(ROUNDS):
        known.write_text(json.dumps(enrolled))
        words = _round(script, data_dir, known, k, mode, rng)
        (tmp_path / f"round{k}.txt").write_text(" ".join([mode, *words]))  # to debug a failure
        marks = [w for w in words if w in ("C", "c")]
        compaction_kills += bool(marks) and marks[-1] == "C"
        leftover_rounds += bool(list(data_dir.glob(".vectors.*.tmp")))
        pending: list[str] = []
        for i, word in enumerate(words):
            if word == "E":
                enrolled[words[i + 1]] = int(words[i + 2])
            elif word == "P":
                pending = words[i + 1].split(",")
                tried.update(pending)
            elif word == "D":
                done.update(pending)
    print(f"kills in compaction: {compaction_kills}, rounds leaving temp files: {leftover_rounds}")
    assert compaction_kills >= ROUNDS.count("compaction")
    assert leftover_rounds >= 1  # a temp file held a compaction's output when killed

    with Vault.open(data_dir) as vault:  # finishes cut-short purges, wipes leftovers
        present = vault.templates.ids()
    purged = tried - present
    assert done <= purged
    assert set(enrolled) - tried <= present  # nothing durable was lost on the way
    print(f"purged: {len(purged)}, still enrolled: {len(present & set(enrolled))}")
    assert len(purged) >= 10 and len(present & set(enrolled)) >= 10
    assert check_vault(data_dir).ok

    envelope, ring = unlock(data_dir, None)
    units = list(sealed_plaintexts(data_dir, ring, envelope.vault_id, [SPACE]))
    sealed = [(name, plain) for name, kind, plain in units if kind != "raw"]
    for index_id in purged:
        v = vector(enrolled[index_id])
        found = [name for name, _kind, plain in units if contains_vector(plain, v)]
        assert not found, (index_id, found)
    # Control: the same scan finds every template still enrolled, so it could fail.
    for index_id in present & set(enrolled):
        v = vector(enrolled[index_id])
        assert any(contains_vector(plain, v) for _name, plain in sealed), index_id
        assert not any(contains_vector(p, v) for _n, kind, p in units if kind == "raw")

