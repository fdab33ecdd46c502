"""`facekiosk api keys | webhooks` in-process on a real vault: what they print, and each
refusal (unknown key or webhook, a bad URL, the vault held by the kiosk) as one line an
admin can act on, exit code 1, no traceback."""

from __future__ import annotations

import json

import pytest

from facekiosk.cli import main
from facekiosk.vault import Vault


@pytest.fixture
def run(data_dir, capsys):
    with Vault.open(data_dir):
        pass  # the commands open an existing vault, never create one

    def _run(*argv: str) -> tuple[int, str, str]:
        code = main(["--data-dir", str(data_dir), "api", *argv])
        out, err = capsys.readouterr()
        return code, out, err

    return _run


def test_keys_create_list_revoke(run):
    code, out, err = run("keys", "create", "--scope", "read", "--label", "HR", "--days", "30",
                         "--json")  # fmt: skip
    assert code == 0, err
    key = json.loads(out)
    assert key["key"].startswith("fk_") and key["scopes"] == ["read"] and key["expires"]
    code, out, _ = run("keys", "list", "--json")
    assert [k["key_id"] for k in json.loads(out)["keys"]] == [key["key_id"]]
    code, _, err = run("keys", "revoke", "000000000000")
    assert (code, err) == (1, "facekiosk: error: no API key '000000000000' (see `facekiosk api "
                              "keys list`)\n")  # fmt: skip
    code, _, err = run("keys", "create", "--scope", "read", "--expires", "2001-01-01")
    assert (code, err) == (1, "facekiosk: error: the expiry is in the past\n")
    assert run("keys", "revoke", key["key_id"])[:2] == (0, f"revoked {key['key_id']}\n")
    code, _, err = run("keys", "create", "--scope", "read", "--days", "0")
    assert code == 1 and "--days must be at least 1" in err


def test_webhooks_add_secret_remove(run):
    code, _, err = run("webhooks", "add", "ftp://nope", "--event", "auth")
    assert code == 1 and "http" in err and "Traceback" not in err
    code, out, err = run("webhooks", "add", "https://hr.example/hooks", "--event", "auth",
                         "--json")  # fmt: skip
    assert code == 0, err
    hook = json.loads(out)
    assert run("webhooks", "secret", str(hook["id"]))[:2] == (0, hook["secret"] + "\n")
    for action in ("secret", "remove"):
        code, _, err = run("webhooks", action, "999")
        expected = "facekiosk: error: no webhook 999 (see `facekiosk api webhooks list`)\n"
        assert (code, err) == (1, expected)
    assert run("webhooks", "remove", str(hook["id"]))[0] == 0
    assert json.loads(run("webhooks", "list", "--json")[1])["webhooks"] == []


def test_a_vault_held_by_the_kiosk_says_to_use_the_kiosk(run, data_dir):
    with Vault.open(data_dir):
        code, _, err = run("keys", "list")
    assert code == 1 and "API tab" in err and "[api] enabled = true" in err
