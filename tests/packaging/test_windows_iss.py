"""Static review of the Inno Setup script: no Windows machine here to compile it."""

from __future__ import annotations

import re

from tests.packaging.installer import REPO

ISS = REPO / "packaging" / "windows" / "facekiosk.iss"


def _sections(text: str) -> dict[str, list[str]]:
    sections: dict[str, list[str]] = {}
    current = ""
    for raw in text.splitlines():
        line = raw.strip()
        if not line or line.startswith(";"):
            continue
        match = re.fullmatch(r"\[(\w+)\]", line)
        if match:
            current = match.group(1)
            sections[current] = []
        elif current:
            sections[current].append(line)
    return sections


def _setup(sections: dict[str, list[str]]) -> dict[str, str]:
    return dict(line.split("=", 1) for line in sections["Setup"])


def test_has_the_sections_an_installer_needs():
    sections = _sections(ISS.read_text())
    for name in ("Setup", "Files", "Icons", "Tasks", "Run", "Code"):
        assert name in sections, name


def test_paths_point_at_what_the_build_produces():
    text = ISS.read_text()
    setup = _setup(_sections(text))
    here = ISS.parent
    assert (here / setup["SetupIconFile"]).is_file()
    (source,) = re.findall(r'Source: "([^"]+)"', text)
    frozen_dir = (here / source.replace("\\", "/").removesuffix("/*")).resolve()
    assert frozen_dir == REPO / "dist" / "facekiosk"  # build_frozen.sh's output
    assert setup["UninstallDisplayIcon"].endswith("{#AppExe}")


def test_app_id_matches_the_uninstall_key_used_for_the_downgrade_check():
    text = ISS.read_text()
    app_id = _setup(_sections(text))["AppId"]
    guid = re.fullmatch(r"\{\{([0-9A-F-]{36})\}", app_id)
    assert guid, app_id
    assert f"Uninstall\\{{{guid.group(1)}}}_is1" in text


def test_every_preprocessor_constant_is_defined():
    text = ISS.read_text()
    defined = set(re.findall(r"#define (\w+)", text))
    used = set(re.findall(r"\{#(\w+)\}", text))
    assert used <= defined, used - defined


def test_pascal_blocks_are_balanced_and_the_hooks_exist():
    code = ISS.read_text().split("[Code]", 1)[1]
    code = re.sub(r"'[^']*'", "''", code)  # string literals
    code = re.sub(r"//[^\n]*", "", code)  # comments
    opens = len(re.findall(r"\bbegin\b", code, re.I))
    closes = len(re.findall(r"\bend\b", code, re.I))
    assert opens == closes
    for hook in ("InitializeSetup", "PrepareToInstall", "CurUninstallStepChanged"):
        assert re.search(rf"\bfunction {hook}\b|\bprocedure {hook}\b", code), hook
    # Data is erased only after an explicit Yes, default button No.
    assert "MB_DEFBUTTON2" in code and "IDYES then" in code
