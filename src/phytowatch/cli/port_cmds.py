"""``phytowatch port``: the port office's queue, the port check, release and hold (放行); and
``phytowatch clearances show``: a clearance record (通关单). 口岸查验与放行。"""

from __future__ import annotations

import json
from typing import Annotated

import typer

from phytowatch.cli.messages import default_lang, say, t
from phytowatch.cli.options import DatabaseOption, cli_context, open_services
from phytowatch.cli.output import REFUSED_EXIT, fail, refused
from phytowatch.domain.messages import Code, Refused
from phytowatch.domain.messages import say as message

port_app = typer.Typer(
    help="The port check and release of transferred batches. 口岸查验与放行。",
    no_args_is_help=True,
)
clearances_app = typer.Typer(help="Clearance records. 通关单。", no_args_is_help=True)

OfficeOption = Annotated[
    str, typer.Option("--office", metavar="CODE", help="the port office that acts")
]
TransferArgument = Annotated[str, typer.Argument(metavar="TRANSFER", help="the transfer's number")]


def _fields(error: Refused) -> typer.Exit:
    from phytowatch.services.supervision.assessment import FieldsRefused

    if isinstance(error, FieldsRefused):
        for name, wrong in error.wrong:
            typer.echo(f"phytowatch: --{name.replace('_', '-')}: {say(wrong)}", err=True)
        return typer.Exit(REFUSED_EXIT)
    return refused(error)


@port_app.command("queue")
def port_queue(office: OfficeOption, database_url: DatabaseOption = None) -> None:
    """The transfers the port office took that await check or release: transfer, consignment,
    enterprise, the draw (check or not, the ratio and its confidence), held, checked.
    口岸待办：待查验或放行的转单。"""
    from phytowatch.services.port.release import draw_message

    with open_services(database_url) as services:
        try:
            found = services.port.queue(ctx=cli_context(services), office=office)
        except Refused as error:
            raise refused(error) from None
    lang = default_lang()
    if not found:
        typer.echo(say(message(Code.PORT_QUEUE_EMPTY, office=office)))
    for view in found:
        drawn = say(draw_message(view.draw)) if view.draw is not None else ""
        state = t("held", lang) if view.held else ""
        checked = t("checked", lang) if view.checked_ok else ""
        typer.echo(
            f"{view.transfer.number}\t{view.transfer.consignment_number}\t"
            f"{view.transfer.enterprise}\t{drawn}\t{state}\t{checked}".rstrip()
        )


@port_app.command("check")
def port_check(
    transfer: TransferArgument,
    office: OfficeOption,
    seals: Annotated[str, typer.Option("--seals-intact", metavar="yes|no")],
    containers: Annotated[str, typer.Option("--containers-match", metavar="yes|no")],
    goods: Annotated[str, typer.Option("--goods-match", metavar="yes|no")],
    findings: Annotated[str, typer.Option(metavar="TEXT", help="what was found")] = "",
    database_url: DatabaseOption = None,
) -> None:
    """Record the port check: seals intact, container numbers as declared, goods against the
    certificate (yes or no each), and the findings. 记录口岸查验。"""
    from phytowatch.services.port.ports import CheckForm

    with open_services(database_url) as services:
        try:
            made = services.port.check(
                transfer,
                CheckForm(seals, containers, goods, findings),
                ctx=cli_context(services),
                office=office,
            )
        except Refused as error:
            raise _fields(error) from None
    lang = default_lang()
    verdict = t("conforming" if made.conforming else "not_conforming", lang)
    typer.echo(say(message(Code.PORT_CHECK_RECORDED, verdict=verdict)))


@port_app.command("hold")
def port_hold(
    transfer: TransferArgument,
    office: OfficeOption,
    reason: Annotated[str, typer.Option(metavar="TEXT", help="why the batch is held")],
    database_url: DatabaseOption = None,
) -> None:
    """Hold the batch, with the reason; it is released later only after a conforming check.
    扣留货物。"""
    with open_services(database_url) as services:
        try:
            made = services.port.hold(transfer, reason, ctx=cli_context(services), office=office)
        except Refused as error:
            raise _fields(error) from None
    typer.echo(say(message(Code.PORT_HELD_AS, reason=made.reason)))


@port_app.command("release")
def port_release(
    transfer: TransferArgument, office: OfficeOption, database_url: DatabaseOption = None
) -> None:
    """Release the batch: the clearance record (通关单) is made with its number, and the
    consignment is released. Refused, saying why, when it cannot be. 放行。"""
    with open_services(database_url) as services:
        try:
            made = services.port.release(transfer, ctx=cli_context(services), office=office)
        except Refused as error:
            raise refused(error) from None
    typer.echo(say(message(Code.PORT_RELEASED_AS, port=made.port, clearance=made.number)))


@clearances_app.command("show")
def clearances_show(
    number: Annotated[str, typer.Argument(metavar="NUMBER", help="the clearance's number")],
    database_url: DatabaseOption = None,
) -> None:
    """A clearance record as JSON. 显示通关单。"""
    from phytowatch.domain.instants import format_instant

    with open_services(database_url) as services:
        found = services.port.clearance(number)
        if found is None:
            raise fail(message(Code.PORT_UNKNOWN_CLEARANCE, number=number))
    shown = {
        "number": found.number,
        "transfer": found.transfer_number,
        "consignment": found.consignment_number,
        "enterprise": found.enterprise,
        "office": found.office,
        "port": found.port,
        "certificates": list(found.certificates),
        "check": found.check_id,
        "released_at": format_instant(found.released_at),
        "released_by": found.released_by,
    }
    typer.echo(json.dumps(shown, ensure_ascii=False, indent=2))
