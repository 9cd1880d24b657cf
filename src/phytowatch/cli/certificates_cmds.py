"""``phytowatch certificates``: the offices' signing keys (create, rotate, list, export the
X.509 certificate to publish), the offices' numbering patterns (show, set), and the
certificates themselves (list, show by number). 植物检疫证书：签名密钥、编号、证书。"""

from __future__ import annotations

import json
from typing import Annotated

import typer

from phytowatch.cli.messages import default_lang, say, t
from phytowatch.cli.options import DatabaseOption, cli_context, open_services
from phytowatch.cli.output import fail, refused
from phytowatch.domain.messages import Code, Refused
from phytowatch.domain.messages import say as message

certificates_app = typer.Typer(
    help="Certificates: office keys, numbering, list and show. 植物检疫证书。",
    no_args_is_help=True,
)
keys_app = typer.Typer(
    help="The offices' Ed25519 signing keys. 办事处签名密钥。", no_args_is_help=True
)
numbering_app = typer.Typer(
    help="The offices' certificate numbering patterns. 证书编号格式。", no_args_is_help=True
)
certificates_app.add_typer(keys_app, name="keys")
certificates_app.add_typer(numbering_app, name="numbering")

OfficeOption = Annotated[str, typer.Option("--office", metavar="CODE", help="the office's code")]
STATES = (
    "draft", "submitted", "returned", "approved", "issued", "printed", "rejected", "cancelled",
    "replaced",
)  # fmt: skip


def _create_command(office: str) -> str:
    return f"phytowatch certificates keys create --office {office}"


def _new_key(office: str, database_url: str | None, *, rotate: bool) -> None:
    with open_services(database_url) as services:
        certificates = services.certificates
        if rotate and not certificates.keys(office):
            raise fail(message(Code.CERT_NO_KEY, office=office, command=_create_command(office)))
        try:
            made = certificates.create_key(office, ctx=cli_context(services))
        except Refused as error:
            raise refused(error) from None
    typer.echo(say(message(Code.CERT_KEY_CREATED, office=made.office, key=made.key_id)))


@keys_app.command("create")
def keys_create(office: OfficeOption, database_url: DatabaseOption = None) -> None:
    """Create the office's Ed25519 signing key and its self-signed X.509 certificate; it signs
    from now on. The private key is kept encrypted with PHYTOWATCH_SIGNING_PASSPHRASE when it is
    set. 创建办事处签名密钥。"""
    _new_key(office, database_url, rotate=False)


@keys_app.command("rotate")
def keys_rotate(office: OfficeOption, database_url: DatabaseOption = None) -> None:
    """A new key for an office that has one: it signs from now on; the older keys stay, to
    verify what they signed. 轮换办事处签名密钥。"""
    _new_key(office, database_url, rotate=True)


@keys_app.command("list")
def keys_list(
    office: Annotated[
        str | None, typer.Option("--office", metavar="CODE", help="one office")
    ] = None,
    database_url: DatabaseOption = None,
) -> None:
    """The offices' keys, newest first: key id, office, algorithm, in use or retired, created
    (UTC) and by whom. 列出签名密钥。"""
    from phytowatch.domain.instants import format_instant

    with open_services(database_url) as services:
        keys = services.certificates.keys(office)
    if office is not None and not keys:
        raise fail(message(Code.CERT_NO_KEY, office=office, command=_create_command(office)))
    lang = default_lang()
    for key in keys:
        state = t("in use" if key.active else "retired", lang)
        typer.echo(
            f"{key.key_id}\t{key.office}\t{key.algorithm}\t{state}\t"
            f"{format_instant(key.created_at)}\t{key.created_by}"
        )


@keys_app.command("export")
def keys_export(
    office: OfficeOption,
    key_id: Annotated[
        str | None, typer.Option("--key", metavar="KEY_ID", help="an older key (default: active)")
    ] = None,
    public_only: Annotated[
        bool, typer.Option("--public-key", help="the bare public key (PEM) instead")
    ] = False,
    database_url: DatabaseOption = None,
) -> None:
    """Print the office's X.509 certificate (PEM) to publish: with it anyone checks a
    certificate's signature and its QR code's payload offline. 导出公开证书。"""
    with open_services(database_url) as services:
        keys = services.certificates.keys(office)
    chosen = [k for k in keys if (k.key_id == key_id if key_id else k.active)]
    if not chosen:
        raise fail(message(Code.CERT_NO_KEY, office=office, command=_create_command(office)))
    key = chosen[0]
    typer.echo(key.public_key_pem if public_only else key.certificate_pem, nl=False)


@numbering_app.command("show")
def numbering_show(office: OfficeOption, database_url: DatabaseOption = None) -> None:
    """The office's numbering pattern in force, and a number it gives. 显示编号格式。"""
    from phytowatch.domain.certificates.model import CertificateKind
    from phytowatch.domain.certificates.numbering import format_number
    from phytowatch.domain.instants import format_instant

    with open_services(database_url) as services:
        if services.accounts.office(office) is None:
            raise fail(message(Code.NO_OFFICE, office=office))
        pattern = services.certificates.number_pattern(office)
        year = int(format_instant(services.clock.now())[:4])
    example = format_number(
        pattern, office=office, year=year, kind=CertificateKind.PHYTOSANITARY, sequence=1
    )
    typer.echo(
        say(message(Code.CERT_PATTERN_SHOW, office=office, pattern=pattern, example=example))
    )


