"""Build/cache logic, the runtime's input checks, the fallback and the CLI command."""

from __future__ import annotations

import argparse
import json
import logging
from pathlib import Path

import numpy as np
import onnx
import pytest
from onnx import TensorProto, helper

from facekiosk.cli.context import CliContext
from facekiosk.cli.models_bundled import register_models
from facekiosk.engine.dlib_onnx import (
    BuildError,
    OnnxDescriptor,
    build,
    build_bundled,
    bundled_dat_path,
    load_descriptor,
)
from facekiosk.engine.types import EngineError


@pytest.fixture(scope="module")
def built(tmp_path_factory):
    """One real build shared by the tests that only read it."""
    data_dir = tmp_path_factory.mktemp("data")
    return data_dir, build_bundled(data_dir)


def test_build_names_the_file_by_the_dat_sha256(built) -> None:
    data_dir, result = built
    sha = build.file_sha256(bundled_dat_path())
    assert result.built and result.dat_sha256 == sha
    assert result.path == data_dir / "models" / "bundled" / f"dlib_resnet_v1-{sha[:16]}.onnx"
    assert result.parameters == 5_614_592
    assert result.self_check_cosine >= 0.9999 and result.self_check_max_abs <= 1e-3
    meta = {p.key: p.value for p in onnx.load(str(result.path)).metadata_props}
    assert meta["source_sha256"] == sha
    # Only the model itself is left in the folder: no temp files.
    assert [p.name for p in result.path.parent.iterdir()] == [result.path.name]


def test_second_build_reuses_the_cached_model(built) -> None:
    data_dir, first = built
    mtime = first.path.stat().st_mtime_ns
    again = build_bundled(data_dir)
    assert not again.built and again.path == first.path
    assert first.path.stat().st_mtime_ns == mtime


def test_corrupt_cache_is_rebuilt(tmp_path) -> None:
    first = build_bundled(tmp_path, verify=False)
    first.path.write_bytes(first.path.read_bytes()[:1000])  # a torn or damaged file
    descriptor = load_descriptor(tmp_path)
    assert descriptor is not None
    assert descriptor.compute(np.zeros((1, 150, 150, 3), np.uint8)).shape == (1, 128)
    assert first.path.stat().st_size > 20_000_000


def test_model_from_an_older_converter_is_rebuilt(tmp_path, monkeypatch) -> None:
    first = build_bundled(tmp_path, verify=False)
    monkeypatch.setattr(build, "CONVERTER_VERSION", "0-older")
    again = build_bundled(tmp_path, verify=False)
    assert again.built and again.path == first.path
    meta = {p.key: p.value for p in onnx.load(str(again.path)).metadata_props}
    assert meta["converter_version"] == "0-older"


def test_data_dir_none_uses_the_user_cache_dir(tmp_path, monkeypatch) -> None:
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "cache"))
    path = build.model_path_for(None, "ab" * 32)
    assert path == tmp_path / "cache" / "facekiosk" / "models" / "bundled" / (
        "dlib_resnet_v1-" + "ab" * 8 + ".onnx"
    )


def test_not_a_resnet_is_a_build_error_and_leaves_nothing(tmp_path) -> None:
    wrong = bundled_dat_path().parent / "shape_predictor_5_face_landmarks.dat"
    with pytest.raises(BuildError, match="cannot convert"):
        build_bundled(tmp_path, dat=wrong)
    assert not list((tmp_path).rglob("*.onnx"))


def test_failed_conversion_falls_back_with_a_warning(tmp_path, monkeypatch, caplog) -> None:
    wrong = bundled_dat_path().parent / "shape_predictor_5_face_landmarks.dat"
    monkeypatch.setattr(build, "bundled_dat_path", lambda: wrong)
    with caplog.at_level(logging.WARNING, logger="facekiosk.engine.dlib_onnx.build"):
        assert load_descriptor(tmp_path) is None
    assert "falling back to dlib" in caplog.text


