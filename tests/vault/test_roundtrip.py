"""Enroll, search, metadata and restarts."""

from __future__ import annotations

import threading
from datetime import UTC, datetime, timedelta
from pathlib import Path

import numpy as np
import pytest

from facekiosk.kiosk.match_policy import decide
from facekiosk.vault import (
    MAX_PAYLOAD,
    Match,
    UnknownIndexId,
    Vault,
    VaultLockedError,
    WrongSpaceError,
)
from tests.vault.conftest import emb, unit


def test_round_trip_across_restarts(data_dir, rng, search):
    vectors = [unit(rng) for _ in range(40)]
    valid = datetime(2030, 1, 1, tzinfo=UTC)
    with Vault.open(data_dir, search=search) as vault:
        ids = [vault.enroll([emb(v)], label=f"person {i}") for i, v in enumerate(vectors)]
        vault.enroll(
            [emb(unit(rng))], payload=b"\x00emp-42", consent_version="c1", valid_until=valid
        )
        special = vault.list_ids(order_by="-created", limit=1)[0].index_id
        vault.set_pin(ids[0], "4711")
        vault.record_event("check_in", ids[1], "kiosk-1", "granted", "ok", {"score": 0.9})
        vault.touch(ids[2])
    with Vault.open(data_dir, search=search) as vault:
        assert vault.count() == 41
        for i, v in enumerate(vectors):
            best = vault.search(emb(v), k=3)
            assert best[0].index_id == ids[i]
            assert best[0].similarity == pytest.approx(1.0, abs=1e-5)
            assert best[0].similarity > best[1].similarity
            assert vault.get(ids[i]).label == f"person {i}"
        record = vault.get(special)
        assert (record.consent_version, record.valid_until, record.has_payload) == (
            "c1",
            valid,
            True,
        )
        assert vault.get_payload(special) == b"\x00emp-42"
        assert vault.consents(special)[0][0] == "c1"
        assert vault.verify_pin(ids[0], "4711") and not vault.verify_pin(ids[0], "4712")
        assert vault.has_pin(ids[0]) and not vault.has_pin(ids[1])
        assert vault.get(ids[2]).last_seen is not None
        (event,) = vault.events(kind="check_in")
        assert (event.index_id, event.extra) == (ids[1], {"score": 0.9})


def test_template_is_mean_of_several_images(data_dir, rng):
    centre = unit(rng)
    shots = [centre + 0.3 * unit(rng) for _ in range(4)]
    with Vault.open(data_dir) as vault:
        index_id = vault.enroll([emb(s) for s in shots])
        vault.enroll([emb(unit(rng))])
        best = vault.search(emb(centre), k=1)[0]
        assert best.index_id == index_id
        single = max(float(np.dot(centre, s / np.linalg.norm(s))) for s in shots)
        assert best.similarity > single  # averaging moved the template towards the centre
        assert vault.get(index_id).n_images == 4


def test_real_faces_match_and_duplicate_check(data_dir, real_embeddings):
    from facekiosk.engine.registry import create_engine
    from facekiosk.settings import EngineSettings

    threshold = create_engine(EngineSettings(name="dlib"), None).default_threshold
    with Vault.open(data_dir) as vault:
        ids = {name: vault.enroll([shots[0]]) for name, shots in real_embeddings.items()}
        for name, shots in real_embeddings.items():
            decision = decide(vault.search(shots[1]), threshold, margin=0.0)
            assert decision.outcome == "match" and decision.best is not None
            assert decision.best.index_id == ids[name]
            dup = vault.find_duplicate(shots[1], threshold)
            assert dup is not None and dup.index_id == ids[name]


def test_decide_rules():
    a, b = Match("a", 0.9), Match("b", 0.88)
    assert decide([], 0.5).reason == "empty"
    assert decide([a], 0.95).reason == "below_threshold"
    assert decide([a, b], 0.5, margin=0.05).reason == "ambiguous"
    ok = decide([a, b], 0.5, margin=0.01)
    assert (ok.outcome, ok.best, ok.runner_up) == ("match", a, b)


def test_other_model_is_refused(data_dir, rng):
    with Vault.open(data_dir) as vault:
        vault.enroll([emb(unit(rng))])
        with pytest.raises(WrongSpaceError, match="holds templates of test/synthetic-v1"):
            vault.search(emb(unit(rng), model="other-model"))
        with pytest.raises(WrongSpaceError, match="32-d"):
            vault.enroll([emb(unit(rng, 64))])
        with pytest.raises(ValueError, match="cannot compare"):
            vault.enroll([emb(unit(rng)), emb(unit(rng), model="other-model")])


