"""Hostile XML is refused before it can do harm (phytowatch/ephyto/parsing.py): an entity bomb,
an external entity naming a local file, a DTD on the network and a huge file, each with a clear
message, and none of them makes the parser read a file or an address."""

from __future__ import annotations

import http.server
import threading
from collections.abc import Iterator
from pathlib import Path

import pytest
from lxml import etree

from phytowatch.domain.messages import Kind, Refused
from phytowatch.ephyto import parsing
from phytowatch.ephyto.codec import LxmlEphyto

BOMB = b"""<?xml version="1.0"?>
<!DOCTYPE lolz [
 <!ENTITY lol "lol">
 <!ENTITY lol2 "&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;">
 <!ENTITY lol3 "&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;">
 <!ENTITY lol9 "&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;">
]>
<r>&lol9;</r>
"""


def _external(path: Path) -> bytes:
    return (
        f'<?xml version="1.0"?><!DOCTYPE r [<!ENTITY x SYSTEM "file://{path}">]>'
        '<rsm:SPSCertificate xmlns:rsm="urn:un:unece:uncefact:data:standard:SPSCertificate:17">'
        "&x;</rsm:SPSCertificate>"
    ).encode()


@pytest.fixture
def secret(tmp_path: Path) -> Path:
    path = tmp_path / "secret.txt"
    path.write_text("TOP-SECRET-7f3a")
    return path


@pytest.fixture
def dtd_server() -> Iterator[tuple[str, list[str]]]:
    """A local HTTP server that records every request made to it."""
    asked: list[str] = []

    class Handler(http.server.BaseHTTPRequestHandler):
        def do_GET(self) -> None:
            asked.append(self.path)
            self.send_response(200)
            self.end_headers()
            self.wfile.write(b'<!ENTITY leak "LEAKED">')

        def log_message(self, *args: object) -> None:
            del args

    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}/evil.dtd", asked
    finally:
        server.shutdown()
        server.server_close()


def _refusal(data: bytes, **kwargs: int) -> Refused:
    with pytest.raises(Refused) as caught:
        LxmlEphyto(**kwargs).check(data)
    assert caught.value.kind is Kind.INVALID
    return caught.value


def test_an_entity_bomb_is_refused_before_the_parser_sees_it(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    def never(*args: object, **kwargs: object) -> None:
        raise AssertionError("the parser was called")

    monkeypatch.setattr(etree, "fromstring", never)
    refusal = _refusal(BOMB)
    assert refusal.message.code.value == "ephyto.doctype"
    assert "DOCTYPE" in refusal.message.english()


def test_an_external_entity_naming_a_local_file_is_refused_and_the_file_is_not_read(
    secret: Path,
) -> None:
    refusal = _refusal(_external(secret))
    assert refusal.message.code.value == "ephyto.doctype"
    assert "TOP-SECRET" not in refusal.message.english()


def test_a_network_dtd_is_refused_and_nothing_is_fetched(
    dtd_server: tuple[str, list[str]],
) -> None:
    url, asked = dtd_server
    document = (
        f'<?xml version="1.0"?><!DOCTYPE r SYSTEM "{url}">'
        '<rsm:SPSCertificate xmlns:rsm="urn:un:unece:uncefact:data:standard:SPSCertificate:17">'
        "&leak;</rsm:SPSCertificate>"
    ).encode()
    assert _refusal(document).message.code.value == "ephyto.doctype"
    assert asked == []


def test_a_declaration_the_byte_scan_cannot_see_is_refused_after_a_parse_that_read_nothing(
    secret: Path, dtd_server: tuple[str, list[str]]
) -> None:
    url, asked = dtd_server
    # UTF-16: the scan for "<!DOCTYPE" in bytes does not match; the parser's options and the
    # check of what it found must hold on their own
    for text in (
        _external(secret).decode(),
        f'<?xml version="1.0"?><!DOCTYPE r SYSTEM "{url}"><r>&leak;</r>',
    ):
        data = text.replace('<?xml version="1.0"?>', '<?xml version="1.0" encoding="UTF-16"?>')
        encoded = data.encode("utf-16")
        assert b"<!DOCTYPE" not in encoded
        refusal = _refusal(encoded)
        assert refusal.message.code.value == "ephyto.doctype"
    assert asked == []


def test_the_parser_itself_never_resolves_an_entity_or_loads_a_dtd(secret: Path) -> None:
    parser = parsing.safe_parser()
    root = etree.fromstring(_external(secret), parser)
    assert "TOP-SECRET" not in etree.tostring(root).decode()


def test_a_file_above_the_limit_is_refused_by_its_size_before_parsing(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    def never(*args: object, **kwargs: object) -> None:
        raise AssertionError("the parser was called")

    monkeypatch.setattr(etree, "fromstring", never)
    huge = b"<a>" + b"x" * 2048 + b"</a>"
    refusal = _refusal(huge, max_bytes=1024)
    assert refusal.message.code.value == "ephyto.too_large"
    assert refusal.message.params == {"size": len(huge), "max": 1024}


def test_a_huge_text_node_under_the_size_limit_is_refused_by_the_parsers_own_limit() -> None:
    # huge_tree off: libxml2 refuses a text node past 10 MB whatever the size limit says
    huge = b"<a>" + b"x" * (11 * 1024 * 1024) + b"</a>"
    refusal = _refusal(huge, max_bytes=len(huge))
    assert refusal.message.code.value == "ephyto.not_xml"


@pytest.mark.parametrize(
    ("data", "code"),
    [
        (b"", "ephyto.empty"),
        (b"   \n", "ephyto.empty"),
        (b"<a><b></a>", "ephyto.not_xml"),
        (b"\x00\x01binary", "ephyto.not_xml"),
        (b"<html><body>hi</body></html>", "ephyto.not_ephyto"),
    ],
)
def test_what_is_not_an_ephyto_is_said_plainly(data: bytes, code: str) -> None:
    assert _refusal(data).message.code.value == code
