"""``phytowatch consignments``: declare a consignment from a JSON file (as a declarant, who
gives a password), list them, show one, and print the CSV template of lines. 报检货物。"""

from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import Annotated

import typer

from phytowatch.cli.messages import default_lang, say, t
from phytowatch.cli.options import DatabaseOption, open_services
from phytowatch.cli.output import fail, refused
from phytowatch.domain.messages import Code, Refused, Word
from phytowatch.domain.messages import say as message

consignments_app = typer.Typer(
    help="E-declaration: declare, list and show consignments. 电子申报。", no_args_is_help=True
)

STATES = ("draft", "submitted", "routed", "assessed", "returned", "withdrawn", "rejected")


def _password(from_stdin: bool) -> str:
    if from_stdin:
        line = sys.stdin.readline()
        if not line:
            raise fail(message(Code.CLI_PASSWORD_STDIN_EMPTY, option="--password-stdin"))
        return line.rstrip("\r\n")
    if not sys.stdin.isatty():
        raise fail(message(Code.CLI_NO_TERMINAL, option="--password-stdin"))
    password: str = typer.prompt(t("Password", default_lang()), hide_input=True)
    return password


@consignments_app.command("declare")
def consignments_declare(
    file: Annotated[Path, typer.Argument(metavar="FILE.json", help="a declaration as JSON")],
    as_login: Annotated[
        str,
        typer.Option("--as", metavar="LOGIN", help="the declarant (asked for a password)"),
    ],
    enterprise: Annotated[
        str | None,
        typer.Option(metavar="CODE", help="the enterprise (default: the declarant's own)"),
    ] = None,
    submit: Annotated[bool, typer.Option("--submit", help="submit it at once")] = False,
    password_stdin: Annotated[
        bool,
        typer.Option("--password-stdin", help="read the password as one line from stdin"),
    ] = False,
    database_url: DatabaseOption = None,
) -> None:
    """Draft a consignment from a JSON declaration (docs/declarations.md), and submit it with
    --submit. Each refused field is said on its own line (exit 2). 从 JSON 文件申报货物。"""
    from phytowatch.domain.supervision.validation import FieldsRefused
    from phytowatch.formats import declaration_json
    from phytowatch.services import accounts
    from phytowatch.services.context import Context
    from phytowatch.services.supervision.declare import DeclarationService

    try:
        value = json.loads(file.read_text(encoding="utf-8"))
    except json.JSONDecodeError as error:  # where, so that the declarant can find it
        raise fail(
            message(
                Code.CLI_CONSIGNMENT_JSON,
                file=str(file),
                line=error.lineno,
                column=error.colno,
                error=error.msg,
            )
        ) from None
    except (OSError, UnicodeDecodeError, ValueError) as error:
        reason = type(error).__name__ if not isinstance(error, OSError) else error.strerror
        raise fail(message(Code.CLI_CONSIGNMENT_FILE, path=str(file), error=str(reason))) from None
    lang = default_lang()
    try:
        declaration = declaration_json.decode(value)
    except FieldsRefused as error:
        for problem in error.problems:
            typer.echo(f"phytowatch: {say(problem.message, lang)}", err=True)
        raise fail(error.message) from None
    password = _password(password_stdin)
    with open_services(database_url) as services:
        try:
            user = accounts.check_password(
                services.accounts,
                services.audit,
                login_name=as_login,
                password=password,
                address="cli",
                now=services.clock.now(),
                cost=services.settings.password_hash_cost,
            )
            ctx = Context.of(accounts.principal_of(services.accounts, user), services.clock)
            declarations = DeclarationService.of(services)
            made = declarations.create(declaration, ctx=ctx, enterprise=enterprise)
            typer.echo(say(message(Code.CLI_CONSIGNMENT_DRAFTED, number=made.number, id=made.id)))
            if submit:
                done = declarations.submit(made.id, ctx=ctx)
                state = Word(done.consignment.state.value)
                typer.echo(
                    say(
                        message(
                            Code.CLI_CONSIGNMENT_SUBMITTED,
                            number=made.number,
                            version=done.version,
                            state=state,
                        ),
                        lang,
                    )
                )
                for warning in done.warnings:
                    typer.echo(say(warning.message, lang))
        except FieldsRefused as error:
            for problem in error.problems:
                typer.echo(f"phytowatch: {say(problem.message, lang)}", err=True)
            raise fail(error.message) from None
        except Refused as error:
            raise refused(error) from None