def test_unknown_ids_are_clear_errors_and_delete_nothing(data_dir, rng):
    with Vault.open(data_dir) as vault:
        known = vault.enroll([emb(unit(rng))])
        with pytest.raises(UnknownIndexId, match="00000000-0000-4000-8000-000000000000"):
            vault.delete([known, "00000000-0000-4000-8000-000000000000"])
        assert vault.count() == 1
        with pytest.raises(UnknownIndexId):
            vault.get("nope")
        with pytest.raises(UnknownIndexId):
            vault.set_pin("nope", "1234")


def test_list_search_sort_and_paging(data_dir, rng):
    with Vault.open(data_dir) as vault:
        for name in ["carol", "alice", "Bob", "dave"]:
            vault.enroll([emb(unit(rng))], label=name)
        vault.enroll([emb(unit(rng))])
        labels = [r.label for r in vault.list_ids(order_by="label")]
        assert labels == ["alice", "Bob", "carol", "dave", None]
        assert [r.label for r in vault.list_ids(search="BO")] == ["Bob"]
        assert vault.count(search="L") == 2  # not a hex digit: labels only
        page = vault.list_ids(offset=1, limit=2, order_by="-created")
        assert len(page) == 2
        with pytest.raises(ValueError, match="order_by"):
            vault.list_ids(order_by="label_ct; DROP TABLE identities")


def test_label_search_decrypts_once_per_open_and_stays_in_sync(data_dir, rng, monkeypatch):
    """Labels are decrypted once into memory (never to disk); enroll/update/delete keep it."""
    with Vault.open(data_dir) as vault:
        ids = [vault.enroll([emb(unit(rng))], label=name) for name in ("Zoe", "yann", "Xavier")]
        opened: list[str] = []
        fields = vault.identities.fields
        real = fields.open
        monkeypatch.setattr(
            fields, "open", lambda kind, i, blob: opened.append(kind) or real(kind, i, blob)
        )
        assert [r.label for r in vault.list_ids(search="zo")] == ["Zoe"]
        assert opened == ["label"] * 3  # the cache is built once...
        assert [r.label for r in vault.list_ids(order_by="-label", offset=1, limit=1)] == ["yann"]
        assert vault.count(search="N") == 1  # not a hex digit: labels only
        new = vault.enroll([emb(unit(rng))], label="Zara")
        vault.update(ids[1], label="Yvonne")
        vault.delete(ids[0])
        assert [r.label for r in vault.list_ids(search="Z")] == ["Zara"]
        assert [r.label for r in vault.list_ids(order_by="label")] == ["Xavier", "Yvonne", "Zara"]
        assert (
            vault.list_ids(search="yann") == []
            and vault.list_ids(search=new[:8])[0].index_id == new
        )
        assert opened == ["label"] * 3  # ...and not again
    for path in data_dir.rglob("*"):
        if path.is_file():
            assert b"Xavier" not in path.read_bytes() and b"Yvonne" not in path.read_bytes()


def test_limits_and_counters(data_dir, rng):
    with Vault.open(data_dir) as vault:
        index_id = vault.enroll([emb(unit(rng))])
        with pytest.raises(ValueError, match="payload"):
            vault.enroll([emb(unit(rng))], payload=b"x" * (MAX_PAYLOAD + 1))
        with pytest.raises(ValueError, match="timezone"):
            vault.touch(index_id, datetime(2020, 1, 1))
        vault.set_counter(f"pin_fail:{index_id}", 2)
        vault.set_counter("kiosk_fail:kiosk-1", 5)
        assert vault.get_counter(f"pin_fail:{index_id}") == 2
        vault.update(index_id, valid_until=datetime.now(UTC) + timedelta(days=1), label="x")
        vault.delete(index_id)
        assert vault.get_counter(f"pin_fail:{index_id}", default=-1) == -1  # purged with it
        assert vault.get_counter("kiosk_fail:kiosk-1") == 5


def test_second_opener_is_refused(data_dir, rng):
    with Vault.open(data_dir), pytest.raises(VaultLockedError):
        Vault.open(data_dir)


