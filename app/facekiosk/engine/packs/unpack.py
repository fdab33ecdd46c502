"""Putting pack files into a staging folder safely: zip, folder or single .onnx.

A pack is untrusted input until verified: no path may leave the folder, no
symlinks, and a zip may not unpack to more than its cap (zip bombs).
"""

from __future__ import annotations

import shutil
import stat
import uuid
import zipfile
import zlib
from pathlib import Path

from facekiosk.engine.packs.errors import PackError
from facekiosk.engine.packs.manifest import safe_relative

_CHUNK = 1024 * 1024
_SKIP_PREFIXES = ("__MACOSX/",)


def extract_zip(archive: Path, dest: Path, *, max_total: int) -> None:
    try:
        zf = zipfile.ZipFile(archive)
    except (zipfile.BadZipFile, OSError) as exc:
        raise PackError(f"{archive.name}: not a zip archive, or truncated ({exc})") from exc
    with zf:
        members = [
            i for i in zf.infolist() if not i.is_dir() and not i.filename.startswith(_SKIP_PREFIXES)
        ]
        if not members:
            raise PackError(f"{archive.name}: the archive is empty")
        declared = sum(i.file_size for i in members)
        if declared > max_total:
            raise PackError(
                f"{archive.name}: unpacks to {declared} bytes, over the {max_total}-byte cap"
            )
        require_free_space(dest, declared, what=f"unpacking {archive.name}")
        written = 0
        for info in members:
            rel = safe_relative(info.filename)
            if stat.S_ISLNK(info.external_attr >> 16):
                raise PackError(f"{archive.name}: {rel} is a symbolic link; refused")
            target = dest / rel
            target.parent.mkdir(parents=True, exist_ok=True)
            try:
                with zf.open(info) as src, target.open("wb") as out:
                    while chunk := src.read(_CHUNK):
                        written += len(chunk)
                        if written > max_total:  # sizes in the header can lie
                            raise PackError(f"{archive.name}: unpacks past the size cap")
                        out.write(chunk)
            except (zipfile.BadZipFile, EOFError, zlib.error) as exc:
                raise PackError(f"{archive.name}: corrupt or truncated at {rel} ({exc})") from exc


def require_free_space(folder: Path, needed: int, *, what: str) -> None:
    """Fail before writing rather than leave a disk full of half a pack."""
    free = shutil.disk_usage(folder).free
    if needed > free:
        raise PackError(
            f"{what} needs {needed / 1e6:.1f} MB but only {free / 1e6:.1f} MB are free in {folder}"
        )


def copy_folder(source: Path, dest: Path) -> None:
    total = 0
    for p in source.rglob("*"):
        if p.is_symlink():
            raise PackError(f"{source}: {p.relative_to(source)} is a symbolic link; refused")
        if p.is_file():
            total += p.stat().st_size
    require_free_space(dest, total, what=f"copying {source.name}")
    shutil.copytree(source, dest, dirs_exist_ok=True)


def flatten_single_folder(folder: Path) -> None:
    """`antelopev2.zip` holds `antelopev2/*.onnx`: lift a lone top folder's content up."""
    entries = [e for e in folder.iterdir() if not e.name.startswith(".")]
    if len(entries) != 1 or not entries[0].is_dir():
        return
    moved = folder / f".flatten-{uuid.uuid4().hex}"
    entries[0].rename(moved)
    for child in moved.iterdir():
        child.rename(folder / child.name)
    moved.rmdir()
