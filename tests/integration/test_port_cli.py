"""``phytowatch port`` and ``phytowatch clearances`` on a real database: the queue, a check, a
hold and a release by the port office's operator; bad input refused in one line with exit 2 and
nothing stored; the clearance shown as JSON."""

from __future__ import annotations

import json

import pytest
from accountsworld import World

from acting import ctx_at
from certworld import T0
from clirunner import Ran, phytowatch
from phytowatch.bootstrap import Services
from portworld import transferred

pytestmark = pytest.mark.integration


def _run(services: Services, *args: str, lang: str = "C.UTF-8") -> Ran:
    env = {"PHYTOWATCH_DATABASE_URL": services.settings.database_url, "LC_ALL": lang}
    return phytowatch(*args, env=env)


def test_the_port_checks_holds_and_releases_from_the_cli(world: World) -> None:
    services = world.services
    transfer = transferred(services)
    queue = _run(services, "port", "queue", "--office", "PSHA")
    assert queue.returncode == 0, queue.stderr
    assert transfer.number in queue.stdout and "[C2]" in queue.stdout
    zh = _run(services, "port", "queue", "--office", "PSHA", lang="zh_CN.UTF-8")
    assert "抽" in zh.stdout
    held = _run(services, "port", "hold", transfer.number, "--office", "PSHA",
                "--reason", "seal 3 broken")  # fmt: skip
    assert held.returncode == 0 and "seal 3 broken" in held.stdout
    refused = _run(services, "port", "release", transfer.number, "--office", "PSHA")
    assert refused.returncode == 2 and "held" in refused.stderr
    checked = _run(services, "port", "check", transfer.number, "--office", "PSHA",
                   "--seals-intact", "yes", "--containers-match", "yes", "--goods-match", "yes",
                   "--findings", "resealed, all as declared")  # fmt: skip
    assert checked.returncode == 0, checked.stderr
    released = _run(services, "port", "release", transfer.number, "--office", "PSHA")
    assert released.returncode == 0, released.stderr
    assert "PSHA-2026-TG000001" in released.stdout
    shown = _run(services, "clearances", "show", "PSHA-2026-TG000001")
    assert shown.returncode == 0
    body = json.loads(shown.stdout)
    assert body["transfer"] == transfer.number and body["certificates"] == list(
        transfer.certificates
    )
    again = _run(services, "port", "release", transfer.number, "--office", "PSHA")
    assert again.returncode == 2 and "PSHA-2026-TG000001" in again.stderr


def test_bad_input_is_refused_in_one_line_and_nothing_is_stored(world: World) -> None:
    services = world.services
    transfer = transferred(services)
    bad = _run(services, "port", "check", transfer.number, "--office", "PSHA",
               "--seals-intact", "perhaps", "--containers-match", "yes", "--goods-match", "",
               "--findings", "x" * 2001)  # fmt: skip
    assert bad.returncode == 2
    lines = bad.stderr.strip().splitlines()
    assert [line.split(":")[1].strip() for line in lines] == [
        "--seals-intact", "--goods-match", "--findings"
    ]  # fmt: skip
    assert services.port.view(transfer.number, ctx=ctx_at(T0, "cli:ops")).checks == []
    empty = _run(services, "port", "hold", transfer.number, "--office", "PSHA", "--reason", " ")
    assert empty.returncode == 2 and "reason" in empty.stderr
    unknown = _run(services, "port", "release", "TR-NOPE", "--office", "PSHA")
    assert unknown.returncode == 2 and "TR-NOPE" in unknown.stderr
    other = _run(services, "port", "release", transfer.number, "--office", "PNGB")
    assert other.returncode == 2 and "PSHA" in other.stderr
    missing = _run(services, "clearances", "show", "NOPE-1")
    assert missing.returncode == 2 and "NOPE-1" in missing.stderr
    no_office = _run(services, "port", "queue")
    assert no_office.returncode == 2 and "Traceback" not in no_office.stderr
