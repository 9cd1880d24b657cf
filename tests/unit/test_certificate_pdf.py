"""The printed certificate: it renders, says its number and check code, embeds its font, and
marks copies and drafts."""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import zlib
from pathlib import Path

import pytest

from certificatesamples import content, long_content, signed
from phytowatch.domain.certificates.model import CertificateContent, CertificateKind
from phytowatch.domain.messages import Code, Invalid
from phytowatch.printing import fonts
from phytowatch.printing.pdf import render_certificate
from phytowatch.services.certificates.printing import PrintMark, printable_of

URL = "https://verify.example.cn"
# poppler-utils comes with `make browser`; on a machine without it these skip, but not in CI
needs_poppler = pytest.mark.skipif(
    shutil.which("pdftotext") is None and os.environ.get("CI", "").lower() not in {"1", "true"},
    reason="poppler-utils (make browser installs it)",
)


def pdf_of(
    kind: CertificateKind = CertificateKind.PHYTOSANITARY,
    mark: PrintMark = PrintMark.ORIGINAL,
    body: CertificateContent | None = None,
) -> bytes:
    s = signed(body or content(kind))
    return render_certificate(printable_of(s.certificate, mark=mark, public_url=URL))


def text_of(pdf: bytes) -> str:
    run = subprocess.run(["pdftotext", "-", "-"], input=pdf, capture_output=True, check=True)
    return run.stdout.decode("utf-8")


@pytest.fixture(scope="module")
def original() -> bytes:
    return pdf_of()


@needs_poppler
def test_the_certificate_says_its_number_check_code_and_titles_in_both_languages(
    original: bytes,
) -> None:
    text = text_of(original)
    assert "3502-2026-000042" in text
    assert "7KQ4-M2XP" in text
    assert "植物检疫证书" in text and "PHYTOSANITARY CERTIFICATE" in text
    assert "扫码验证" in text and "scan to verify" in text
    assert f"{URL}/verify" in text
    assert "≤ 1.11 °C pulp for" in text  # the treatment box, as the run judged it


def test_the_font_is_embedded_as_a_subset(original: bytes) -> None:
    assert original.startswith(b"%PDF-")
    assert re.search(rb"/BaseFont\s*/[A-Z]{6}\+NotoSansSC", original)
    assert b"/FontFile2" in original  # the TrueType program itself is in the file
    assert b"/ToUnicode" in original  # text can be searched and copied


@needs_poppler
def test_an_original_is_marked_original_and_a_copy_copy(original: bytes) -> None:
    assert "正本 ORIGINAL" in text_of(original)
    copy = text_of(pdf_of(mark=PrintMark.COPY))
    assert "副本 COPY" in copy and "ORIGINAL" not in copy


@needs_poppler
def test_a_draft_has_no_number_and_no_qr_code() -> None:
    text = text_of(pdf_of(mark=PrintMark.DRAFT))
    assert "草稿 DRAFT" in text
    assert "3502-2026-000042" not in text
    assert "7KQ4-M2XP" not in text


@needs_poppler
@pytest.mark.parametrize(
    ("kind", "title"),
    [
        (CertificateKind.REEXPORT, "转口植物检疫证书"),
        (CertificateKind.TREATMENT, "熏蒸/消毒证书"),
    ],
)
def test_the_other_forms_print_their_titles(kind: CertificateKind, title: str) -> None:
    text = text_of(pdf_of(kind))
    assert title in text
    if kind is CertificateKind.REEXPORT:
        assert "US-2026-99812" in text  # the origin's certificate


@needs_poppler
def test_many_lines_continue_on_further_pages_none_lost() -> None:
    pdf = pdf_of(body=long_content())
    text = text_of(pdf)
    assert "Fresh produce line 60" in text
    assert re.search(r"Page 1 of [2-9]", text)


@needs_poppler
def test_a_rare_character_outside_gb2312_is_printed_with_the_full_font() -> None:
    from certificatesamples import Party

    rare = "䶮"  # U+4DAE: outside GB 2312, inside Noto Sans SC
    body = content(exporter=Party(f"厦门{rare}果业有限公司", "厦门"))
    assert not fonts.covers(rare)
    assert rare in text_of(pdf_of(body=body))


def test_a_missing_font_names_make_assets(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    monkeypatch.setattr(fonts, "VENDOR", tmp_path)
    with pytest.raises(Invalid) as caught:
        pdf_of()
    assert caught.value.message.code is Code.PRINT_FONT_MISSING
    assert "make assets" in caught.value.message.english()


def test_nothing_compressed_hides_the_number_from_a_search(original: bytes) -> None:
    # pdftotext aside, the number is in a content stream (compressed): fpdf2 writes FlateDecode
    streams = re.findall(rb"stream\r?\n(.*?)\r?\nendstream", original, re.S)
    assert any(zlib.decompress(s) for s in streams if s[:2] == b"x\x9c")


def test_every_printed_label_is_translated() -> None:
    from phytowatch.i18n.catalogue import translations
    from phytowatch.printing.labels import PRINTED

    zh = translations("zh_CN").entries
    assert [w for w in PRINTED if w not in zh] == []


def test_the_cut_font_is_kept_for_the_next_process_unless_the_font_changed_since(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from phytowatch.printing import fonts

    source = tmp_path / fonts.FILES[""]
    source.write_bytes(b"the full font")
    monkeypatch.setattr(fonts, "VENDOR", tmp_path)
    cache = fonts._cache_path("")
    assert cache.parent == tmp_path and cache.name != source.name
    assert fonts._cached("") is None  # nothing kept yet
    cache.write_bytes(b"the cut font")
    os.utime(source, ns=(1_000_000_000, 1_000_000_000))
    assert fonts._cached("") == b"the cut font"
    os.utime(source, ns=(4_000_000_000_000_000_000, 4_000_000_000_000_000_000))
    assert fonts._cached("") is None  # the font is newer than what was cut from it


@needs_poppler
def test_a_replacement_says_on_paper_which_certificate_it_replaces_and_cancels() -> None:
    from dataclasses import replace

    s = signed(content(CertificateKind.PHYTOSANITARY))
    printable = printable_of(s.certificate, mark=PrintMark.ORIGINAL, public_url=URL)
    text = " ".join(text_of(render_certificate(replace(printable, replaces="JX26P000007"))).split())
    assert "replaces and cancels certificate No. JX26P000007" in text
    assert "本证书替换并注销第 JX26P000007 号证书" in text
    plain = " ".join(text_of(render_certificate(printable)).split())
    assert "replaces and cancels" not in plain
