"""``phytowatch ephyto …``: IPPC ePhyto. ``validate`` checks certificates or envelopes written
anywhere (no database: an NPPO testing its own XML uses it too); ``import`` keeps a received one;
``export`` writes one of our issued certificates."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from phytowatch.cli.messages import default_lang, say
from phytowatch.cli.options import DatabaseOption, cli_context, open_services
from phytowatch.cli.output import REFUSED_EXIT, fail, refused
from phytowatch.domain.messages import Code
from phytowatch.domain.messages import say as message

ephyto_app = typer.Typer(
    help="IPPC ePhyto: validate, import a received certificate, export ours. 电子植物检疫证书。",
    no_args_is_help=True,
)


def _read(file: Path, max_bytes: int) -> bytes:
    """At most ``max_bytes`` + 1 bytes: a huge file is refused without reading it all."""
    with file.open("rb") as handle:
        return handle.read(max_bytes + 1)


@ephyto_app.command("validate")
def ephyto_validate(
    files: Annotated[
        list[Path], typer.Argument(metavar="FILE...", help="SPSCertificate XML or envelopes")
    ],
) -> None:
    """Validate each FILE against the UN/CEFACT SPSCertificate:17 schema (and an envelope's
    header against the IPPC hub's): one line per problem naming the line and the element
    (FILE:LINE: element 'NAME': ...). Exit 0 when all are valid, 2 otherwise. 校验电子证书。"""
    from phytowatch.domain.messages import Refused
    from phytowatch.ephyto.codec import LxmlEphyto
    from phytowatch.ephyto.parsing import MAX_BYTES

    codec = LxmlEphyto()
    lang = default_lang()
    bad = 0
    for file in files:
        try:
            data = _read(file, MAX_BYTES)
        except OSError as error:
            bad += 1
            said = message(
                Code.EPHYTO_FILE_UNREADABLE, file=str(file), error=str(error.strerror or error)
            )
            typer.echo(say(said, lang))
            continue
        try:
            checked = codec.check(data)
        except Refused as error:
            bad += 1
            typer.echo(
                say(
                    message(
                        Code.EPHYTO_REFUSED_FILE, file=str(file), reason=say(error.message, lang)
                    ),
                    lang,
                )
            )
            continue
        if checked.problems:
            bad += 1
        for problem in checked.problems:
            said = message(
                Code.EPHYTO_INVALID_FILE,
                file=str(file),
                line=problem.line,
                element=problem.element,
                detail=problem.detail,
            )
            typer.echo(say(said, lang))
        if not checked.problems:
            typer.echo(
                say(message(Code.EPHYTO_VALID_FILE, file=str(file), kind=checked.kind), lang)
            )
    if bad:
        raise typer.Exit(REFUSED_EXIT)


@ephyto_app.command("import")
def ephyto_import(
    file: Annotated[Path, typer.Argument(metavar="FILE", help="a received ePhyto (XML)")],
    database_url: DatabaseOption = None,
) -> None:
    """Validate a received ePhyto and keep it (the raw XML, its hash, its fields); the same
    document again is recognised and not stored twice. A broken one is refused as validate says
    it (exit 2). 导入收到的电子证书。"""
    from phytowatch.domain.messages import Refused
    from phytowatch.ephyto.parsing import MAX_BYTES
    from phytowatch.services.certificates.ephyto import ProblemsRefused

    lang = default_lang()
    try:
        data = _read(file, MAX_BYTES)
    except OSError as error:
        said = message(
            Code.EPHYTO_FILE_UNREADABLE, file=str(file), error=str(error.strerror or error)
        )
        raise fail(said) from None
    with open_services(database_url) as services:
        try:
            done = services.ephyto.import_xml(data, ctx=cli_context(services))
        except ProblemsRefused as error:
            for problem in error.problems:
                said = message(
                    Code.EPHYTO_INVALID_FILE,
                    file=str(file),
                    line=problem.line,
                    element=problem.element,
                    detail=problem.detail,
                )
                typer.echo(f"phytowatch: {say(said, lang)}", err=True)
            raise typer.Exit(REFUSED_EXIT) from None
        except Refused as error:
            raise refused(error) from None
    typer.echo(say(done.message, lang))


@ephyto_app.command("export")
def ephyto_export(
    number: Annotated[str, typer.Argument(help="the issued certificate's number")],
    out: Annotated[
        Path | None,
        typer.Option("--out", "-o", metavar="FILE", help="write here (default: NUMBER.xml)"),
    ] = None,
    bare: Annotated[
        bool, typer.Option("--bare", help="the SPSCertificate alone, without the hub envelope")
    ] = False,
    database_url: DatabaseOption = None,
) -> None:
    """Write issued (status 70) or cancelled (40) certificate NUMBER as IPPC ePhyto XML, in the
    hub's envelope (From CN, To its destination), validated against the schema. A treatment
    certificate is not exchanged (exit 2). 导出电子植物检疫证书。"""
    from phytowatch.domain.messages import Refused

    lang = default_lang()
    target = out or Path(f"{number}.xml")
    with open_services(database_url) as services:
        try:
            data = services.ephyto.export(
                services.certificates.by_number(number), shown=number, envelope=not bare
            )
        except Refused as error:
            raise refused(error) from None
    try:
        target.write_bytes(data)
    except OSError as error:
        said = message(
            Code.EPHYTO_FILE_UNWRITABLE, file=str(target), error=str(error.strerror or error)
        )
        raise fail(said) from None
    kind = "certificate" if bare else "envelope"
    typer.echo(say(message(Code.EPHYTO_EXPORTED, file=str(target), number=number, kind=kind), lang))