@consignments_app.command("list")
def consignments_list(
    enterprise: Annotated[str | None, typer.Option(metavar="CODE", help="one enterprise")] = None,
    state: Annotated[
        str | None, typer.Option(metavar="STATE", help=f"one of {', '.join(STATES)}")
    ] = None,
    limit: Annotated[int, typer.Option(metavar="N", help="at most N, newest first")] = 50,
    database_url: DatabaseOption = None,
) -> None:
    """The consignments, newest first: number, enterprise, state, version, destination,
    consignee. 列出报检货物。"""
    from phytowatch.domain.accounts import Jurisdiction
    from phytowatch.domain.supervision.consignment import ConsignmentState
    from phytowatch.services.supervision.consignments import ConsignmentQuery

    if state is not None and state not in {s.value for s in ConsignmentState}:
        raise fail(message(Code.FIELD_CHOICE, field="--state", choices=", ".join(STATES)))
    if not 1 <= limit <= 10_000:
        raise fail(message(Code.FIELD_RANGE, field="--limit", min=1, max=10_000))
    query = ConsignmentQuery(
        reach=Jurisdiction(everywhere=True),  # the operator's own database
        enterprise=enterprise,
        state=None if state is None else ConsignmentState(state),
        limit=limit,
    )
    with open_services(database_url) as services:
        found = services.consignments.find(query)
    lang = default_lang()
    for row in found.items:
        typer.echo(
            f"{row.number}\t{row.enterprise}\t{t(row.state.value, lang)}\tv{row.version}\t"
            f"{row.destination}\t{row.consignee}"
        )


@consignments_app.command("show")
def consignments_show(
    number: Annotated[str, typer.Argument(metavar="NUMBER", help="e.g. CD2026-000123")],
    database_url: DatabaseOption = None,
) -> None:
    """A consignment as JSON: its state, its content (the draft, or the newest version), its
    versions and its timeline. 显示报检货物。"""
    from phytowatch.domain.instants import format_instant
    from phytowatch.formats import declaration_json
    from phytowatch.services.supervision.consignments import content

    with open_services(database_url) as services:
        store = services.consignments
        found = store.by_number(number.strip().upper())
        if found is None:
            raise fail(message(Code.CLI_CONSIGNMENT_NO_NUMBER, number=number))
        declaration = content(store, found)
        shown = {
            "number": found.number,
            "enterprise": found.enterprise,
            "state": found.state.value,
            "version": found.version,
            "declaration": None if declaration is None else declaration_json.encode(declaration),
            "versions": [
                {
                    "version": v.version,
                    "submitted_at": format_instant(v.submitted_at),
                    "by": v.submitted_by,
                    "sha256": v.content_hash,
                }
                for v in store.versions(found.id)
            ],
            "timeline": [
                {
                    "step": e.step.value,
                    "at": format_instant(e.at),
                    "actor": e.actor,
                    "version": e.version,
                    "detail": e.detail,
                }
                for e in store.timeline(found.id)
            ],
        }
    typer.echo(json.dumps(shown, ensure_ascii=False, indent=2))


@consignments_app.command("lines-template")
def consignments_lines_template() -> None:
    """The CSV of lines' header and an example line (UTF-8), for the bulk upload.
    货物明细 CSV 模板。"""
    from phytowatch.formats.declaration_csv import template

    typer.echo(template(), nl=False)