@numbering_app.command("set")
def numbering_set(
    office: OfficeOption,
    pattern: Annotated[
        str,
        typer.Argument(
            metavar="PATTERN",
            help="fields {office} {yy} or {yyyy} {kind} {seq} (e.g. {seq:06d}); "
            "default {office}{yy}{kind}{seq:06d}",
        ),
    ],
    database_url: DatabaseOption = None,
) -> None:
    """Set the office's numbering pattern (a new version, audited); the numbers already issued
    keep theirs, and the sequence of the year goes on. 设置编号格式。"""
    from phytowatch.domain.certificates.model import CertificateKind
    from phytowatch.domain.certificates.numbering import format_number
    from phytowatch.domain.instants import format_instant

    with open_services(database_url) as services:
        try:
            done = services.certificates.set_number_pattern(
                office, pattern, ctx=cli_context(services)
            )
        except Refused as error:
            raise refused(error) from None
        year = int(format_instant(services.clock.now())[:4])
    example = format_number(
        done, office=office, year=year, kind=CertificateKind.PHYTOSANITARY, sequence=1
    )
    typer.echo(say(message(Code.CERT_PATTERN_SET, office=office, pattern=done, example=example)))


@certificates_app.command("list")
def certificates_list(
    office: Annotated[
        str | None, typer.Option("--office", metavar="CODE", help="one office")
    ] = None,
    enterprise: Annotated[str | None, typer.Option(metavar="CODE", help="one enterprise")] = None,
    state: Annotated[
        str | None, typer.Option(metavar="STATE", help=f"one of {', '.join(STATES)}")
    ] = None,
    limit: Annotated[int, typer.Option(metavar="N", help="at most N, newest first")] = 50,
    database_url: DatabaseOption = None,
) -> None:
    """The certificates, newest first: number (or #id before issue), kind, state, consignment,
    enterprise, office, destination. 列出证书。"""
    from phytowatch.domain.certificates.model import CertificateState

    if state is not None and state not in STATES:
        raise fail(message(Code.FIELD_CHOICE, field="--state", choices=", ".join(STATES)))
    if not 1 <= limit <= 10_000:
        raise fail(message(Code.FIELD_RANGE, field="--limit", min=1, max=10_000))
    with open_services(database_url) as services:
        found = services.certificates.find(
            states=None if state is None else frozenset({CertificateState(state)}),
            office=office,
            enterprise=enterprise,
            limit=limit,
        )
    lang = default_lang()
    if not found.items:  # said on stderr: a script reading stdout still gets nothing
        typer.echo(say(message(Code.CERT_LIST_EMPTY)), err=True)
    for c in found.items:
        number = c.issue.number if c.issue else f"#{c.id}"
        typer.echo(
            f"{number}\t{t(c.kind.value, lang)}\t{t(c.state.value, lang)}\t"
            f"{c.content.consignment}\t{c.enterprise}\t{c.office}\t{c.content.destination}"
        )


@certificates_app.command("show")
def certificates_show(
    number: Annotated[str, typer.Argument(metavar="NUMBER", help="an issued certificate's number")],
    database_url: DatabaseOption = None,
) -> None:
    """An issued certificate as JSON: its state, content, issue record, history, prints and
    whether its signature verifies. 显示证书。"""
    from phytowatch.domain.certificates.canonical import content_json
    from phytowatch.domain.instants import format_instant

    with open_services(database_url) as services:
        certificates = services.certificates
        found = certificates.by_number(number.strip())
        if found is None or found.issue is None:
            raise fail(message(Code.CERT_NO_NUMBER, number=number))
        issue = found.issue
        check = certificates.check_signature(found)
        shown = {
            "number": issue.number,
            "kind": found.kind.value,
            "state": found.state.value,
            "consignment": found.content.consignment,
            "enterprise": found.enterprise,
            "office": found.office,
            "replaces": found.replaces,
            "replaced_by": found.replaced_by,
            "issued_at": format_instant(issue.issued_at),
            "place_of_issue": issue.place_of_issue,
            "officer": issue.officer,
            "key_id": issue.key_id,
            "content_hash": issue.content_hash,
            "check_code": issue.check_code,
            "signature": {
                "valid": check.valid,
                "hash_matches": check.hash_matches,
                "key_known": check.key_known,
            },
            "content": content_json(found.content),
            "history": [
                {
                    "state": e.state.value,
                    "at": format_instant(e.at),
                    "actor": e.actor,
                    "detail": e.detail,
                }
                for e in certificates.history(found.id)
            ],
            "prints": [
                {
                    "sequence": p.sequence,
                    "copy": p.copy,
                    "at": format_instant(p.at),
                    "actor": p.actor,
                }
                for p in certificates.prints(found.id)
            ],
        }
    typer.echo(json.dumps(shown, ensure_ascii=False, indent=2))