def test_concurrent_enroll_while_searching(data_dir, rng, search):
    base = [unit(rng) for _ in range(50)]
    extra = [unit(rng) for _ in range(150)]
    errors: list[BaseException] = []
    with Vault.open(data_dir, search=search) as vault:
        ids = [vault.enroll([emb(v)]) for v in base]
        stop = threading.Event()

        def searcher() -> None:
            try:
                while not stop.is_set():
                    for i in range(0, 50, 7):
                        assert vault.search(emb(base[i]), k=1)[0].index_id == ids[i]
            except BaseException as exc:
                errors.append(exc)

        threads = [threading.Thread(target=searcher) for _ in range(2)]
        for t in threads:
            t.start()
        try:
            new_ids = [vault.enroll([emb(v)]) for v in extra]
        finally:
            stop.set()
            for t in threads:
                t.join()
        assert not errors, errors
        assert vault.count() == 200
        for v, i in zip(extra[::10], new_ids[::10], strict=True):
            assert vault.search(emb(v), k=1)[0].index_id == i


def _reload(index, params):
    """Through the snapshot's unit of storage: every segment body plus the codebook."""
    from facekiosk.vault.space_index import SpaceIndex

    bodies = [(seg, index.segment_body(seg)) for seg in index.segments()]
    return SpaceIndex.from_segments(index.space, index.dim, bodies, index.codebook(), params)


def test_quantised_scan_follows_adds_removes_and_size_limit(rng):
    """Rows and codes stay aligned through inserts, replaces and cuts; the scan starts
    above exact_max, stops at half of it, and survives a save/load."""
    from facekiosk.bench.search import FaceLikeGenerator
    from facekiosk.vault.space_index import SearchParams, SpaceIndex

    gen = FaceLikeGenerator(dim=64)
    dirs = gen.identities(3000)
    gallery = gen.images(dirs, rng)
    ids = [f"00000000-0000-4000-8000-{i:012d}" for i in range(3000)]
    params = SearchParams(exact_max=1000, rerank=8, train_min=256)
    index = SpaceIndex("a/b", 64, params=params)
    index.add_many(ids[:900], gallery[:900])
    assert not index.quantised
    for i in range(900, 3000):
        index.add(ids[i], gallery[i])
    assert index.quantised
    gone = set(rng.choice(3000, 700, replace=False).tolist())
    index.remove_many([ids[i] for i in sorted(gone)[:600]])
    for i in sorted(gone)[600:]:
        assert index.remove(ids[i])
    assert not index.remove(ids[sorted(gone)[0]])  # already gone
    moved = [i for i in range(0, 3000, 97) if i not in gone]
    for i in moved:  # replace: the old code must not linger next to the new one
        gallery[i] = gen.images(dirs[i : i + 1], rng)[0]
        index.add(ids[i], gallery[i])
    live = np.array([i for i in range(3000) if i not in gone])
    assert len(index) == len(live) and sorted(index.ids()) == [ids[i] for i in live]
    probes = gen.images(dirs[live[:300]], rng)
    truth = [ids[live[j]] for j in np.argmax(probes @ gallery[live].T, axis=1)]
    got = [index.search(p, 1)[0][0] for p in probes]
    # misaligned codes would send the re-rank to the wrong rows: recall near rerank/n
    assert np.mean([a == b for a, b in zip(got, truth, strict=True)]) >= 0.95
    decoded = np.stack([index._codes.reconstruct(r) for r in range(len(index))])
    rows = index.vectors()[1]
    assert np.min(np.sum(decoded * rows, axis=1) / np.linalg.norm(decoded, axis=1)) > 0.98
    assert 0 < index._packed < len(index)  # the replaced templates wait in the exact tail
    # the packed scan answers like the plain codes of the rows it holds
    import faiss

    plain = faiss.clone_index(index._codes)
    plain.remove_ids(faiss.IDSelectorRange(index._packed, len(index)))
    _, by_scan = index._scan.search(probes, 1)
    _, by_plain = plain.search(probes, 1)
    assert np.mean(by_scan[:, 0] == by_plain[:, 0]) >= 0.95  # corrupt codes: ~0.7
    top = index.search(probes[0], 5)
    assert [s for _, s in top] == sorted((s for _, s in top), reverse=True)

    restored = _reload(index, params)
    assert restored.quantised and sorted(restored.ids()) == sorted(index.ids())
    assert [restored.search(p, 1)[0][0] for p in probes[:50]] == got[:50]

    index.remove_many(index.ids()[: len(live) - 600])  # 600 > exact_max / 2: keep codes
    assert index.quantised
    index.remove_many(index.ids()[:101])  # 499 <= 500: exact again, codes dropped
    assert not index.quantised and len(index) == 499
    for row, index_id in enumerate(index.ids()[:20]):
        assert index.search(index.vectors()[1][row], 1)[0][0] == index_id


