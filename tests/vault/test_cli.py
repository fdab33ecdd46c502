"""The vault commands end to end, in-process, with the real dlib engine on real photos."""

from __future__ import annotations

import csv
import io
import json
from pathlib import Path

from facekiosk.cli import main


def _run(capsys, *argv: str) -> tuple[int, str, str]:
    code = main(["--data-dir", str(argv[0]), *argv[1:]])
    out, err = capsys.readouterr()
    return code, out, err


def _photos(shared_faces, person, n):
    return [str(p) for p in sorted((shared_faces / "identities" / person).glob("*.jpg"))[:n]]


def test_enroll_identify_delete_audit(data_dir, shared_faces, capsys, tmp_path):
    # Every pair of photos must match at the threshold: Bill_Frist's first two do not (0.918).
    enrol = {"Al_Gore": [0, 1], "Bill_Frist": [0, 3]}
    people = list(enrol)
    ids = {}
    for person in people:
        photos = _photos(shared_faces, person, 4)
        code, out, err = _run(
            capsys,
            data_dir,
            "enroll",
            "--image",
            *[photos[i] for i in enrol[person]],
            "--label",
            person,
            "--json",
        )
        assert code == 0, err
        ids[person] = json.loads(out)["index_id"]

    # The same face again is refused (duplicate check), with a clear message.
    code, _, err = _run(
        capsys, data_dir, "enroll", "--image", _photos(shared_faces, "Al_Gore", 4)[3]
    )
    assert code == 1 and "already enrolled as " + ids["Al_Gore"] in err

    probe = _photos(shared_faces, "Bill_Frist", 3)[2]
    code, out, _ = _run(capsys, data_dir, "identify", "--image", probe, "--json")
    result = json.loads(out)
    assert code == 0 and set(result) == {"matches", "decision"}
    assert result["decision"] == "match"
    assert result["matches"][0]["index_id"] == ids["Bill_Frist"]
    assert set(result["matches"][0]) == {"index_id", "similarity", "space"}

    nofaces = sorted((shared_faces / "nofaces").glob("*.jpg"))[0]
    code, out, _ = _run(capsys, data_dir, "identify", "--image", str(nofaces), "--json")
    assert json.loads(out) == {"matches": [], "decision": "no_face"}

    code, out, _ = _run(capsys, data_dir, "admin", "list", "--json")
    listed = json.loads(out)
    assert listed["total"] == 2
    assert {r["label"] for r in listed["identities"]} == set(people)

    code, out, _ = _run(
        capsys, data_dir, "admin", "delete", ids["Bill_Frist"], "--reason", "request", "--json"
    )
    assert code == 0 and json.loads(out)["purged"] == [ids["Bill_Frist"]]
    code, _, err = _run(capsys, data_dir, "admin", "delete", ids["Bill_Frist"])
    assert code == 1 and "unknown Index ID" in err

    code, out, _ = _run(capsys, data_dir, "identify", "--image", probe, "--json")
    assert ids["Bill_Frist"] not in out

    code, out, _ = _run(capsys, data_dir, "admin", "audit", "--verify")
    assert code == 0 and "audit chain OK (3 entries)" in out


def test_events_csv_backup_restore_and_keys(data_dir, tmp_path, capsys, monkeypatch):
    import numpy as np

    from facekiosk.engine.types import Embedding
    from facekiosk.vault import Vault

    with Vault.open(data_dir) as vault:
        v = np.random.default_rng(0).standard_normal(128).astype(np.float32)
        index_id = vault.enroll([Embedding(v, "dlib", "m")])
        vault.record_event("check_in", index_id, "kiosk-1", "granted", "ok", {"mode": "a"})
    code, out, _ = _run(capsys, data_dir, "admin", "events", "--csv")
    rows = list(csv.DictReader(io.StringIO(out)))
    assert code == 0 and rows[0]["index_id"] == index_id and rows[0]["kind"] == "check_in"

    code, out, _ = _run(capsys, data_dir, "admin", "key", "export")
    assert json.loads(out)["envelope"]["mode"] == "device"

    code, out, _ = _run(capsys, data_dir, "admin", "backup", "--out", str(tmp_path))
    archive = out.strip()
    target = tmp_path / "restored"
    code, _, err = _run(capsys, target, "admin", "restore", archive)
    assert code == 1 and "--key-file" in err
    kek = str(data_dir / "vault.kek")
    code, _, err = _run(capsys, target, "admin", "restore", archive, "--key-file", kek)
    assert code == 1 and "--accept-resurrection" in err and not target.exists()
    code, out, err = _run(
        capsys, target, "admin", "restore", archive, "--key-file", kek, "--ledger",
        str(data_dir / "vault.purges"),
    )  # fmt: skip
    assert code == 0, err

    monkeypatch.setenv("FACEKIOSK_VAULT_NEW_PASSPHRASE", "a long passphrase")
    code, out, _ = _run(capsys, target, "admin", "key", "rotate", "--passphrase", "--reencrypt")
    assert code == 0
    monkeypatch.delenv("FACEKIOSK_VAULT_NEW_PASSPHRASE")
    monkeypatch.setenv("FACEKIOSK_VAULT_PASSPHRASE", "wrong")
    code, _, err = _run(capsys, target, "admin", "list")
    assert code == 1 and "wrong passphrase" in err
    monkeypatch.setenv("FACEKIOSK_VAULT_PASSPHRASE", "a long passphrase")
    code, out, _ = _run(capsys, target, "admin", "list", "--json")
    assert code == 0 and json.loads(out)["identities"][0]["index_id"] == index_id


