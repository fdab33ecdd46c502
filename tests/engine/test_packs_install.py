"""`install` over HTTP against a local server on 127.0.0.1 serving generated packs.

Covers the happy path through the real catalog with a mirror (`--from`), a
shipped manifest, truncated / oversized / wrong-hash / unreachable downloads,
hostile zips, and that a failed install never disturbs the previous one.
"""

from __future__ import annotations

import dataclasses
import http.server
import shutil
import socket
import threading
import zipfile
from pathlib import Path

import pytest

from facekiosk.engine.packs import (
    CATALOG,
    PackError,
    install_pack,
    load_liveness_addon,
    read_manifest,
    verify_pack,
)
from facekiosk.engine.packs.store import TRUST_FIRST_USE, TRUST_PUBLISHER, TRUST_SHIPPED
from tests.engine import test_packs_tiny as tiny


class _Handler(http.server.SimpleHTTPRequestHandler):
    """Static files, plus /truncated/<f> (lies about its length) and /nolength/<f>."""

    def log_message(self, *args: object) -> None:  # keep test output clean
        pass

    def do_GET(self) -> None:
        for prefix in ("/truncated/", "/nolength/"):
            if self.path.startswith(prefix):
                data = (Path(self.directory) / self.path[len(prefix) :]).read_bytes()
                self.send_response(200)
                if prefix == "/truncated/":
                    self.send_header("Content-Length", str(len(data)))
                    data = data[: len(data) // 2]
                self.send_header("Connection", "close")
                self.end_headers()
                self.wfile.write(data)
                self.close_connection = True
                return
        super().do_GET()


@pytest.fixture
def mirror(tmp_path):
    """(base URL, served folder) of a local HTTP server."""
    served = tmp_path / "served"
    served.mkdir()

    def handler(*args, **kwargs):
        return _Handler(*args, directory=str(served), **kwargs)

    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}", served
    finally:
        server.shutdown()
        server.server_close()


def _serve_pack(served: Path, tmp_path: Path, *, manifest: bool = False) -> Path:
    folder = tiny.pack_folder(tmp_path / "build", manifest=manifest)
    return tiny.zip_folder(folder, served / "buffalo_l.zip", top="buffalo_l")


def _leftovers(data_dir: Path) -> list[str]:
    root = data_dir / "models"
    return sorted(p.name for p in root.iterdir() if p.name.startswith(".")) if root.exists() else []


def test_install_from_mirror_records_hashes_and_tasks(data_dir, mirror, tmp_path):
    base, served = mirror
    _serve_pack(served, tmp_path)
    result = install_pack(data_dir, "buffalo_l", mirror=base, progress=False)
    assert result.path == data_dir / "models" / "buffalo_l"
    manifest = read_manifest(result.path)
    assert {f.path: f.task for f in manifest.files} == tiny.PACK_FILES
    assert manifest.trust == TRUST_FIRST_USE and result.warnings  # insightface publishes no sha256
    assert "NON-COMMERCIAL" in manifest.licence
    assert manifest.source == f"{base}/buffalo_l.zip"
    assert verify_pack(data_dir, "buffalo_l").ok
    assert _leftovers(data_dir) == []


def test_install_checks_the_shipped_manifest(data_dir, mirror, tmp_path):
    base, served = mirror
    _serve_pack(served, tmp_path, manifest=True)
    result = install_pack(data_dir, "buffalo_l", mirror=base, progress=False)
    assert result.manifest.trust == TRUST_SHIPPED and not result.warnings


def test_install_refuses_a_pack_that_contradicts_its_manifest(data_dir, mirror, tmp_path):
    base, served = mirror
    folder = tiny.pack_folder(tmp_path / "build", manifest=True)
    with (folder / "w600k_r50.onnx").open("ab") as fh:
        fh.write(b"\0")  # changed after the manifest was written
    tiny.zip_folder(folder, served / "buffalo_l.zip")
    with pytest.raises(PackError, match="does not match the manifest"):
        install_pack(data_dir, "buffalo_l", mirror=base, progress=False)
    assert not (data_dir / "models" / "buffalo_l").exists()
    assert _leftovers(data_dir) == []


