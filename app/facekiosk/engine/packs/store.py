"""Installed packs under `<data_dir>/models/<name>/`: install, import, verify, remove, list.

Every install goes through one path: files land in a hidden staging folder next
to the target, are checked (shipped manifest or publisher sha256), each model is
opened once through insightface's `model_zoo.get_model` (or its `Liveness`
class for addons) to learn its task and prove it loads, our manifest is written,
and only then is the whole folder renamed into place. A failure at any step
leaves the previous install untouched.
"""

from __future__ import annotations

import datetime as dt
import logging
import os
import re
import shutil
import tempfile
import uuid
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path

from facekiosk.engine.packs.catalog import CATALOG, CatalogEntry
from facekiosk.engine.packs.errors import PackError
from facekiosk.engine.packs.fetch import download
from facekiosk.engine.packs.manifest import (
    PackFile,
    PackManifest,
    check_files,
    read_manifest,
    sha256_file,
    write_manifest,
)
from facekiosk.engine.packs.unpack import copy_folder, extract_zip, flatten_single_folder
from facekiosk.fsutil import fsync_dir

log = logging.getLogger(__name__)

MODELS_DIR = "models"
RESERVED = frozenset({"bundled"})  # the dlib ONNX cache lives in models/bundled/
DEFAULT_MAX_BYTES = 1024 * 1024 * 1024  # cap for a pack not in the catalog
_NAME = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$")

TRUST_PUBLISHER = "publisher sha256"
TRUST_SHIPPED = "manifest shipped with the pack"
TRUST_FIRST_USE = "no published hash: file hashes recorded at install (trust on first use)"


@dataclass
class InstallResult:
    name: str
    path: Path
    manifest: PackManifest
    warnings: list[str] = field(default_factory=list)


@dataclass
class VerifyReport:
    name: str
    path: Path
    ok: bool
    problems: list[str]
    trust: str = ""


@dataclass
class PackStatus:
    name: str
    kind: str
    installed: bool
    description: str
    licence: str
    path: Path | None = None
    size_bytes: int | None = None
    source: str = ""
    trust: str = ""
    installed_at: str = ""
    publisher_sha256: bool = False
    licence_status: str = ""  # insightface's MODEL.LICENSE inspection, when installed


def models_root(data_dir: Path) -> Path:
    return Path(data_dir) / MODELS_DIR


def check_name(name: str) -> str:
    if not _NAME.fullmatch(name) or name in RESERVED:
        raise PackError(
            f"invalid pack name {name!r}: use letters, digits, '.', '_' or '-' "
            f"(and not {', '.join(sorted(RESERVED))})"
        )
    return name


def pack_dir(data_dir: Path, name: str) -> Path:
    return models_root(data_dir) / check_name(name)


# --- install / import -------------------------------------------------------------


def install_pack(
    data_dir: Path,
    name: str,
    *,
    url: str | None = None,
    mirror: str | None = None,
    sha256: str | None = None,
    max_bytes: int | None = None,
    catalog: Mapping[str, CatalogEntry] = CATALOG,
    progress: bool = True,
) -> InstallResult:
    """Download `name` (catalog URL, a mirror base `--from`, or an exact `--url`) and install it.

    The only function in facekiosk that touches the network.
    """
    check_name(name)
    entry = catalog.get(name)
    if entry is None and url is None:
        known = ", ".join(sorted(catalog))
        raise PackError(f"unknown pack {name!r}: the catalog has {known} (or give --url)")
    if url is None:
        assert entry is not None
        url = entry.url_from(mirror) if mirror else entry.url
    root = models_root(data_dir)
    root.mkdir(parents=True, exist_ok=True)
    expected = sha256 or (entry.sha256 if entry else None)
    tmp, digest = download(
        url,
        root,
        max_bytes=max_bytes or (entry.max_bytes if entry else DEFAULT_MAX_BYTES),
        expected_size=entry.size_bytes if entry else None,
        expected_sha256=expected,
        progress=progress,
    )
    filename = entry.filename if entry else Path(url.split("?")[0]).name
    try:
        return _install_file(
            data_dir,
            name,
            tmp,
            filename=filename,
            entry=entry,
            source=url,
            archive_sha256=digest,
            publisher_checked=expected is not None,
        )
    finally:
        tmp.unlink(missing_ok=True)


