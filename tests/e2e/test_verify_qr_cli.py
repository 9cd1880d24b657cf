"""``phytowatch certificates verify-qr`` on a real print: a PDF page rendered to PNG (pdftoppm)
is read and found genuine with the office's key (or its X.509 certificate); a tampered payload,
another office's key, a photo with no QR code and bad arguments exit 2 with a clear message."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
from pathlib import Path

import pytest

from certificatesamples import key_pair, signed
from clirunner import phytowatch
from phytowatch.domain.certificates.payload import b64url, unb64url
from phytowatch.printing.pdf import render_certificate
from phytowatch.services.certificates.printing import (
    PrintMark,
    certificate_qr_text,
    printable_of,
)

pytestmark = pytest.mark.e2e
URL = "https://verify.example.cn"
EN = {"LANG": "C.UTF-8", "LC_ALL": "C.UTF-8"}


@pytest.fixture(scope="module")
def scan(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Path, Path, str]:
    if shutil.which("pdftoppm") is None and os.environ.get("CI", "").lower() not in {"1", "true"}:
        pytest.skip("pdftoppm (poppler-utils, which make browser installs) is not installed")
    root = tmp_path_factory.mktemp("verify-qr")
    sample = signed()
    pdf = render_certificate(
        printable_of(sample.certificate, mark=PrintMark.ORIGINAL, public_url=URL)
    )
    (root / "certificate.pdf").write_bytes(pdf)
    subprocess.run(
        [
            "pdftoppm",
            "-r",
            "150",
            "-png",
            "-singlefile",
            str(root / "certificate.pdf"),
            str(root / "scan"),
        ],
        check=True,
    )
    (root / "office.pem").write_bytes(sample.public_pem)
    (root / "office.crt").write_bytes(sample.certificate_pem)
    issue = sample.certificate.issue
    assert issue is not None
    return (
        root / "scan.png",
        root / "office.pem",
        root / "office.crt",
        certificate_qr_text(sample.certificate, issue, URL),
    )


def test_a_scanned_print_is_found_genuine_with_the_office_key(
    scan: tuple[Path, Path, Path, str],
) -> None:
    png, pem, _, _ = scan
    ran = phytowatch("certificates", "verify-qr", str(png), "--key", str(pem), env=EN)
    assert ran.returncode == 0, ran.stderr
    assert ran.stdout.startswith("✓ genuine and unaltered: certificate 3502-2026-000042")
    assert "Bangkok Fresh Fruit Import Co., Ltd." in ran.stdout
    assert "2026-11-30" in ran.stdout
    assert f"open {URL}/verify/" in ran.stdout  # what only the online check adds


def test_the_office_certificate_serves_as_the_key_and_chinese_is_said(
    scan: tuple[Path, Path, Path, str],
) -> None:
    png, _, crt, _ = scan
    ran = phytowatch(
        "certificates",
        "verify-qr",
        str(png),
        "--key",
        str(crt),
        env={"LANG": "zh_CN.UTF-8", "LC_ALL": "zh_CN.UTF-8"},
    )
    assert ran.returncode == 0, ran.stderr
    assert "真实且未被改动" in ran.stdout and "撤销或替换" in ran.stdout


def test_a_tampered_payload_is_not_genuine(scan: tuple[Path, Path, Path, str]) -> None:
    _, pem, _, text = scan
    head, _, fragment = text.partition("#")
    body, _, signature = fragment.partition(".")
    data = json.loads(unb64url(body))
    data["p"] = "Citrus sinensis 99000 kg"
    forged = b64url(json.dumps(data, sort_keys=True, separators=(",", ":")).encode())
    ran = phytowatch(
        "certificates",
        "verify-qr",
        "--text",
        f"{head}#{forged}.{signature}",
        "--key",
        str(pem),
        env=EN,
    )
    assert ran.returncode == 2
    assert ran.stdout.startswith("✕ the signature does not match the content")
    assert "What the QR code claims" in ran.stdout and "99000 kg" in ran.stdout


def test_another_offices_key_verifies_nothing(
    scan: tuple[Path, Path, Path, str], tmp_path: Path
) -> None:
    png, _, _, _ = scan
    other = tmp_path / "other.pem"
    other.write_bytes(key_pair()[1])
    ran = phytowatch("certificates", "verify-qr", str(png), "--key", str(other), env=EN)
    assert ran.returncode == 2 and "not among the keys given" in ran.stdout


@pytest.mark.parametrize(
    ("args", "said"),
    [
        (["--text", "hello"], "not the QR code of a certificate"),
        (["--text", f"{URL}/verify/abc"], "carries no signed payload"),
        (["--text", f"{URL}/verify/abc#e30.AAAA"], "damaged or altered"),
        ([], "give an image of the QR code or its text"),
    ],
)
def test_what_cannot_be_checked_says_why_and_exits_2(
    scan: tuple[Path, Path, Path, str], args: list[str], said: str
) -> None:
    _, pem, _, _ = scan
    ran = phytowatch("certificates", "verify-qr", *args, "--key", str(pem), env=EN)
    assert ran.returncode == 2 and said in ran.stderr and "Traceback" not in ran.stderr


def test_an_image_without_a_qr_code_a_file_that_is_no_image_and_a_bad_key(
    scan: tuple[Path, Path, Path, str], tmp_path: Path
) -> None:
    from PIL import Image

    _, pem, _, _ = scan
    blank = tmp_path / "blank.png"
    Image.new("L", (200, 200), 255).save(blank)
    ran = phytowatch("certificates", "verify-qr", str(blank), "--key", str(pem), env=EN)
    assert ran.returncode == 2 and "no QR code could be read" in ran.stderr
    junk = tmp_path / "junk.png"
    junk.write_bytes(b"not an image")
    ran = phytowatch("certificates", "verify-qr", str(junk), "--key", str(pem), env=EN)
    assert ran.returncode == 2 and "cannot read the image" in ran.stderr
    ran = phytowatch("certificates", "verify-qr", str(junk), "--key", str(junk), env=EN)
    assert ran.returncode == 2 and "not an Ed25519 public key" in ran.stderr
    ran = phytowatch(
        "certificates", "verify-qr", str(blank), "--key", str(tmp_path / "none"), env=EN
    )
    assert ran.returncode == 2 and "cannot read the key file" in ran.stderr
    ran = phytowatch("certificates", "verify-qr", str(blank), env=EN)
    assert ran.returncode == 2 and "/verify/keys" in ran.stderr
