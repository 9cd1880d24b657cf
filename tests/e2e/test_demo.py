"""make demo's province, run for a minute at a faster clock: runs pass, some fail, alarms rise,
new runs start; consignments are declared and certified, their originals printed, the IPPC
mark authorised for a load, their transfers taken at the port and released; the ports' receivers
run beside it."""

from __future__ import annotations

import socket
import sqlite3
import subprocess
import sys
from pathlib import Path

import pytest

pytestmark = pytest.mark.e2e


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def test_the_demo_province_comes_alive_with_passes_a_failure_and_alarms(tmp_path: Path) -> None:
    script = Path(sys.executable).parent / "phytowatch"
    port = _free_port()
    result = subprocess.run(
        [
            str(script),
            "demo",
            "--port",
            str(port),
            "--speed",
            "360",
            "--minutes",
            "1",
            "--data",
            str(tmp_path / "demo"),
        ],
        capture_output=True,
        text=True,
        timeout=180,
        check=False,
    )
    assert result.returncode == 0, result.stderr[-2000:]
    lines = result.stdout.splitlines()
    assert "77 enterprises in 11 cities" in lines[0]
    summaries = [line for line in lines if " runs: " in line]
    assert summaries, result.stdout[-2000:]
    last = summaries[-1]
    assert " pass" in last and " fail" in last, last  # kilns and hot water pass; one line fails
    assert "open alarms: 0" not in last
    # the province keeps working: more runs started than the 30 it began with
    started = int(last.split(" runs: ")[1].split(" started")[0])
    assert started > 30, last
    # the e-supervision chain: signed-off runs declared, most released on documents
    declared = int(last.split(" consignments: ")[1].split(" declared")[0])
    documents = int(last.split(" declared, ")[1].split(" released")[0])
    assert declared > 0 and documents > 0, last
    # step 4: a certificate issued and its original printed; the IPPC mark for a load of pallets
    issued = int(last.split(" applied, ")[1].split(" issued")[0])
    printed = int(last.split(" issued, ")[1].split(" printed")[0])
    marks = int(last.split(" IPPC marks: ")[1].split(" authorised")[0])
    assert issued >= 1 and printed >= 1 and marks >= 1, last
    originals = list((tmp_path / "demo" / "prints").glob("*.pdf"))
    # (the chain works on a little after the last summary line, until the demo stops)
    assert len(originals) >= printed and originals[0].read_bytes().startswith(b"%PDF"), originals
    # where to look: the chain's pages, the public verification page, the prints
    where = "\n".join(lines[:20])
    for page in (
        "/consignments", "/inspections", "/certificates", "/marks", "/verify",
        "/transfers", "/port", "/kpi", "/admin/outbox",
    ):  # fmt: skip
        assert f":{port}{page}" in where, (page, where)
    # steps 5-6: transfers made (most electronically), taken at the port, released
    transferred = int(last.split(" transfers: ")[1].split(" made")[0])
    released = int(last.split(" held, ")[1].split(" released")[0])
    assert transferred >= 1 and released >= 1, last
    receivers = [line.split()[1] for line in lines[:30] if line.startswith("  receiver ")]
    assert receivers == ["shanghai-port", "xiamen-port"], lines[:30]
    # the outbox delivered the transfers to Shanghai's and Xiamen's systems
    received = 0
    for name in receivers:
        with sqlite3.connect(tmp_path / "demo" / "ports" / f"receiver-{name}.db") as db:
            received += db.execute("SELECT count(*) FROM received").fetchone()[0]
    assert received >= 1, last
    assert "Traceback" not in result.stdout + result.stderr
    # one person per role, with a login and a fresh password, in the "where to look" lines
    people = {
        line.split()[0]: line.split()[2]
        for line in lines
        if line.startswith("             ") and len(line.split()) == 3
    }
    assert people == {
        "operator": "enterprise_operator",
        "declarant": "enterprise_declarant",
        "inspector": "inspector",
        "certifier": "certifying_officer",
        "port": "port_officer",
        "admin": "administrator",
        # a port officer for each port office of ports.json
        **{f"port-{office}": "port_officer" for office in ("pjiu", "pngb", "psha", "pxmn", "pytn")},
    }