def import_pack(
    data_dir: Path,
    path: Path,
    *,
    name: str | None = None,
    sha256: str | None = None,
    catalog: Mapping[str, CatalogEntry] = CATALOG,
) -> InstallResult:
    """Install from a local zip, folder or single .onnx (USB stick on air-gapped sites)."""
    path = Path(path).expanduser()
    if not path.exists():
        raise PackError(f"{path}: no such file or folder")
    name = name or guess_name(path, catalog)
    check_name(name)
    entry = catalog.get(name)
    expected = (sha256 or (entry.sha256 if entry else None) or "").lower() or None
    if path.is_dir():
        return _install_folder(data_dir, name, path, entry=entry, expected_sha256=expected)
    size, digest = sha256_file(path)
    cap = entry.max_bytes if entry else DEFAULT_MAX_BYTES
    if size > cap:
        raise PackError(f"{path.name}: {size} bytes, over the {cap}-byte cap for {name}")
    if expected is not None and digest != expected:
        raise PackError(
            f"{path.name}: sha256 mismatch: expected {expected}, got {digest}; not imported"
        )
    return _install_file(
        data_dir,
        name,
        path,
        filename=entry.filename if entry and entry.kind == "addon" else path.name,
        entry=entry,
        source=f"import:{path.name}",
        archive_sha256=digest,
        publisher_checked=expected is not None,
    )


def guess_name(path: Path, catalog: Mapping[str, CatalogEntry] = CATALOG) -> str:
    """The pack name an import of `path` will use: shipped manifest, catalog file name, or stem."""
    if path.is_dir():
        shipped = read_manifest(path)
        if shipped and shipped.name:
            return shipped.name
    for entry in catalog.values():
        if entry.filename == path.name:
            return entry.name
    return path.stem if path.is_file() else path.name


def _new_staging(data_dir: Path, name: str) -> Path:
    root = models_root(data_dir)
    root.mkdir(parents=True, exist_ok=True)
    return Path(tempfile.mkdtemp(prefix=f".{name}-staging-", dir=root))


def _install_file(
    data_dir: Path,
    name: str,
    file: Path,
    *,
    filename: str,
    entry: CatalogEntry | None,
    source: str,
    archive_sha256: str,
    publisher_checked: bool,
) -> InstallResult:
    staging = _new_staging(data_dir, name)
    try:
        if filename.lower().endswith(".onnx"):
            shutil.copyfile(file, staging / filename)
        else:
            cap = 3 * (entry.max_bytes if entry else DEFAULT_MAX_BYTES)
            extract_zip(file, staging, max_total=cap)
            flatten_single_folder(staging)
        return _finish(
            data_dir,
            name,
            staging,
            entry=entry,
            source=source,
            archive_sha256=archive_sha256,
            publisher_checked=publisher_checked,
        )
    finally:
        shutil.rmtree(staging, ignore_errors=True)


def _install_folder(
    data_dir: Path,
    name: str,
    folder: Path,
    *,
    entry: CatalogEntry | None,
    expected_sha256: str | None,
) -> InstallResult:
    staging = _new_staging(data_dir, name)
    try:
        copy_folder(folder, staging)
        checked = False
        if expected_sha256 is not None and entry is not None and entry.kind == "addon":
            # The publisher's hash is of the single addon file.
            model = staging / entry.filename
            if not model.is_file() or sha256_file(model)[1] != expected_sha256:
                raise PackError(
                    f"{folder}: {entry.filename} missing or its sha256 differs from the "
                    "published one; not imported"
                )
            checked = True
        return _finish(
            data_dir,
            name,
            staging,
            entry=entry,
            source=f"import:{folder.name}/",
            archive_sha256=None,
            publisher_checked=checked,
        )
    finally:
        shutil.rmtree(staging, ignore_errors=True)


def _finish(
    data_dir: Path,
    name: str,
    staging: Path,
    *,
    entry: CatalogEntry | None,
    source: str,
    archive_sha256: str | None,
    publisher_checked: bool,
) -> InstallResult:
    warnings: list[str] = []
    shipped = read_manifest(staging)
    if shipped is not None:
        problems = check_files(staging, shipped.files)
        if problems:
            raise PackError(
                "the pack does not match the manifest it ships with: " + "; ".join(problems)
            )
        trust = TRUST_SHIPPED
    elif publisher_checked:
        trust = TRUST_PUBLISHER
    else:
        trust = TRUST_FIRST_USE
        warnings.append(
            f"{name}: the publisher gives no sha256 for this pack and it ships no "
            "manifest; its file hashes were recorded now, so `facekiosk models verify` "
            "will detect later changes but cannot prove the download itself"
        )
    kind = entry.kind if entry else (shipped.kind if shipped else _guess_kind(staging))
    from facekiosk.engine.packs.probe import probe_tasks  # imports onnxruntime: keep lazy

    tasks = probe_tasks(staging, kind)
    if shipped is not None:
        files = [PackFile(f.path, f.size, f.sha256, tasks.get(f.path)) for f in shipped.files]
    else:
        files = []
        for rel in sorted(tasks) + _non_model_files(staging, tasks):
            size, digest = sha256_file(staging / rel)
            files.append(PackFile(rel, size, digest, tasks.get(rel)))
    licence = (entry.licence if entry else "") or (shipped.licence if shipped else "")
    if not licence:
        licence = "unknown: the pack ships no licence; check the supplier's terms"
    manifest = PackManifest(
        name=name,
        kind=kind,
        files=sorted(files, key=lambda f: f.path),
        licence=licence,
        source=source,
        trust=trust,
        archive_sha256=archive_sha256,
        installed_at=dt.datetime.now(dt.UTC).isoformat(timespec="seconds"),
    )
    write_manifest(staging, manifest)
    target = pack_dir(data_dir, name)
    _swap_into_place(staging, target)
    log.info("installed model pack %s (%s; %s)", name, kind, trust)
    return InstallResult(name=name, path=target, manifest=manifest, warnings=warnings)


