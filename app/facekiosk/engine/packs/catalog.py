"""What can be installed: insightface's own model packs and addons, read-only.

Names and URLs come from insightface itself (`utils.storage.model_zoo_download_url`
for the model-zoo packs, `addons.catalog.ADDON_CATALOG` for the liveness addon).
insightface publishes a sha256 and exact size only for its addons; for the
model-zoo zips it publishes neither, so those entries carry `sha256=None` and a
generous size *cap* instead, and an install is checked against the manifest
shipped inside the pack when there is one, or has its hashes recorded at install
(trust on first use) and said so.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from types import MappingProxyType
from typing import Literal

from insightface.addons.catalog import ADDON_CATALOG
from insightface.utils.storage import model_zoo_download_url

from facekiosk.engine.packs.errors import PackError

MB = 1024 * 1024

# insightface's README: the pretrained packs and the data they were trained on
# are for non-commercial research only; a commercial licence is sold separately.
NON_COMMERCIAL = (
    "InsightFace pretrained models are licensed for NON-COMMERCIAL RESEARCH "
    "PURPOSES ONLY (https://github.com/deepinsight/insightface#license). "
    "Commercial use needs a licence from InsightFace (contact@insightface.ai)."
)


@dataclass(frozen=True)
class CatalogEntry:
    """One installable artifact.

    filename: the file the URL serves (a .zip pack or a single .onnx addon).
    sha256 / size_bytes: exact values when the publisher gives them, else None.
    max_bytes: download cap enforced while streaming.
    """

    name: str
    kind: Literal["pack", "addon"]
    filename: str
    url: str
    sha256: str | None
    size_bytes: int | None
    max_bytes: int
    licence: str
    description: str

    def url_from(self, base: str) -> str:
        """The same file on a local mirror (`--from`): BASE/filename."""
        return base.rstrip("/") + "/" + self.filename


def _zoo_pack(name: str, cap_mb: int, description: str) -> CatalogEntry:
    filename = f"{name}.zip"
    return CatalogEntry(
        name=name,
        kind="pack",
        filename=filename,
        url=model_zoo_download_url(filename),
        sha256=None,  # not published by insightface
        size_bytes=None,
        max_bytes=cap_mb * MB,
        licence=NON_COMMERCIAL,
        description=description,
    )


def _addon(name: str, description: str) -> CatalogEntry:
    artifact = ADDON_CATALOG[name]
    return CatalogEntry(
        name=name,
        kind="addon",
        filename=artifact.filename,
        url=artifact.url,
        sha256=artifact.sha256,
        size_bytes=artifact.size_bytes,
        max_bytes=artifact.size_bytes,
        licence=NON_COMMERCIAL,
        description=description,
    )


# Caps are about 1.5x the zips' published sizes (buffalo_l ~280 MB,
# buffalo_s ~120 MB, buffalo_sc ~15 MB, antelopev2 ~345 MB).
CATALOG: Mapping[str, CatalogEntry] = MappingProxyType(
    {
        "buffalo_l": _zoo_pack("buffalo_l", 450, "SCRFD-10G + ResNet50 ArcFace (default)"),
        "buffalo_s": _zoo_pack("buffalo_s", 200, "SCRFD-500M + MobileFaceNet ArcFace"),
        "buffalo_sc": _zoo_pack("buffalo_sc", 40, "SCRFD-500M + MobileFaceNet, no landmarks"),
        "antelopev2": _zoo_pack("antelopev2", 550, "SCRFD-10G + ResNet100 Glint360K"),
        "liveness": _addon("liveness", "insightface 80x80 RGB passive liveness addon"),
    }
)


def catalog_entry(name: str, catalog: Mapping[str, CatalogEntry] = CATALOG) -> CatalogEntry:
    try:
        return catalog[name]
    except KeyError:
        known = ", ".join(sorted(catalog))
        raise PackError(f"unknown pack {name!r}; the catalog has: {known}") from None