def test_compute_rejects_bad_chips(built) -> None:
    descriptor = OnnxDescriptor(built[1].path, threads=1)
    with pytest.raises(ValueError, match="batch"):
        descriptor.compute(np.zeros((150, 150, 3), np.uint8))
    with pytest.raises(ValueError, match="uint8"):
        descriptor.compute(np.zeros((1, 150, 150, 3), np.float32))
    with pytest.raises(ValueError, match=r"\[N, 150, 150, 3\]"):
        descriptor.compute(np.zeros((1, 112, 112, 3), np.uint8))
    assert descriptor.compute(np.zeros((0, 150, 150, 3), np.uint8)).shape == (0, 128)


def test_runtime_refuses_a_model_with_another_contract(tmp_path) -> None:
    node = helper.make_node("Identity", ["x"], ["y"])
    graph = helper.make_graph(
        [node],
        "other",
        [helper.make_tensor_value_info("x", TensorProto.FLOAT, ["N", 112, 112, 3])],
        [helper.make_tensor_value_info("y", TensorProto.FLOAT, ["N", 112, 112, 3])],
    )
    model = helper.make_model(graph, opset_imports=[helper.make_opsetid("", 17)])
    model.ir_version = 8
    path = tmp_path / "other.onnx"
    onnx.save(model, str(path))
    with pytest.raises(EngineError, match="expected input"):
        OnnxDescriptor(path)
    garbage = tmp_path / "garbage.onnx"
    garbage.write_bytes(b"not a model")
    with pytest.raises(EngineError, match="cannot load"):
        OnnxDescriptor(garbage)


def test_cli_build_bundled_json(built, capsys) -> None:
    data_dir, first = built
    parser = argparse.ArgumentParser()
    models = parser.add_subparsers().add_parser("models").add_subparsers()
    register_models(models)
    args = parser.parse_args(["models", "build-bundled", "--json"])
    assert args.func(args, CliContext(data_dir=data_dir)) == 0
    report = json.loads(capsys.readouterr().out)
    assert report["path"] == str(first.path) and report["built"] is False
    assert report["dat_sha256"] == first.dat_sha256


def test_facekiosk_models_build_bundled_through_the_dispatcher(tmp_path, capsys) -> None:
    from facekiosk.cli import main

    data_dir = tmp_path / "home"
    assert main(["--data-dir", str(data_dir), "models", "build-bundled", "--json"]) == 0
    report = json.loads(capsys.readouterr().out)
    assert report["built"] is True and Path(report["path"]).is_file()
    assert Path(report["path"]).parent == data_dir / "models" / "bundled"
    sface = report["sface"]
    assert sface["built"] is True and sface["self_check_cosine"] >= 0.9999
    assert Path(sface["path"]).parent == data_dir / "models" / "bundled"
    assert main(["--data-dir", str(data_dir), "models", "build-bundled"]) == 0
    lines = capsys.readouterr().out.splitlines()
    assert len(lines) == 2 and all(line.startswith("up to date:") for line in lines)


def test_one_descriptor_shared_by_threads_gives_the_same_vectors(built) -> None:
    from concurrent.futures import ThreadPoolExecutor

    descriptor = OnnxDescriptor(built[1].path)
    rng = np.random.default_rng(7)
    chips = rng.integers(0, 256, size=(4, 150, 150, 3), dtype=np.uint8)
    expected = descriptor.compute(chips)
    with ThreadPoolExecutor(max_workers=4) as pool:
        results = list(pool.map(lambda _: descriptor.compute(chips), range(8)))
    for got in results:
        np.testing.assert_allclose(got, expected, atol=1e-6)
    # A non-contiguous view (mirrored chips) is accepted and differs from the original.
    mirrored = descriptor.compute(chips[:, :, ::-1])
    assert mirrored.shape == (4, 128) and not np.allclose(mirrored, expected, atol=1e-3)
