"""The house rules of docs/ARCHITECTURE.md, checked on the source: each room imports only
the rooms below it (lazy imports inside functions count too), and only ui/ and the Qt parts of
bench/ touch Qt. That nothing imports bench/ is test_bench_boundary.py's check. The integrator
API (api/) and its webhooks (webhooks/) sit beside ui/: they may use kiosk/ and vault/, and
only the app wiring (cli/, ui/app.py, bench/) imports them."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

PACKAGE = Path(__file__).resolve().parents[2] / "app" / "facekiosk"

# room -> top-level facekiosk rooms (and third-party roots) it must never import
FRONT = {"api", "webhooks", "site"}
FORBIDDEN: dict[str, set[str]] = {
    "engine": {"vault", "kiosk", "pipeline", "ui", "cli", "bench", "PySide6", *FRONT},
    "vault": {"kiosk", "pipeline", "ui", "cli", "bench", "PySide6", *FRONT},
    "settings": {"engine", "vault", "kiosk", "pipeline", "ui", "cli", "bench", "PySide6", *FRONT},
    "kiosk": {"pipeline", "ui", "cli", "bench", "PySide6", *FRONT},
    "pipeline": {"ui", "cli", "bench", "PySide6", *FRONT},
    "ui": {"cli", "bench"},
    "api": {"ui", "cli", "bench", "pipeline", "PySide6", "site"},
    "webhooks": {"ui", "cli", "bench", "pipeline", "PySide6", "api"},
    "site": {"pipeline", "ui", "cli", "bench", "PySide6", "api", "webhooks"},  # beside ui
}
# besides api/, webhooks/, site/, cli/ and bench/, the only files that may import those front ends
FRONT_WIRING = {"ui/app.py", "ui/admin/site_tab.py", "doctor.py"}


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


def test_only_the_wiring_imports_the_api_and_webhooks() -> None:
    outside = sorted(
        f"{f.relative_to(PACKAGE)}:{line} imports {module}"
        for f in PACKAGE.rglob("*.py")
        if f.relative_to(PACKAGE).parts[0] not in {*FRONT, "cli", "bench"}
        and str(f.relative_to(PACKAGE)) not in FRONT_WIRING
        for module, line in _imports(f)
        if _room_of(module) in FRONT
    )
    assert not outside, "\n".join(outside)


def test_the_checker_sees_a_lazy_import(tmp_path: Path) -> None:
    """Guard against a checker that can never fail: an import inside a function counts."""
    probe = tmp_path / "probe.py"
    probe.write_text("def show():\n    from facekiosk.ui import main_window\n")
    assert [_room_of(m) for m, _ in _imports(probe)] == ["ui"]
