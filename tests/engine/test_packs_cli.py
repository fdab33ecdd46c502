"""`facekiosk models ...` end to end: import (zip, folder, .onnx), verify, remove, list,
install from a local mirror, through the real CLI entry point."""

from __future__ import annotations

import json

import pytest

from facekiosk.cli import main
from tests.engine import test_packs_tiny as tiny
from tests.engine.test_packs_install import mirror  # noqa: F401 - fixture


def run(data_dir, *argv: str) -> int:
    return main(["--data-dir", str(data_dir), "models", *argv])


def listing(data_dir, capsys) -> dict:
    capsys.readouterr()
    assert run(data_dir, "list", "--json") == 0
    return {row["name"]: row for row in json.loads(capsys.readouterr().out)}


def test_list_shows_the_licence_of_every_catalog_pack(data_dir, capsys):
    rows = listing(data_dir, capsys)
    assert {"buffalo_l", "buffalo_s", "buffalo_sc", "antelopev2", "liveness"} <= set(rows)
    for row in rows.values():
        if row["kind"] == "bundled":
            continue
        assert "NON-COMMERCIAL RESEARCH" in row["licence"] and not row["installed"]
    assert rows["liveness"]["publisher_sha256"] and not rows["buffalo_l"]["publisher_sha256"]
    assert run(data_dir, "list") == 0
    table = capsys.readouterr().out
    assert "buffalo_l" in table and "non-commercial research only" in table


def test_list_shows_the_licence_of_every_bundled_model(data_dir, capsys):
    rows = listing(data_dir, capsys)
    assert rows["yunet"]["licence"].startswith("MIT") and rows["yunet"]["kind"] == "bundled"
    assert rows["sface"]["licence"] == "Apache-2.0"
    assert rows["minifasnet"]["licence"].startswith("Apache-2.0")
    assert rows["dlib"]["licence"].startswith("CC0")
    assert "300-W" in rows["dlib68"]["licence"]  # the dataset's non-commercial terms
    assert run(data_dir, "list") == 0
    table = capsys.readouterr().out
    assert "yunet" in table and "MIT (Shiqi Yu)" in table and "Apache-2.0" in table


def test_import_zip_verify_tamper_remove(data_dir, tmp_path, capsys):
    archive = tiny.zip_folder(tiny.pack_folder(tmp_path / "p"), tmp_path / "buffalo_l.zip")
    assert run(data_dir, "import", str(archive), "--yes") == 0
    captured = capsys.readouterr()
    assert "NON-COMMERCIAL" in captured.err and "installed buffalo_l" in captured.out
    row = listing(data_dir, capsys)["buffalo_l"]
    assert row["installed"] and row["source"] == "import:buffalo_l.zip"
    assert row["licence_status"].startswith("default_non_commercial")

    assert run(data_dir, "verify") == 0
    assert "buffalo_l: OK" in capsys.readouterr().out
    model = data_dir / "models" / "buffalo_l" / "w600k_r50.onnx"
    data = bytearray(model.read_bytes())
    data[-1] ^= 0xFF  # same size, different content
    model.write_bytes(bytes(data))
    assert run(data_dir, "verify", "buffalo_l", "--json") == 1
    (report,) = json.loads(capsys.readouterr().out)
    assert report["problems"] == [
        "w600k_r50.onnx: sha256 differs from the manifest (file modified)"
    ]

    assert run(data_dir, "remove", "buffalo_l") == 0
    assert not (data_dir / "models" / "buffalo_l").exists()
    assert not listing(data_dir, capsys)["buffalo_l"]["installed"]
    assert run(data_dir, "remove", "buffalo_l") == 1
    assert "not installed" in capsys.readouterr().err


def test_import_needs_licence_acceptance(data_dir, tmp_path, capsys, monkeypatch):
    archive = tiny.zip_folder(tiny.pack_folder(tmp_path / "p"), tmp_path / "buffalo_s.zip")
    monkeypatch.setattr("sys.stdin.isatty", lambda: False, raising=False)
    assert run(data_dir, "import", str(archive)) == 1
    assert "--yes" in capsys.readouterr().err
    assert not (data_dir / "models" / "buffalo_s").exists()


def test_import_folder_under_a_site_name_and_verify_finds_extra_and_missing(
    data_dir, tmp_path, capsys
):
    folder = tiny.pack_folder(tmp_path / "site_pack", manifest=True, name="site_pack")
    assert run(data_dir, "import", str(folder), "--json") == 0
    out = json.loads(capsys.readouterr().out)
    assert out["name"] == "site_pack" and out["trust"] == "manifest shipped with the pack"
    pack = data_dir / "models" / "site_pack"
    (pack / "2d106det.onnx").unlink()
    (pack / "notes.txt").write_text("hello")
    assert run(data_dir, "verify", "site_pack") == 1
    out = capsys.readouterr().out
    assert "2d106det.onnx: missing" in out and "notes.txt: not in the manifest" in out


def test_import_liveness_onnx_is_checked_against_insightface_hash(data_dir, tmp_path, capsys):
    model = tiny.liveness(tmp_path / "liveness.onnx")
    assert run(data_dir, "import", str(model), "--yes") == 1
    assert "sha256 mismatch" in capsys.readouterr().err
    assert not (data_dir / "models" / "liveness").exists()


def test_import_missing_path_is_clear(data_dir, tmp_path, capsys):
    assert run(data_dir, "import", str(tmp_path / "nope.zip"), "--yes") == 1
    assert "no such file or folder" in capsys.readouterr().err


def test_install_from_mirror_json(data_dir, mirror, tmp_path, capsys):  # noqa: F811
    base, served = mirror
    tiny.zip_folder(tiny.pack_folder(tmp_path / "b"), served / "buffalo_l.zip")
    assert run(data_dir, "install", "buffalo_l", "--from", base, "--yes", "--json") == 0
    out = json.loads(capsys.readouterr().out)
    assert out["source"] == f"{base}/buffalo_l.zip"
    assert {f["task"] for f in out["files"]} >= {"detection", "recognition"}
    assert out["warnings"]  # no published sha256 for insightface zips: said so


def test_install_uses_the_mirror_setting(data_dir, mirror, tmp_path, capsys):  # noqa: F811
    base, served = mirror
    tiny.zip_folder(tiny.pack_folder(tmp_path / "b"), served / "buffalo_l.zip")
    (data_dir / "settings.toml").write_text(f'[engine]\npack_mirror = "{base}"\n')
    assert run(data_dir, "install", "buffalo_l", "--yes", "--quiet") == 0
    assert "installed buffalo_l" in capsys.readouterr().out


def test_install_unknown_name(data_dir, capsys):
    assert run(data_dir, "install", "nope", "--yes") == 1
    assert "unknown pack 'nope'" in capsys.readouterr().err


@pytest.mark.parametrize("argv", [["verify", "ghost"], ["remove", "../etc"]])
def test_bad_names_are_errors(data_dir, capsys, argv):
    assert run(data_dir, *argv) == 1
    assert capsys.readouterr().err.startswith("facekiosk: error:")


def test_bench_packs_reports_medians_and_ratio(capsys):
    assert main(["bench", "packs", "--size-mb", "1", "--runs", "2", "--json"]) == 0
    out = json.loads(capsys.readouterr().out)
    assert set(out) == {
        "size_mb",
        "runs",
        "sha256",
        "download_plain",
        "download_checked",
        "download_ratio_vs_plain",
    }
    assert out["download_checked"]["median_s"] > 0 and out["download_ratio_vs_plain"] > 0