def _non_model_files(staging: Path, tasks: Mapping[str, str | None]) -> list[str]:
    from facekiosk.engine.packs.manifest import content_files

    return [rel for rel in content_files(staging) if rel not in tasks]


def _guess_kind(staging: Path) -> str:
    onnx = list(staging.rglob("*.onnx"))
    return "addon" if len(onnx) == 1 and onnx[0].name == "liveness.onnx" else "pack"


def _swap_into_place(staging: Path, target: Path) -> None:
    """Rename the verified staging folder onto `target`; the old install goes only after."""
    backup = None
    if target.exists():
        backup = target.with_name(f".{target.name}-old-{uuid.uuid4().hex}")
        os.replace(target, backup)
    try:
        os.replace(staging, target)
    except BaseException:
        if backup is not None:
            os.replace(backup, target)
        raise
    fsync_dir(target.parent)
    if backup is not None:
        shutil.rmtree(backup, ignore_errors=True)


# --- verify / remove / list --------------------------------------------------------


def installed_names(data_dir: Path) -> list[str]:
    root = models_root(data_dir)
    if not root.is_dir():
        return []
    return sorted(
        p.name
        for p in root.iterdir()
        if p.is_dir() and not p.name.startswith(".") and p.name not in RESERVED
    )


def verify_pack(data_dir: Path, name: str) -> VerifyReport:
    folder = pack_dir(data_dir, name)
    if not folder.is_dir():
        raise PackError(f"pack {name!r} is not installed")
    return verify_folder(folder, name=name)


def verify_folder(folder: Path, *, name: str | None = None, full: bool = True) -> VerifyReport:
    name = name or folder.name
    try:
        manifest = read_manifest(folder)
    except PackError as exc:
        return VerifyReport(name, folder, False, [str(exc)])
    if manifest is None:
        return VerifyReport(
            name,
            folder,
            False,
            ["no facekiosk-pack.json: not installed through facekiosk (re-import it)"],
        )
    problems = check_files(folder, manifest.files, full=full)
    return VerifyReport(name, folder, not problems, problems, manifest.trust)


def remove_pack(data_dir: Path, name: str) -> Path:
    folder = pack_dir(data_dir, name)
    if not folder.is_dir():
        raise PackError(f"pack {name!r} is not installed")
    # Rename first so a half-deleted pack is never seen under its real name.
    doomed = folder.with_name(f".{name}-removing-{uuid.uuid4().hex}")
    os.replace(folder, doomed)
    shutil.rmtree(doomed)
    log.info("removed model pack %s", name)
    return folder


def list_packs(data_dir: Path, catalog: Mapping[str, CatalogEntry] = CATALOG) -> list[PackStatus]:
    rows: dict[str, PackStatus] = {}
    for entry in catalog.values():
        rows[entry.name] = PackStatus(
            name=entry.name,
            kind=entry.kind,
            installed=False,
            description=entry.description,
            licence=entry.licence,
            publisher_sha256=entry.sha256 is not None,
        )
    for name in installed_names(data_dir):
        folder = models_root(data_dir) / name
        listed = catalog.get(name)
        try:
            manifest = read_manifest(folder)
        except PackError:
            manifest = None
        status = rows.get(name) or PackStatus(
            name=name,
            kind=manifest.kind if manifest else "unknown",
            installed=True,
            description="" if manifest else "not installed through facekiosk",
            licence=(manifest.licence if manifest else "") or "unknown",
        )
        status.installed = True
        status.path = folder
        if manifest is not None:
            status.size_bytes = manifest.total_bytes
            status.source = manifest.source
            status.trust = manifest.trust
            status.installed_at = manifest.installed_at
        if listed is not None and listed.kind == "pack":
            status.licence_status = _insightface_licence(folder)
        rows[name] = status
    return sorted(rows.values(), key=lambda r: (not r.installed, r.name))


def _insightface_licence(folder: Path) -> str:
    """insightface's own reading of the pack's MODEL.LICENSE (absent = non-commercial)."""
    from insightface.model_zoo.model_license import inspect_model_package_license

    inspection = inspect_model_package_license(folder)
    return f"{inspection.status}: {inspection.message}"
