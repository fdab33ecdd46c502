"""Benchmarks are one package that only the CLI calls: runtime code must not import it
(a kiosk would then ship and load measuring code; a helper it needs belongs to its room)."""

from __future__ import annotations

import ast
from pathlib import Path

import facekiosk

ROOT = Path(facekiosk.__file__).parent
ALLOWED = ("bench", "cli")  # the package itself and the commands that run it


def _imported_modules(path: Path) -> set[str]:
    names: set[str] = set()
    for node in ast.walk(ast.parse(path.read_text(), str(path))):
        if isinstance(node, ast.Import):
            names.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            names.add(node.module)
            names.update(f"{node.module}.{alias.name}" for alias in node.names)
    return names


def test_nothing_outside_bench_and_cli_imports_bench():
    offenders = []
    for path in sorted(ROOT.rglob("*.py")):
        rel = path.relative_to(ROOT)
        if rel.parts[0] in ALLOWED:
            continue
        for name in _imported_modules(path):
            if name == "facekiosk.bench" or name.startswith("facekiosk.bench."):
                offenders.append(f"{rel}: {name}")
    assert not offenders, offenders


def test_every_benchmark_module_lives_in_bench():
    # The old homes (engine/bench_*.py, vault/search_bench.py, ui/bench.py, ...) stay empty.
    strays = [
        str(p.relative_to(ROOT))
        for p in ROOT.rglob("*bench*.py")
        if p.relative_to(ROOT).parts[0] not in ALLOWED
    ]
    assert not strays, strays
