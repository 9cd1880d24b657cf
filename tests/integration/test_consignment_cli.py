"""``phytowatch consignments`` on SQLite and PostgreSQL: a declarant declares from a JSON file
(its password on stdin), the refused fields each on a line with exit 2, list, show, and the CSV
template of lines."""

from __future__ import annotations

import json
import re
from pathlib import Path

from accountsworld import PASSWORD, World

from clirunner import Ran, phytowatch

DECLARATION = {
    "consignee": {"name": "Pacific Fruit Co.", "address": "Long Beach"},
    "lines": [
        {
            "product": "wood-packaging",
            "quantity": "120",
            "unit": "pieces",
            "packages": 120,
            "package_type": "pallets",
        }
    ],
    "destination": "US",
    "port_of_exit": "CNSHA",
    "conveyance": "vessel COSCO Aries",
}


def _cli(world: World, *args: str, stdin: str = "") -> Ran:
    url = world.services.settings.database_url
    return phytowatch(*args, "--database-url", url, stdin=stdin, env={"LANG": "en_GB.UTF-8"})


def test_a_declarant_declares_and_submits_from_a_file(world: World, tmp_path: Path) -> None:
    path = tmp_path / "declaration.json"
    path.write_text(json.dumps(DECLARATION), encoding="utf-8")
    done = _cli(
        world, "consignments", "declare", str(path), "--as", "declarant", "--submit",
        "--password-stdin", stdin=PASSWORD + "\n",
    )  # fmt: skip
    assert done.returncode == 0, done.stderr
    lines = done.stdout.splitlines()
    number = lines[0].split(":")[0]  # numbered in the year of the system's clock
    assert re.fullmatch(r"CD\d{4}-000001", number)
    assert lines == [
        f"{number}: draft saved (id 1)",
        f"{number}: submitted, version 1 (routed)",
        "lines[0].product: wood-packaging to US asks for a treatment under ispm15-ht, ispm15-dh;"
        " no linked run meets it, so the consignment will be inspected",
    ]
    listed = _cli(world, "consignments", "list")
    assert listed.stdout.splitlines() == [f"{number}\tE1\trouted\tv1\tUS\tPacific Fruit Co."]
    shown = json.loads(_cli(world, "consignments", "show", number.lower()).stdout)
    assert shown["state"] == "routed" and [v["version"] for v in shown["versions"]] == [1]
    assert [e["step"] for e in shown["timeline"]] == ["drafted", "submitted", "routed"]
    assert PASSWORD not in done.stdout + done.stderr


def test_each_refused_field_is_a_line_and_the_exit_is_2(world: World, tmp_path: Path) -> None:
    path = tmp_path / "bad.json"
    path.write_text(json.dumps({**DECLARATION, "destination": "XX", "runs": [999]}), "utf-8")
    refused = _cli(
        world, "consignments", "declare", str(path), "--as", "declarant", "--submit",
        "--password-stdin", stdin=PASSWORD + "\n",
    )  # fmt: skip
    assert refused.returncode == 2
    assert refused.stderr.splitlines() == [
        "phytowatch: destination: 'XX' is not an ISO 3166-1 country code (two letters, e.g. US)",
        "phytowatch: runs[0]: no run 999",
        "phytowatch: the declaration is refused: 2 field(s) to correct",
    ]
    not_json = tmp_path / "not.json"
    not_json.write_text('{"destination": "US",\n  "lines": [', "utf-8")
    broken = _cli(world, "consignments", "declare", str(not_json), "--as", "x")
    assert broken.returncode == 2  # where the file breaks, so that it can be mended
    assert f"{not_json}: not valid JSON (line 2, column 13)" in broken.stderr
    operator = _cli(
        world, "consignments", "declare", str(path), "--as", "operator",
        "--password-stdin", stdin=PASSWORD + "\n",
    )  # fmt: skip
    assert operator.returncode == 2 and "only an enterprise declarant" in operator.stderr
    missing = _cli(world, "consignments", "show", "CD2026-999999")
    assert missing.returncode == 2


def test_the_lines_template_reads_back() -> None:
    ran = phytowatch("consignments", "lines-template")
    assert ran.stdout.splitlines()[0].startswith("product,botanical_name,quantity")
