"""The per-pack manifest `facekiosk-pack.json`: every file's size, sha256 and task,
the licence text, and where the pack came from.

We write it at install/import. A pack may also ship one (a site mirror or a
vendor builds it with `write_manifest`); the shipped file list is then what the
install is checked against. insightface's own V2 `manifest.json` is a different
file and is left to insightface.
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import asdict, dataclass, field
from pathlib import Path, PurePosixPath
from typing import Any

from facekiosk.engine.packs.errors import PackError

MANIFEST_NAME = "facekiosk-pack.json"
FORMAT = 1
_CHUNK = 1024 * 1024


@dataclass(frozen=True)
class PackFile:
    path: str  # relative POSIX path inside the pack folder
    size: int
    sha256: str
    task: str | None = None  # insightface task name ("detection", "landmark_3d_68", ...)


@dataclass
class PackManifest:
    name: str
    kind: str  # "pack" or "addon"
    files: list[PackFile]
    licence: str = ""
    source: str = ""  # URL, or "import:<file name>"
    trust: str = ""  # what the files were checked against at install
    archive_sha256: str | None = None
    installed_at: str = ""
    format: int = FORMAT
    extra: dict[str, Any] = field(default_factory=dict)

    def file(self, task: str) -> PackFile | None:
        return next((f for f in self.files if f.task == task), None)

    @property
    def total_bytes(self) -> int:
        return sum(f.size for f in self.files)

    def to_json(self) -> str:
        data = asdict(self)
        data["files"] = [asdict(f) for f in self.files]
        return json.dumps(data, indent=2, sort_keys=False) + "\n"


def safe_relative(path: str) -> str:
    """Reject absolute paths, `..`, backslashes and drive letters: a pack stays in its folder."""
    if not path or "\\" in path or "\x00" in path:
        raise PackError(f"unsafe path in pack: {path!r}")
    rel = PurePosixPath(path)
    if rel.is_absolute() or any(p in ("", ".", "..") or ":" in p for p in rel.parts):
        raise PackError(f"unsafe path in pack: {path!r}")
    return rel.as_posix()


def sha256_file(path: Path) -> tuple[int, str]:
    """(size, sha256 hex) of a file, read in 1 MiB chunks."""
    digest = hashlib.sha256()
    size = 0
    with path.open("rb") as fh:
        while chunk := fh.read(_CHUNK):
            digest.update(chunk)
            size += len(chunk)
    return size, digest.hexdigest()


def content_files(folder: Path) -> list[str]:
    """Every regular file under `folder` except our manifest, as sorted relative paths."""
    out = []
    for p in folder.rglob("*"):
        if p.is_symlink():
            raise PackError(f"pack contains a symbolic link: {p.relative_to(folder)}")
        if p.is_file() and p.name != MANIFEST_NAME:
            out.append(p.relative_to(folder).as_posix())
    return sorted(out)


def describe_folder(folder: Path, tasks: dict[str, str | None] | None = None) -> list[PackFile]:
    tasks = tasks or {}
    files = []
    for rel in content_files(folder):
        size, digest = sha256_file(folder / rel)
        files.append(PackFile(rel, size, digest, tasks.get(rel)))
    return files


def parse_manifest(text: str, *, source: str) -> PackManifest:
    try:
        raw = json.loads(text)
    except json.JSONDecodeError as exc:
        raise PackError(f"{source}: not valid JSON ({exc.msg} at line {exc.lineno})") from exc
    if not isinstance(raw, dict):
        raise PackError(f"{source}: expected a JSON object")
    if raw.get("format", FORMAT) != FORMAT:
        raise PackError(f"{source}: unsupported manifest format {raw.get('format')!r}")
    raw_files = raw.get("files")
    if not isinstance(raw_files, list) or not raw_files:
        raise PackError(f"{source}: 'files' must be a non-empty list")
    files = []
    for i, item in enumerate(raw_files):
        try:
            f = PackFile(
                path=safe_relative(str(item["path"])),
                size=int(item["size"]),
                sha256=str(item["sha256"]).lower(),
                task=item.get("task"),
            )
        except (KeyError, TypeError, ValueError) as exc:
            raise PackError(f"{source}: files[{i}] needs path, size and sha256") from exc
        if len(f.sha256) != 64 or any(c not in "0123456789abcdef" for c in f.sha256):
            raise PackError(f"{source}: files[{i}].sha256 is not a sha256 hex digest")
        files.append(f)
    known = {"name", "kind", "files", "licence", "source", "trust", "archive_sha256"}
    known |= {"installed_at", "format", "extra"}
    return PackManifest(
        name=str(raw.get("name", "")),
        kind=str(raw.get("kind", "pack")),
        files=files,
        licence=str(raw.get("licence", "")),
        source=str(raw.get("source", "")),
        trust=str(raw.get("trust", "")),
        archive_sha256=raw.get("archive_sha256"),
        installed_at=str(raw.get("installed_at", "")),
        extra={k: v for k, v in raw.items() if k not in known},
    )


def read_manifest(folder: Path) -> PackManifest | None:
    path = folder / MANIFEST_NAME
    if not path.is_file():
        return None
    try:
        text = path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        raise PackError(f"{path}: unreadable ({exc})") from exc
    return parse_manifest(text, source=str(path))


def write_manifest(folder: Path, manifest: PackManifest) -> Path:
    path = folder / MANIFEST_NAME
    path.write_text(manifest.to_json(), encoding="utf-8")
    return path


def check_files(folder: Path, expected: list[PackFile], *, full: bool = True) -> list[str]:
    """Problems found comparing `folder` with `expected`; empty means it matches.

    full=False checks presence and sizes only (no hashing).
    """
    problems = []
    listed = {f.path for f in expected}
    for f in expected:
        path = folder / f.path
        if not path.is_file():
            problems.append(f"{f.path}: missing")
            continue
        if full:
            size, digest = sha256_file(path)
        else:
            size, digest = path.stat().st_size, f.sha256
        if size != f.size:
            problems.append(f"{f.path}: size {size} bytes, manifest says {f.size}")
        elif digest != f.sha256:
            problems.append(f"{f.path}: sha256 differs from the manifest (file modified)")
    for rel in content_files(folder):
        if rel not in listed:
            problems.append(f"{rel}: not in the manifest (unexpected file)")
    return problems
