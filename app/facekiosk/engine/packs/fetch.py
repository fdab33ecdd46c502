"""The only code in facekiosk that opens a network connection: one admin-run download.

Streams into a temp file inside the target folder (so the final move is a
same-filesystem rename), enforces the size cap while streaming, hashes as it
goes, and turns every network failure into one sentence the admin can act on.
"""

from __future__ import annotations

import hashlib
import logging
import os
import sys
import tempfile
from pathlib import Path
from urllib.parse import urlsplit

import requests
from tqdm import tqdm

from facekiosk.engine.packs.errors import PackError
from facekiosk.engine.packs.unpack import require_free_space

log = logging.getLogger(__name__)

_CHUNK = 256 * 1024
TIMEOUT_S = (10.0, 60.0)  # connect, between bytes

OFFLINE_HINT = (
    "On an air-gapped site, download {filename} on another machine, copy it to "
    "this one (USB stick) and run `facekiosk models import PATH`, or use "
    "`facekiosk models install NAME --from URL` with a local mirror."
)


def download(
    url: str,
    dest_dir: Path,
    *,
    max_bytes: int,
    expected_size: int | None = None,
    expected_sha256: str | None = None,
    progress: bool = True,
) -> tuple[Path, str]:
    """Download `url` to a temp file in `dest_dir`; return (temp path, sha256 hex).

    The caller owns the temp file (moves or deletes it). On any error the temp
    file is removed and a PackError explains what happened.
    """
    filename = Path(urlsplit(url).path).name or "download"
    host = urlsplit(url).netloc or url
    dest_dir.mkdir(parents=True, exist_ok=True)
    fd, tmp_name = tempfile.mkstemp(dir=dest_dir, prefix=f".{filename}-", suffix=".part")
    tmp = Path(tmp_name)
    digest = hashlib.sha256()
    total = 0
    try:
        log.info("downloading %s", url)
        with (
            os.fdopen(fd, "wb") as out,
            requests.get(url, stream=True, timeout=TIMEOUT_S) as response,
        ):
            if response.status_code != 200:
                raise PackError(f"{url}: HTTP {response.status_code} {response.reason}")
            announced = _content_length(response)
            if announced is not None and announced > max_bytes:
                raise PackError(
                    f"{url}: server announces {announced} bytes, more than the "
                    f"{max_bytes}-byte cap for {filename}; refusing to download"
                )
            if announced is not None:
                require_free_space(dest_dir, announced, what=f"downloading {filename}")
            with tqdm(
                total=announced,
                unit="B",
                unit_scale=True,
                desc=filename,
                disable=not progress,
                file=sys.stderr,
            ) as bar:
                for chunk in response.iter_content(chunk_size=_CHUNK):
                    total += len(chunk)
                    if total > max_bytes:
                        raise PackError(
                            f"{url}: download passed the {max_bytes}-byte cap for "
                            f"{filename}; aborted (wrong file or hostile server)"
                        )
                    out.write(chunk)
                    digest.update(chunk)
                    bar.update(len(chunk))
            out.flush()
            os.fsync(out.fileno())
        if announced is not None and total != announced:
            raise PackError(f"{url}: truncated download: {total} of {announced} bytes")
        if expected_size is not None and total != expected_size:
            raise PackError(
                f"{url}: got {total} bytes, expected exactly {expected_size} (truncated or "
                "a different file)"
            )
        sha = digest.hexdigest()
        if expected_sha256 is not None and sha != expected_sha256.lower():
            raise PackError(
                f"{url}: sha256 mismatch: expected {expected_sha256}, got {sha}; "
                "the file was not installed"
            )
        return tmp, sha
    except requests.exceptions.ChunkedEncodingError as exc:
        tmp.unlink(missing_ok=True)
        raise PackError(f"{url}: truncated download after {total} bytes ({exc})") from exc
    except requests.exceptions.ConnectionError as exc:
        tmp.unlink(missing_ok=True)
        raise PackError(
            f"cannot reach {host}: this machine seems offline or the server is down. "
            + OFFLINE_HINT.format(filename=filename)
        ) from exc
    except requests.exceptions.Timeout as exc:
        tmp.unlink(missing_ok=True)
        raise PackError(f"{host} timed out. " + OFFLINE_HINT.format(filename=filename)) from exc
    except requests.exceptions.RequestException as exc:
        tmp.unlink(missing_ok=True)
        raise PackError(f"{url}: download failed: {exc}") from exc
    except BaseException:
        tmp.unlink(missing_ok=True)
        raise


def _content_length(response: requests.Response) -> int | None:
    value = response.headers.get("Content-Length")
    if value is None or response.headers.get("Content-Encoding"):
        return None  # compressed bodies are counted decoded; the header is not comparable
    try:
        return int(value)
    except ValueError:
        return None