def test_snapshot_of_format_1_is_read_and_rewritten(data_dir):
    """A vault written by facekiosk 0.1 (hnswlib graph snapshot + journal) opens, finds
    every template, and its snapshot is rewritten in the current format at once."""
    import json
    import shutil

    from facekiosk.vault.vector_store import SNAPSHOT_FORMAT

    fixture = Path(__file__).parent / "fixtures" / "snapshot_v1"
    for name in ("vault.kek", "vault.keys", "vault.sqlite", "vault.audit-head"):
        shutil.copy(fixture / name, data_dir / name)
    for name in ("vectors.snap", "vectors.journal"):
        shutil.copy(fixture / name, data_dir / name)
    (data_dir / "vault.kek").chmod(0o600)
    vectors = np.load(fixture / "vectors.npy")
    meta = json.loads((fixture / "ids.json").read_text())
    with Vault.open(data_dir) as vault:
        assert vault.templates.store.loaded_format == 1 and vault.templates.store.generation > 1
        assert vault.count() == 4
        for vec, index_id in zip(vectors, meta["ids"], strict=True):
            best = vault.search(emb(vec), k=1)[0]
            if index_id == meta["deleted"]:
                assert best.index_id != index_id
            else:
                assert best.index_id == index_id
                assert best.similarity == pytest.approx(1.0, abs=1e-5)
        assert vault.verify_audit().ok
    head = (data_dir / "vectors.snap").read_bytes()
    assert json.loads(head[12 : 12 + int.from_bytes(head[8:12], "big")])["format"] == (
        SNAPSHOT_FORMAT
    )


def test_quantised_scan_of_512d_templates(rng):
    """ArcFace-sized templates use one 4-bit sub-quantiser per two dimensions."""
    from facekiosk.bench.search import FaceLikeGenerator
    from facekiosk.vault.space_index import SearchParams, SpaceIndex

    gen = FaceLikeGenerator(dim=512)
    dirs = gen.identities(400)
    index = SpaceIndex("insight/arcface", 512, params=SearchParams(0, rerank=8, train_min=256))
    ids = [f"00000000-0000-4000-8000-{i:012d}" for i in range(400)]
    index.add_many(ids, gen.images(dirs, rng))
    assert index.quantised and index._codes.pq.M == 256
    probes = gen.images(dirs[:100], rng)
    assert [index.search(p, 1)[0][0] for p in probes] == ids[:100]


def test_search_stays_exact_when_faiss_cannot_load(rng, monkeypatch, caplog):
    """The quantised scan is an accelerator: a broken faiss install must not stop enrolment."""
    from facekiosk.vault import space_index
    from facekiosk.vault.space_index import SearchParams, SpaceIndex

    def broken() -> None:
        raise ImportError("libfaiss.so: cannot open shared object file")

    monkeypatch.setattr(space_index, "_faiss", broken)
    monkeypatch.setattr(space_index, "_quantiser_unavailable", [])
    index = SpaceIndex("a/b", 32, params=SearchParams(exact_max=10, train_min=16))
    vecs = [unit(rng) for _ in range(40)]
    for i, v in enumerate(vecs):
        index.add(f"00000000-0000-4000-8000-{i:012d}", v)
    assert not index.quantised
    assert index.search(vecs[33], 1)[0][0] == "00000000-0000-4000-8000-000000000033"
    errors = [r for r in caplog.records if "stays exact" in r.getMessage()]
    assert len(errors) == 1  # said once, not on every enrolment


def test_unreadable_search_codes_are_trained_again(rng, caplog):
    from facekiosk.bench.search import FaceLikeGenerator
    from facekiosk.vault.space_index import SearchParams, SpaceIndex

    gen = FaceLikeGenerator(dim=32)
    dirs = gen.identities(600)
    params = SearchParams(exact_max=100, rerank=16, train_min=64)
    index = SpaceIndex("a/b", 32, params=params)
    ids = [f"00000000-0000-4000-8000-{i:012d}" for i in range(600)]
    index.add_many(ids, gen.images(dirs, rng))
    bodies = [(seg, index.segment_body(seg)) for seg in index.segments()]
    codebook = index.codebook()
    assert codebook is not None
    restored = SpaceIndex.from_segments("a/b", 32, bodies, codebook[:-4], params)  # one short
    assert any("training them again" in r.getMessage() for r in caplog.records)
    assert restored.dirty_segments() == set(restored.segments())  # codes rewritten next time
    assert restored.quantised and sorted(restored.ids()) == ids
    probes = gen.images(dirs[:50], rng)
    assert [restored.search(p, 1)[0][0] for p in probes] == [
        index.search(p, 1)[0][0] for p in probes
    ]
