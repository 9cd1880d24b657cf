"""The docs are tested: the CLI reference, the schedule table, the README's examples."""

from __future__ import annotations

import json
import os
import re
import shlex
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
BIN = Path(sys.executable).parent
pytestmark = pytest.mark.e2e


def _run(args: list[str], **env: str) -> subprocess.CompletedProcess[str]:
    full_env = {**os.environ, "NO_COLOR": "1", "COLUMNS": "100", **env}
    return subprocess.run(args, capture_output=True, text=True, cwd=ROOT, env=full_env, check=False)


def test_the_cli_reference_is_generated_from_the_commands_help() -> None:
    result = _run([sys.executable, "scripts/gen_cli_docs.py", "--check"])
    assert result.returncode == 0, result.stderr


def test_the_example_logs_are_what_their_generator_makes() -> None:
    result = _run([sys.executable, "scripts/make_examples.py", "--check"])
    assert result.returncode == 0, result.stderr


def test_every_shipped_schedule_is_in_the_schedules_doc() -> None:
    doc = (ROOT / "docs" / "schedules.md").read_text(encoding="utf-8")
    listed = _run([str(BIN / "phytowatch"), "schedules", "--json"])
    assert listed.returncode == 0, listed.stderr
    ids = [item["id"] for item in json.loads(listed.stdout)]
    assert len(ids) == 7
    for schedule_id in ids:
        assert f"| `{schedule_id}` |" in doc, f"{schedule_id} is not in docs/schedules.md"


def test_every_schedule_file_field_is_in_the_schedules_doc() -> None:
    doc = (ROOT / "docs" / "schedules.md").read_text(encoding="utf-8")
    fields: set[str] = set()
    for path in (ROOT / "src" / "phytowatch" / "schedules" / "data").glob("*.json"):
        fields |= set(json.loads(path.read_text(encoding="utf-8")))
    for field in sorted(fields):
        assert f"`{field}`" in doc, f"schedule field {field} is not documented"


def _console_blocks(text: str) -> list[tuple[str, str]]:
    """(command, expected output) of each ```console block of the README."""
    blocks = re.findall(r"```console\n(.*?)```", text, flags=re.DOTALL)
    out = []
    for block in blocks:
        first, _, rest = block.partition("\n")
        assert first.startswith("$ "), first
        out.append((first[2:], rest))
    return out


def test_the_readme_tour_shows_real_output() -> None:
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    blocks = _console_blocks(readme)
    assert len(blocks) >= 3
    for command, expected in blocks:
        if "broken.csv" in command:
            continue  # the error example: its own test below
        args = shlex.split(command)
        result = _run([str(ROOT / args[0]), *args[1:]])
        assert result.stdout == expected, command
        assert result.returncode in {0, 1}


def test_the_readme_error_example_is_real(tmp_path: Path) -> None:
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    (command, expected) = next(b for b in _console_blocks(readme) if "broken.csv" in b[0])
    good = (ROOT / "src/phytowatch/examples/kiln-door-opened.csv").read_text(encoding="utf-8")
    lines = [*good.splitlines()[:6], "2026-03-01 25:00,1,2,3,4,5"]
    (tmp_path / "broken.csv").write_text("\n".join(lines) + "\n", encoding="utf-8")
    args = shlex.split(command)
    result = subprocess.run(
        [str(BIN / "phytowatch"), *args[1:]],
        capture_output=True,
        text=True,
        cwd=tmp_path,
        check=False,
    )
    assert result.returncode == 2
    assert result.stderr == expected
    assert result.stdout == ""


def test_the_readme_names_the_two_commands_and_the_makefile_has_them() -> None:
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    makefile = (ROOT / "Makefile").read_text(encoding="utf-8")
    for target in ("demo", "test"):
        assert f"make {target}" in readme
        assert re.search(rf"^{target}:", makefile, flags=re.MULTILINE)
    assert "make test" in (ROOT / ".ci" / "run").read_text(encoding="utf-8")


def test_every_setting_is_documented_in_operations() -> None:
    from phytowatch.config import Settings

    doc = (ROOT / "docs" / "operations.md").read_text(encoding="utf-8")
    for name in Settings.model_fields:
        assert f"`PHYTOWATCH_{name.upper()}`" in doc, f"setting {name} is not documented"


def test_every_cli_command_is_in_the_generated_reference() -> None:
    import typer.main

    from phytowatch.cli.app import app

    sys.path.insert(0, str(ROOT / "scripts"))
    try:
        from gen_cli_docs import COMMANDS
    finally:
        sys.path.remove(str(ROOT / "scripts"))

    def leaves(command: object, path: list[str]) -> list[list[str]]:
        children = getattr(command, "commands", None)
        if not children:
            return [path]
        found = [path] if getattr(command, "invoke_without_command", False) else []
        for name, child in children.items():
            found += leaves(child, [*path, name])
        return found

    documented = {tuple(c) for c in COMMANDS}
    for command in leaves(typer.main.get_command(app), []):
        assert tuple(command) in documented, f"phytowatch {' '.join(command)} is undocumented"