def test_truncated_download_is_refused_and_cleaned_up(data_dir, mirror, tmp_path):
    base, served = mirror
    _serve_pack(served, tmp_path)
    with pytest.raises(PackError, match="truncated"):
        install_pack(data_dir, "buffalo_l", url=f"{base}/truncated/buffalo_l.zip", progress=False)
    assert not (data_dir / "models" / "buffalo_l").exists()
    assert _leftovers(data_dir) == []


def test_truncated_zip_without_length_is_refused(data_dir, mirror, tmp_path):
    base, served = mirror
    archive = _serve_pack(served, tmp_path)
    cut = served / "cut.zip"
    cut.write_bytes(archive.read_bytes()[: archive.stat().st_size // 2])
    with pytest.raises(PackError, match="not a zip archive, or truncated"):
        install_pack(data_dir, "buffalo_l", url=f"{base}/nolength/cut.zip", progress=False)
    assert _leftovers(data_dir) == []


def test_oversized_download_is_refused_from_its_header(data_dir, mirror, tmp_path):
    base, served = mirror
    _serve_pack(served, tmp_path)
    with pytest.raises(PackError, match="refusing to download"):
        install_pack(data_dir, "buffalo_l", mirror=base, max_bytes=1000, progress=False)
    assert _leftovers(data_dir) == []


def test_oversized_download_is_cut_while_streaming(data_dir, mirror, tmp_path):
    base, served = mirror
    _serve_pack(served, tmp_path)
    with pytest.raises(PackError, match="passed the 1000-byte cap"):
        install_pack(
            data_dir,
            "buffalo_l",
            url=f"{base}/nolength/buffalo_l.zip",
            max_bytes=1000,
            progress=False,
        )
    assert _leftovers(data_dir) == []


def test_wrong_sha256_is_refused(data_dir, mirror, tmp_path):
    base, served = mirror
    _serve_pack(served, tmp_path)
    with pytest.raises(PackError, match="sha256 mismatch"):
        install_pack(data_dir, "buffalo_l", mirror=base, sha256="0" * 64, progress=False)
    assert not (data_dir / "models" / "buffalo_l").exists()


def _liveness_catalog(base: str, model: Path) -> dict:
    entry = dataclasses.replace(
        CATALOG["liveness"],
        url=f"{base}/liveness.onnx",
        sha256=tiny.sha256(model),
        size_bytes=model.stat().st_size,
        max_bytes=model.stat().st_size,
    )
    return {**CATALOG, "liveness": entry}


def test_liveness_addon_installs_and_loads(data_dir, mirror):
    base, served = mirror
    model = tiny.liveness(served / "liveness.onnx")
    assert load_liveness_addon(data_dir, None, 0.8) is None  # not installed yet
    result = install_pack(
        data_dir, "liveness", catalog=_liveness_catalog(base, model), progress=False
    )
    assert result.manifest.trust == TRUST_PUBLISHER
    addon = load_liveness_addon(data_dir, ["CPUExecutionProvider"], 0.5)
    kps = [[300, 330], [340, 330], [320, 345], [305, 360], [335, 360]]
    assert addon.predict(tiny.face_image(), kps)["status"] == "ok"
    assert addon.threshold == 0.5


def test_liveness_with_the_real_catalog_hash_rejects_another_file(data_dir, mirror):
    base, served = mirror
    tiny.liveness(served / "liveness.onnx")  # not insightface's published file
    with pytest.raises(PackError, match=r"got \d+ bytes, expected exactly 1484006|sha256"):
        install_pack(data_dir, "liveness", mirror=base, progress=False)
    assert load_liveness_addon(data_dir, None, 0.8) is None


def test_modified_liveness_addon_is_an_error_not_none(data_dir, mirror):
    base, served = mirror
    model = tiny.liveness(served / "liveness.onnx")
    install_pack(data_dir, "liveness", catalog=_liveness_catalog(base, model), progress=False)
    with (data_dir / "models" / "liveness" / "liveness.onnx").open("ab") as fh:
        fh.write(b"x")
    with pytest.raises(PackError, match="fails verification"):
        load_liveness_addon(data_dir, None, 0.8)


def test_offline_gives_the_usb_hint(data_dir):
    with socket.socket() as s:  # a loopback port nobody listens on
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    with pytest.raises(PackError, match=r"offline.*models import PATH"):
        install_pack(data_dir, "buffalo_l", mirror=f"http://127.0.0.1:{port}", progress=False)
    assert _leftovers(data_dir) == []


def test_missing_file_on_mirror_is_http_404(data_dir, mirror):
    base, _ = mirror
    with pytest.raises(PackError, match="HTTP 404"):
        install_pack(data_dir, "buffalo_sc", mirror=base, progress=False)


def test_unknown_name_needs_a_url(data_dir):
    with pytest.raises(PackError, match=r"unknown pack 'nope'.*buffalo_l"):
        install_pack(data_dir, "nope", progress=False)


def test_failed_reinstall_keeps_the_previous_install(data_dir, mirror, tmp_path):
    base, served = mirror
    _serve_pack(served, tmp_path)
    install_pack(data_dir, "buffalo_l", mirror=base, progress=False)
    before = read_manifest(data_dir / "models" / "buffalo_l")
    with pytest.raises(PackError):
        install_pack(data_dir, "buffalo_l", url=f"{base}/truncated/buffalo_l.zip", progress=False)
    assert read_manifest(data_dir / "models" / "buffalo_l") == before
    assert verify_pack(data_dir, "buffalo_l").ok


def test_a_zip_without_face_models_is_not_a_pack(data_dir, mirror, tmp_path):
    base, served = mirror
    folder = tmp_path / "build"
    tiny.arcface(folder / "w600k_r50.onnx")
    tiny.zip_folder(folder, served / "buffalo_l.zip")
    with pytest.raises(PackError, match="no detection model"):
        install_pack(data_dir, "buffalo_l", mirror=base, progress=False)


def test_a_corrupt_model_is_named(data_dir, mirror, tmp_path):
    base, served = mirror
    folder = tiny.pack_folder(tmp_path / "build")
    (folder / "1k3d68.onnx").write_bytes(b"this is not onnx")
    tiny.zip_folder(folder, served / "buffalo_l.zip")
    with pytest.raises(PackError, match=r"1k3d68\.onnx: not a loadable ONNX model"):
        install_pack(data_dir, "buffalo_l", mirror=base, progress=False)
    assert _leftovers(data_dir) == []


def test_zip_path_traversal_is_refused(data_dir, mirror, tmp_path):
    base, served = mirror
    with zipfile.ZipFile(served / "buffalo_l.zip", "w") as zf:
        zf.writestr("../../evil.onnx", b"x")
    with pytest.raises(PackError, match="unsafe path"):
        install_pack(data_dir, "buffalo_l", mirror=base, progress=False)
    assert not (data_dir / "evil.onnx").exists() and not (data_dir.parent / "evil.onnx").exists()
    shutil.rmtree(data_dir / "models")


def test_a_full_disk_is_reported_before_writing(data_dir, mirror, tmp_path, monkeypatch):
    # A full disk cannot be produced on demand; report a nearly full one instead.
    base, served = mirror
    _serve_pack(served, tmp_path)
    real = shutil.disk_usage

    def nearly_full(path):
        return real(path)._replace(free=100)

    monkeypatch.setattr("facekiosk.engine.packs.unpack.shutil.disk_usage", nearly_full)
    with pytest.raises(PackError, match=r"downloading buffalo_l\.zip needs .* MB are free"):
        install_pack(data_dir, "buffalo_l", mirror=base, progress=False)
    assert _leftovers(data_dir) == []
