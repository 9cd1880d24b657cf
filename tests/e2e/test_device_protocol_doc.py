"""docs/device-protocol.md shows real answers: its examples run against a real ``phytowatch serve``.

The examples marked ``<!-- doc-test: NAME -->`` are run in the order of the page, with bash, on a
fresh SQLite database: the ``provision`` block (the CLI, as written) gives the device token, the
others (curl, examples/device_client.py) must print exactly the ```text block that follows them.
"""

from __future__ import annotations

import os
import re
import socket
import subprocess
import sys
import time
import urllib.request
from collections.abc import Iterator
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
DOC = ROOT / "docs" / "device-protocol.md"
BIN = Path(sys.executable).parent
DOC_PORT = "127.0.0.1:8000"
pytestmark = pytest.mark.e2e

_EXAMPLE = re.compile(
    r"<!-- doc-test: (?P<name>[\w-]+) -->\n```sh\n(?P<script>.*?)```\n"
    r"(?:\s*```text\n(?P<expected>.*?)```)?",
    flags=re.DOTALL,
)


def examples() -> list[tuple[str, str, str | None]]:
    text = DOC.read_text(encoding="utf-8")
    return [(m["name"], m["script"], m["expected"]) for m in _EXAMPLE.finditer(text)]


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


class Site:
    """A temporary database, the environment of the examples, and the server's port."""

    def __init__(self, tmp: Path) -> None:
        self.tmp = tmp
        self.port = free_port()
        self.env = {
            **os.environ,
            "PATH": f"{BIN}{os.pathsep}{os.environ.get('PATH', '')}",
            "PHYTOWATCH_DATABASE_URL": f"sqlite:///{tmp / 'protocol.db'}",
            "NO_COLOR": "1",
        }

    def bash(self, script: str, **env: str) -> subprocess.CompletedProcess[str]:
        script = script.replace(DOC_PORT, f"127.0.0.1:{self.port}")
        script = script.replace("python3 examples/", f"{sys.executable} {ROOT}/examples/")
        return subprocess.run(
            ["bash", "-eo", "pipefail", "-c", script],
            capture_output=True,
            text=True,
            cwd=self.tmp,
            env={**self.env, **env},
            timeout=30,
            check=False,
        )

    def health(self) -> bool:
        url = f"http://127.0.0.1:{self.port}/api/v1/health"
        try:
            with urllib.request.urlopen(url, timeout=1) as response:
                return bool(response.status == 200)
        except OSError:
            return False


@pytest.fixture
def site(tmp_path: Path) -> Iterator[Site]:
    yield Site(tmp_path)


def serve(site: Site) -> subprocess.Popen[bytes]:
    with (site.tmp / "serve.log").open("wb") as log:  # the child keeps its own descriptor
        server = subprocess.Popen(
            [str(BIN / "phytowatch"), "serve", "--port", str(site.port)],
            stdout=log,
            stderr=subprocess.STDOUT,
            env=site.env,
            cwd=site.tmp,
        )
    deadline = time.monotonic() + 20
    while not site.health():
        if server.poll() is not None or time.monotonic() > deadline:
            server.kill()
            pytest.fail("phytowatch serve did not start:\n" + (site.tmp / "serve.log").read_text())
        time.sleep(0.1)
    return server


def test_the_doc_has_its_examples() -> None:
    names = [name for name, _, _ in examples()]
    for name in ("provision", "readings", "resend", "conflict", "rejects", "columns", "errors"):
        assert name in names
    assert "still" in names and "client" in names
    assert all(expected is not None for name, _, expected in examples() if name != "provision")


def test_the_device_protocol_examples_get_the_answers_the_doc_shows(site: Site) -> None:
    (_, provision, _), *rest = examples()
    done = site.bash(provision + 'printf "%s\\n" "$TOKEN"\n')
    assert done.returncode == 0, done.stderr
    token = done.stdout.splitlines()[-1]
    assert re.fullmatch(r"pwd_[\w-]{43}", token), done.stdout
    assert "shown once" in done.stderr
    server = serve(site)
    try:
        for name, script, expected in rest:
            result = site.bash(script, TOKEN=token)
            assert result.returncode == 0, f"{name}: {result.stderr}"
            assert result.stdout == expected, f"example {name!r} of docs/device-protocol.md"

        # rotation: the old token is refused at once, the new one works
        post = (
            f"curl -s -w ' %{{http_code}}\\n' http://{DOC_PORT}/api/v1/ingest "
            '-H "Authorization: Bearer $TOKEN" -d \'{"facility": "JX-0031-K2", "readings": []}\''
        )
        rotated = site.bash("phytowatch facilities token JX-0031-K2 --rotate")
        assert rotated.returncode == 0, rotated.stderr
        new = rotated.stdout.strip()
        old_answer = site.bash(post, TOKEN=token).stdout
        assert old_answer == (
            '{"error":"unknown or revoked device token",'
            '"code":"device.bad_token","params":{}} 401\n'
        )
        new_answer = site.bash(post, TOKEN=new).stdout
        assert new_answer == '{"accepted":0,"duplicates":0,"rejected":[]} 200\n'
    finally:
        server.terminate()
        try:
            server.wait(timeout=10)
        except subprocess.TimeoutExpired:
            server.kill()
            server.wait(timeout=10)
