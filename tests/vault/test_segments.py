"""The snapshot is a manifest plus segment files: a purge rewrites only the segment that
held the template; leftovers of an interrupted compaction never survive an open."""

from __future__ import annotations

import hashlib

import numpy as np
import pytest

from facekiosk.vault import Vault, VaultCorruptError, space_index
from tests.vault.conftest import SPACE, contains_vector, emb, unit


def _segment_files(data_dir):
    return {
        p.name: hashlib.sha256(p.read_bytes()).hexdigest() for p in data_dir.glob("vectors.seg.*")
    }


@pytest.fixture
def small_segments(monkeypatch):
    monkeypatch.setattr(space_index, "SEGMENT_ROWS", 50)


def _enrolled(data_dir, rng, n=200, dim=32):
    vectors = np.stack([unit(rng, dim) for _ in range(n)])
    with Vault.open(data_dir) as vault:
        ids = vault.enroll_many(vectors, "/".join(SPACE))
        vault.compact()
    return ids, vectors


def test_purge_rewrites_only_the_segment_that_held_the_template(data_dir, rng, small_segments):
    ids, vectors = _enrolled(data_dir, rng)
    before = _segment_files(data_dir)
    assert len(before) == 4  # 200 templates, 50 per segment
    with Vault.open(data_dir) as vault:
        vault.delete(ids[120], reason="forget me")  # the third segment
    after = _segment_files(data_dir)
    kept = set(before) & set(after)
    assert len(kept) == 3 and all(before[n] == after[n] for n in kept)  # untouched files
    (gone,) = set(before) - set(after)
    (new,) = set(after) - set(before)
    assert gone.split(".")[3] == new.split(".")[3]  # the same segment, a new generation
    for path in data_dir.rglob("*"):
        if path.is_file():
            assert not contains_vector(path.read_bytes(), vectors[120]), path
    with Vault.open(data_dir) as vault:
        assert vault.count() == 199
        assert vault.search(emb(vectors[120]), k=1)[0].index_id != ids[120]
        for i in (0, 60, 121, 199):
            assert vault.search(emb(vectors[i]), k=1)[0].index_id == ids[i]


def test_enrolments_fill_new_segments_and_old_ones_stay(data_dir, rng, small_segments):
    _enrolled(data_dir, rng, n=100)
    before = _segment_files(data_dir)
    with Vault.open(data_dir) as vault:
        vault.enroll([emb(unit(rng))])
        vault.compact()
    after = _segment_files(data_dir)
    assert set(before) < set(after) and len(after) == 3  # one new segment, nothing rewritten


def test_leftover_segment_files_are_removed_on_open(data_dir, rng, small_segments):
    _enrolled(data_dir, rng, n=60)
    files = sorted(data_dir.glob("vectors.seg.*"))
    orphan = files[0].with_name(files[0].name.rsplit(".", 1)[0] + ".999")
    orphan.write_bytes(files[0].read_bytes())  # as if a crash hit before the manifest's rename
    with Vault.open(data_dir) as vault:
        assert not orphan.exists()
        assert vault.count() == 60


def test_missing_or_older_segment_file_is_reported_with_its_name(data_dir, rng, small_segments):
    ids, _ = _enrolled(data_dir, rng, n=60)
    older = {p.name.split(".")[3]: p.read_bytes() for p in data_dir.glob("vectors.seg.*")}
    with Vault.open(data_dir) as vault:
        vault.delete(ids[0])  # segment 0 is rewritten under a new name
    (first,) = [p for p in data_dir.glob("vectors.seg.*") if p.name.split(".")[3] == "0"]
    current = first.read_bytes()
    first.unlink()
    with pytest.raises(VaultCorruptError, match="missing") as info:
        Vault.open(data_dir)
    assert info.value.path == first
    # the authentic pre-delete copy (it still holds the purged template) put back under the
    # current name: refused, its name is bound into its AAD
    first.write_bytes(older["0"])
    with pytest.raises(VaultCorruptError) as info:
        Vault.open(data_dir)
    assert info.value.path == first
    first.write_bytes(current)
    with Vault.open(data_dir) as vault:
        assert vault.count() == 59


def test_backup_carries_the_segments(data_dir, tmp_path, rng, small_segments):
    ids, vectors = _enrolled(data_dir, rng, n=120)
    with Vault.open(data_dir) as vault:
        archive = vault.backup(tmp_path / "b.fkbackup")
    from facekiosk.vault.restore import RestoreKeys

    target = tmp_path / "restored"
    Vault.restore(archive, target, RestoreKeys(key_from=data_dir))
    assert len(list(target.glob("vectors.seg.*"))) == 3
    with Vault.open(target) as vault:
        assert vault.count() == 120
        assert vault.search(emb(vectors[119]), k=1)[0].index_id == ids[119]


def test_search_info_names_mode_and_segments(data_dir, rng, small_segments):
    from facekiosk.vault.space_index import SearchParams

    vectors = np.stack([unit(rng, 32) for _ in range(120)])
    with Vault.open(data_dir, search=SearchParams(exact_max=100, train_min=64)) as vault:
        vault.enroll_many(vectors[:90], "/".join(SPACE))
        assert vault.search_info() == {
            "/".join(SPACE): {"templates": 90, "search": "exact", "segments": 2}
        }
        vault.enroll_many(vectors[90:], "/".join(SPACE))
        info = vault.search_info()["/".join(SPACE)]
        assert info == {"templates": 120, "search": "quantised", "segments": 3}
