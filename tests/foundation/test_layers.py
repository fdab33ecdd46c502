"""The house rules of docs/ARCHITECTURE.md, checked on the source: each room imports only
the rooms below it (lazy imports inside functions count too), and only ui/ and the Qt parts of
bench/ touch Qt. That nothing imports bench/ is test_bench_boundary.py's check. A new front end
(an HTTP API, a site sync) sits beside ui/ and obeys the same table."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

PACKAGE = Path(__file__).resolve().parents[2] / "app" / "facekiosk"

# room -> top-level facekiosk rooms (and third-party roots) it must never import
FORBIDDEN: dict[str, set[str]] = {
    "engine": {"vault", "kiosk", "pipeline", "ui", "cli", "bench", "PySide6"},
    "vault": {"kiosk", "pipeline", "ui", "cli", "bench", "PySide6"},
    "settings": {"engine", "vault", "kiosk", "pipeline", "ui", "cli", "bench", "PySide6"},
    "kiosk": {"pipeline", "ui", "cli", "bench", "PySide6"},
    "pipeline": {"ui", "cli", "bench", "PySide6"},
    "ui": {"cli", "bench"},
    "site": {"pipeline", "ui", "cli", "bench", "PySide6"},  # beside ui: kiosk, vault, engine
}


def _imports(path: Path) -> set[tuple[str, int]]:
    """(dotted module, line) of every import in a file, relative imports resolved."""
    tree = ast.parse(path.read_text(encoding="utf-8"), str(path))
    found: set[tuple[str, int]] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            found.update((alias.name, node.lineno) for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module:
            if node.level:
                base = path.relative_to(PACKAGE.parent).with_suffix("").parts[: -node.level]
                found.add((".".join((*base, node.module)), node.lineno))
            else:
                found.add((node.module, node.lineno))
    return found


def _room_of(module: str) -> str:
    parts = module.split(".")
    if parts[0] == "facekiosk":
        return parts[1] if len(parts) > 1 else ""
    return parts[0]


@pytest.mark.parametrize("room", sorted(FORBIDDEN))
def test_room_imports_only_what_is_below_it(room: str) -> None:
    files = sorted((PACKAGE / room).rglob("*.py")) if (PACKAGE / room).is_dir() else []
    if not files:
        files = [PACKAGE / f"{room}.py"]
    assert all(f.is_file() for f in files), f"room {room} not found"
    breaches = [
        f"{f.relative_to(PACKAGE)}:{line} imports {module}"
        for f in files
        for module, line in sorted(_imports(f))
        if _room_of(module) in FORBIDDEN[room]
    ]
    assert not breaches, "\n".join(breaches)


def test_only_the_front_ends_wire_the_site_room() -> None:
    """Nothing below the front ends imports site/: only cli/ and ui/app.py start it."""
    wiring = {PACKAGE / "ui" / "app.py", PACKAGE / "ui" / "admin" / "site_tab.py",
              PACKAGE / "doctor.py"}  # fmt: skip
    breaches = [
        f"{f.relative_to(PACKAGE)}:{line}"
        for f in sorted(PACKAGE.rglob("*.py"))
        if f.parent.name not in ("site", "cli", "bench") and f not in wiring
        for module, line in sorted(_imports(f))
        if _room_of(module) == "site"
    ]
    assert not breaches, "\n".join(breaches)


def test_the_checker_sees_a_lazy_import(tmp_path: Path) -> None:
    """Guard against a checker that can never fail: an import inside a function counts."""
    probe = tmp_path / "probe.py"
    probe.write_text("def show():\n    from facekiosk.ui import main_window\n")
    assert [_room_of(m) for m, _ in _imports(probe)] == ["ui"]
