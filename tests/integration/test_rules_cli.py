"""``phytowatch rules``: check (exit 0, or 2 with one line per refused file naming the field),
show, export, import (a new version, audited) and history, on SQLite and PostgreSQL."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from clirunner import Ran, phytowatch
from phytowatch.bootstrap import Services
from phytowatch.domain.supervision.policy import PolicyKind
from phytowatch.rules import SHIPPED

pytestmark = pytest.mark.integration


def _cli(url: str, *args: str) -> Ran:
    return phytowatch(*args, env={"PHYTOWATCH_DATABASE_URL": url})


def test_check_passes_the_shipped_files_and_names_each_refused_field(tmp_path: Path) -> None:
    files = [str(SHIPPED / f"{kind.value}.json") for kind in PolicyKind]
    good = phytowatch("rules", "check", *files, "--lang", "en")
    assert good.returncode == 0, good.stderr
    assert "routing.json: valid (routing 2026.1)" in good.stdout
    routing = json.loads((SHIPPED / "routing.json").read_text("utf-8"))
    routing["matrix"]["III"]["high"] = "strictt"
    (tmp_path / "my-routing.json").write_text(json.dumps(routing), "utf-8")
    (tmp_path / "broken.json").write_text("{", "utf-8")
    products = json.loads((SHIPPED / "products.json").read_text("utf-8"))
    products["products"][0]["hs_code"] = "0805"
    (tmp_path / "p.json").write_text(json.dumps(products), "utf-8")
    bad = phytowatch(
        "rules", "check", str(tmp_path / "my-routing.json"), str(tmp_path / "broken.json"),
        str(tmp_path / "p.json"), "--lang", "en",
    )  # fmt: skip
    assert bad.returncode == 2
    lines = bad.stderr.strip().splitlines()
    assert len(lines) == 3
    assert lines[0].startswith("phytowatch: broken.json: not valid JSON")
    assert 'my-routing.json: matrix.III.high: "strictt": must be one of credit' in bad.stderr
    assert 'p.json: products[0].hs_code: "0805": must be an HS code of 6 digits' in bad.stderr
    zh = phytowatch("rules", "check", str(tmp_path / "p.json"), "--lang", "zh")
    assert zh.returncode == 2 and "必须是 6 位 HS 编码" in zh.stderr


def test_import_export_history_and_show(
    services: Services, settings: object, tmp_path: Path
) -> None:
    url = services.settings.database_url
    out = tmp_path / "routing.json"
    assert _cli(url, "rules", "export", "routing", "--out", str(out)).returncode == 0
    routing = json.loads(out.read_text("utf-8"))
    routing["ratios"]["general"] = "0.25"
    out.write_text(json.dumps(routing), "utf-8")
    no_note = _cli(url, "rules", "import", "routing", str(out), "--lang", "en")
    assert no_note.returncode == 2 and "a note saying why" in no_note.stderr
    done = _cli(url, "rules", "import", "routing", str(out), "--note", "2027", "--lang", "en")
    assert done.returncode == 0, done.stderr
    assert done.stdout.strip() == "routing document: version 2026.1+1 in force"
    again = _cli(url, "rules", "import", "routing", str(out), "--note", "2027", "--lang", "en")
    assert again.returncode == 2 and "the same as the one in force" in again.stderr
    history = _cli(url, "rules", "history", "routing", "--lang", "en").stdout.splitlines()
    assert history[0].startswith("2026.1+1\t") and history[0].endswith("\t2027")
    assert history[1] == "2026.1\t-\tshipped\t-"
    shown = _cli(url, "rules", "show", "routing", "--lang", "zh").stdout
    assert "分流规则 2026.1+1 (本站修改) [M] 未核实" in shown
    assert "一般监管: 0.25 [M] 未核实" in shown
    exported = json.loads(_cli(url, "rules", "export", "routing").stdout)
    assert exported["version"] == "2026.1+1" and exported["ratios"]["general"] == "0.25"
    [entry] = services.audit.latest(limit=5, object_type="policy", object_id="routing")
    assert entry.action == "policy.edit" and entry.actor.startswith("cli:")
    unknown = _cli(url, "rules", "show", "tariffs", "--lang", "en")
    assert unknown.returncode == 2 and "no policy document 'tariffs'" in unknown.stderr
