"""insightface model packs: catalog, install (the only network use), offline import,
verify, remove, list, and the liveness addon loader. No Qt here.

Packs live in `<data_dir>/models/<name>/` with a `facekiosk-pack.json` manifest.
"""

from facekiosk.engine.packs.addon import load_liveness_addon
from facekiosk.engine.packs.catalog import CATALOG, NON_COMMERCIAL, CatalogEntry
from facekiosk.engine.packs.errors import PackError
from facekiosk.engine.packs.manifest import MANIFEST_NAME, PackFile, PackManifest, read_manifest
from facekiosk.engine.packs.store import (
    InstallResult,
    PackStatus,
    VerifyReport,
    guess_name,
    import_pack,
    install_pack,
    installed_names,
    list_packs,
    models_root,
    pack_dir,
    remove_pack,
    verify_folder,
    verify_pack,
)

__all__ = [
    "CATALOG",
    "MANIFEST_NAME",
    "NON_COMMERCIAL",
    "CatalogEntry",
    "InstallResult",
    "PackError",
    "PackFile",
    "PackManifest",
    "PackStatus",
    "VerifyReport",
    "guess_name",
    "import_pack",
    "install_pack",
    "installed_names",
    "list_packs",
    "load_liveness_addon",
    "models_root",
    "pack_dir",
    "read_manifest",
    "remove_pack",
    "verify_folder",
    "verify_pack",
]