def test_admin_on_missing_vault_is_a_clear_error(tmp_path, capsys):
    code, _, err = _run(capsys, tmp_path / "none", "admin", "list")
    assert code == 1 and "no vault" in err


def test_bench_search_json_keys(tmp_path, capsys):
    code, out, _ = _run(
        capsys,
        tmp_path,
        "bench",
        "search",
        "--n",
        "300",
        "--dim",
        "16",
        "--queries",
        "50",
        "--enrolls",
        "5",
        "--workdir",
        str(tmp_path),
        "--json",
    )
    result = json.loads(out)
    assert code == 0
    assert list(result)[:14] == [  # the keys, in order; extras follow
        "n",
        "dim",
        "build_s",
        "query_p50_ms",
        "query_p99_ms",
        "brute_p50_ms",
        "brute_p99_ms",
        "id_recall",
        "enroll_p50_ms",
        "enroll_p99_ms",
        "purge_ms",
        "save_s",
        "load_s",
        "rss_mb",
    ]
    assert result["n"] == 300 and result["id_recall"] > 0.9
    assert result["genuine_probes"] == 50
    assert {"speedup_p50", "cold_speedup_p50", "genuine_own_top1", "unknown_id_recall"} <= set(
        result
    )
    assert not list(tmp_path.glob("fk-bench-*"))  # the throw-away vault is removed


def _tom_hanks() -> str:
    import insightface

    return str(Path(insightface.__file__).parent / "data" / "images" / "Tom_Hanks_54745.png")


def test_bench_search_graph_baseline(tmp_path, capsys):
    """The graph the vault does not use, timed on the same vectors: an exhaustive ef finds
    the exact top-1 every time, a tiny ef is allowed to miss."""
    code, out, _ = _run(
        capsys, tmp_path, "bench", "search", "--n", "400", "--dim", "32", "--queries", "60",
        "--enrolls", "3", "--graph-sweep", "2,1000", "--workdir", str(tmp_path), "--json",
    )  # fmt: skip
    graph = json.loads(out)["graph_baseline"]
    assert code == 0 and graph["m"] == 48 and graph["build_s"] >= 0
    low, full = graph["sweep"]
    assert (low["ef"], full["ef"]) == (2, 1000)
    assert full["id_recall"] == 1.0 and 0.0 <= low["id_recall"] <= 1.0


def test_admin_delete_removes_the_purged_id_from_access_toml(data_dir, capsys):
    """A purged Index ID leaves access.toml too (groups and the opt-out list); others stay."""
    ids = []
    for label in ("purged", "kept"):
        code, out, err = _run(
            capsys, data_dir, "enroll", "--image", _tom_hanks(), "--label", label,
            "--allow-duplicate", "--json",
        )  # fmt: skip
        assert code == 0, err
        ids.append(json.loads(out)["index_id"])
    gone, kept = ids
    assert _run(capsys, data_dir, "access", "group", "staff")[0] == 0
    assert _run(capsys, data_dir, "access", "add", "staff", gone, kept)[0] == 0
    assert _run(capsys, data_dir, "access", "optout", gone, kept)[0] == 0
    access = data_dir / "access.toml"
    assert access.read_text().count(gone) == 2

    code, out, err = _run(capsys, data_dir, "admin", "delete", gone, "--json")
    assert code == 0, err
    assert json.loads(out)["access_entries_removed"] == 2
    assert gone not in access.read_text()
    code, out, _ = _run(capsys, data_dir, "access", "show", "--json")
    shown = json.loads(out)
    assert shown["optout"] == [kept] and shown["groups"]["staff"]["members"] == [kept]
