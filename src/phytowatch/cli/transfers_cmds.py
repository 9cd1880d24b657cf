"""``phytowatch transfers``: the e-transfers (step 5): list, show (the transfer document),
retrieve at the port (number + password, as a port officer), amend within the rules (as the
enterprise's declarant). 电子转单：列出、查看、口岸接收、更改。"""

from __future__ import annotations

import json
from typing import Annotated

import typer

from phytowatch.cli.messages import default_lang, say
from phytowatch.cli.options import DatabaseOption, cli_context, open_services
from phytowatch.cli.output import fail, refused
from phytowatch.domain.messages import Code, Refused
from phytowatch.domain.messages import say as message
from phytowatch.services.app import App
from phytowatch.services.context import Context

transfers_app = typer.Typer(
    help="E-transfers to the port of exit: list, show, retrieve, amend. 电子转单。",
    no_args_is_help=True,
)
NumberArg = Annotated[str, typer.Argument(metavar="NUMBER", help="the transfer number")]
AsOption = Annotated[
    str, typer.Option("--as", metavar="LOGIN", help="who acts (asked for a password)")
]
PasswordStdin = Annotated[
    bool,
    typer.Option("--password-stdin", help="read the login's password as one line from stdin"),
]


def _login(services: App, login: str, from_stdin: bool) -> Context:
    from phytowatch.cli.consignments_cmds import _password
    from phytowatch.services import accounts

    password = _password(from_stdin)
    user = accounts.check_password(
        services.accounts,
        services.audit,
        login_name=login,
        password=password,
        address="cli",
        now=services.clock.now(),
        cost=services.settings.password_hash_cost,
    )
    return Context.of(accounts.principal_of(services.accounts, user), services.clock)


@transfers_app.command("list")
def transfers_list(
    number: Annotated[str, typer.Option(metavar="TEXT", help="part of the number")] = "",
    enterprise: Annotated[str, typer.Option(metavar="CODE", help="one enterprise")] = "",
    limit: Annotated[int, typer.Option(min=1, max=10_000, help="at most this many")] = 50,
    database_url: DatabaseOption = None,
) -> None:
    """The transfers, newest first: number, consignment, enterprise, port, port office,
    electronic or on paper, certificates, made (UTC). 列出转单。"""
    from phytowatch.cli.messages import t
    from phytowatch.domain.instants import format_instant
    from phytowatch.services.transfers.service import query_for

    with open_services(database_url) as services:
        principal = cli_context(services).principal
        query = query_for(principal, number=number, enterprise=enterprise or None, limit=limit)
        found = services.transfers.find(query)
    lang = default_lang()
    for item in found.items:
        form = "e" if item.electronic else t("on paper", lang)
        typer.echo(
            f"{item.number}\t{item.consignment_number}\t{item.enterprise}\t{item.port}\t"
            f"{item.port_office or '-'}\t{form}\t{','.join(item.certificates) or '-'}\t"
            f"{format_instant(item.created_at)}"
        )


@transfers_app.command("show")
def transfers_show(number: NumberArg, database_url: DatabaseOption = None) -> None:
    """The transfer document (phytowatch.transfer/1, docs/transfer-format.md) as JSON. 查看转单。"""
    with open_services(database_url) as services:
        try:
            found = services.transfers.visible(number, cli_context(services).principal)
        except Refused as error:
            raise refused(error) from None
        document = services.transfers.document(found)
    typer.echo(json.dumps(document, ensure_ascii=False, indent=2, sort_keys=True))


@transfers_app.command("retrieve")
def transfers_retrieve(
    number: NumberArg,
    as_login: AsOption,
    transfer_password: Annotated[
        str,
        typer.Option(
            "--transfer-password", metavar="TEXT", help="the transfer's password (ABCDE-FGHJK)"
        ),
    ],
    password_stdin: PasswordStdin = False,
    database_url: DatabaseOption = None,
) -> None:
    """Take a transfer at the port, as a port officer of its port office; wrong numbers or
    passwords are counted and lock out. 口岸接收转单。"""
    with open_services(database_url) as services:
        try:
            ctx = _login(services, as_login, password_stdin)
            taken = services.transfers.retrieve(number, transfer_password, address="cli", ctx=ctx)
        except Refused as error:
            raise refused(error) from None
    typer.echo(say(message(Code.TRANSFER_RETRIEVED, number=taken.number, office=taken.port_office)))


@transfers_app.command("amend")
def transfers_amend(
    number: NumberArg,
    as_login: AsOption,
    changes: Annotated[
        list[str],
        typer.Option(
            "--set",
            metavar="FIELD=VALUE",
            help="a change: declared_value, conveyance, departure_date (YYYY-MM-DD), "
            "containers ('MSCU1234566 40, ...'), quantity ('1100 30', one per line)",
        ),
    ],
    password_stdin: PasswordStdin = False,
    database_url: DatabaseOption = None,
) -> None:
    """Ask for changes the rules of ports.json allow, as the enterprise's declarant: all, or
    none with each refused field and its rule said on its own line (exit 2). 申请更改转单。"""
    from phytowatch.services.transfers.service import AmendmentRefused

    asked: dict[str, object] = {}
    for change in changes:
        field, sep, value = change.partition("=")
        if not sep or not field.strip():
            raise fail(message(Code.TRANSFER_SET_FORM, value=change[:60]))
        asked[field.strip()] = value
    lang = default_lang()
    with open_services(database_url) as services:
        try:
            ctx = _login(services, as_login, password_stdin)
            done = services.transfers.amend(number, asked, ctx=ctx)
        except AmendmentRefused as error:
            for problem in error.problems:
                typer.echo(f"phytowatch: {say(problem.message, lang)}", err=True)
            raise fail(error.message) from None
        except Refused as error:
            raise refused(error) from None
    typer.echo(
        say(message(Code.TRANSFER_AMENDED, number=done.number, fields=", ".join(asked)), lang)
    )
