"""A kiosk process for the site tests, without camera or Qt: it opens its own vault (the
flock: one process per data dir, as the kiosk), optionally runs the background site sync
as ui/app.build_kiosk does, and answers one JSON command per stdin line. Vectors are
synthetic unit vectors: the site moves templates, it never computes them."""

from __future__ import annotations

import json
import logging
import sys
from dataclasses import asdict
from pathlib import Path

import numpy as np

from facekiosk.engine.types import Embedding
from facekiosk.settings import Settings, load_settings
from facekiosk.vault import UnknownIndexId, Vault

SPACE = ("bundled", "site-test")


def emb(vec: list[float]) -> Embedding:
    return Embedding(np.asarray(vec, np.float32), *SPACE)


def _hub(vault: Vault, settings: Settings) -> tuple:
    from facekiosk.site.hub import Hub
    from facekiosk.site.membership import Membership, connect_member

    m = Membership.load(vault.data_dir)
    assert m is not None
    return m, Hub(connect_member(m, m.secrets(vault), settings.site.connect_timeout_s))


def sync_once(vault: Vault, settings: Settings) -> dict:
    """What `facekiosk site sync --once --json` prints, without a new process per pass."""
    import psycopg

    from facekiosk.site.sync import SiteSync

    try:
        m, hub = _hub(vault, settings)
    except psycopg.OperationalError as exc:
        return {"error": str(exc)}
    try:
        sync = SiteSync(vault, m, m.secrets(vault), batch=settings.site.batch)
        return asdict(sync.run_once(hub))
    finally:
        hub.close()


def receipt(vault: Vault, settings: Settings, index_id: str) -> dict:
    from facekiosk.site.sync import receipts

    found = receipts(vault, index_id)
    if not found:
        _m, hub = _hub(vault, settings)
        found = hub.purges(index_id)
        hub.close()
    return found[-1] if found else {}


def main() -> None:
    data_dir, background = Path(sys.argv[1]), sys.argv[2] == "background"
    logging.basicConfig(level=logging.WARNING, stream=sys.stderr)
    settings = load_settings(data_dir)
    vault = Vault.open(data_dir)
    service = None
    if background:
        from facekiosk.site.service import start_site_service

        service = start_site_service(data_dir, settings, vault)
    print(json.dumps({"ready": True, "site": service is not None}), flush=True)
    for line in sys.stdin:
        cmd = json.loads(line)
        op = cmd["op"]
        out: dict = {}
        if op == "enroll":
            out["ids"] = [vault.enroll([emb(v)], label=cmd.get("label")) for v in cmd["vecs"]]
        elif op == "enroll_many":
            out["ids"] = vault.enroll_many(np.asarray(cmd["vecs"], np.float32), "/".join(SPACE))
        elif op == "set_pin":
            vault.set_pin(cmd["index_id"], cmd["pin"])
        elif op == "clear_pin":
            vault.clear_pin(cmd["index_id"])
        elif op == "consent":
            vault.record_consent(cmd["index_id"], cmd["version"])
        elif op == "person":
            out = {"pin": vault.has_pin(cmd["index_id"]),
                   "consents": [v for v, _ in vault.consents(cmd["index_id"])],
                   "consent_version": vault.get(cmd["index_id"]).consent_version}  # fmt: skip
        elif op == "search":
            out["matches"] = [
                [[m.index_id, m.similarity] for m in vault.search(emb(v), k=2)]
                for v in cmd["vecs"]
            ]
        elif op == "delete":
            try:
                r = vault.delete(cmd["ids"], reason="test")
                out["audit_seq"] = r.audit_seq
            except UnknownIndexId as exc:
                out["error"] = str(exc)
        elif op == "event":
            out["id"] = vault.record_event("auth", cmd.get("index_id"), kiosk_id=cmd["kiosk"],
                                           decision="granted")  # fmt: skip
        elif op == "ids":
            out["ids"] = sorted(r.index_id for r in vault.list_ids())
            out["events"] = len(vault.events())
            out["site_imports"] = [
                e.details["index_id"] for e in vault.audit_entries(0)
                if e.actor == "site" and e.action == "enroll"
            ]
        elif op == "sync":
            out = sync_once(vault, settings)
        elif op == "bg_start":
            from facekiosk.site.service import start_site_service

            service = start_site_service(data_dir, settings, vault)
            out["site"] = service is not None
        elif op == "bg_stop":
            if service is not None:
                service.stop()
                service = None
        elif op == "receipt":
            out = receipt(vault, settings, cmd["index_id"])
        elif op == "quit":
            break
        print(json.dumps(out), flush=True)
    if service is not None:
        service.stop()
    vault.close()


if __name__ == "__main__":
    main()
