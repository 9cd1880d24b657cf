"""``phytowatch marks …``: the IPPC mark for wood packaging: authorise it for a load of a
passed, signed-off run (as an inspector, with a password), list the authorisations, show one."""

from __future__ import annotations

import json
from typing import TYPE_CHECKING, Annotated, Any

import typer

from phytowatch.cli.accounts_cmds import PasswordStdin, _call, _read_password, signed_in_person
from phytowatch.cli.messages import default_lang, say
from phytowatch.cli.options import DatabaseOption, open_services
from phytowatch.cli.output import fail
from phytowatch.domain.messages import Code
from phytowatch.domain.messages import say as message

if TYPE_CHECKING:
    from phytowatch.domain.certificates.mark import Authorisation

marks_app = typer.Typer(
    help="The IPPC mark for wood packaging: authorise, revoke, list, show. IPPC 木质包装标识。",
    no_args_is_help=True,
)


def _json(found: Authorisation) -> dict[str, Any]:
    return {
        "number": found.number,
        "mark": found.mark,
        "method": found.method.value,
        "run": found.run_id,
        "facility": found.facility,
        "enterprise": found.enterprise,
        "treater_number": found.treater_number,
        "bureau_code": found.bureau_code,
        "schedule": found.schedule_id,
        "load": found.load.description,
        "quantity": str(found.load.quantity),
        "unit": found.load.unit.value,
        "office": found.office,
        "authorised_by": found.by,
        "authorised_at": found.at,
        "check_code": found.check_code,
        "token": found.token,
    }


def _line(found: Authorisation) -> str:
    return (
        f"{found.number}\t{found.mark}\trun {found.run_id}\t{found.facility}\t"
        f"{found.load.description}\t{found.load.quantity} {found.load.unit.value}"
    )


@marks_app.command("authorise")
def marks_authorise(
    run_id: Annotated[int, typer.Argument(metavar="RUN", help="the run's number")],
    as_login: Annotated[
        str,
        typer.Option(
            "--as", metavar="LOGIN", help="the inspector authorising (asked for a password)"
        ),
    ],
    load: Annotated[str, typer.Option("--load", metavar="TEXT", help="the wood packaging")],
    quantity: Annotated[str, typer.Option("--quantity", metavar="N", help="how many")],
    unit: Annotated[
        str, typer.Option("--unit", metavar="UNIT", help="pieces, pallets, crates or m3")
    ] = "pieces",
    method: Annotated[
        str, typer.Option("--method", metavar="HT|DH|MB", help="the treatment the mark says")
    ] = "",
    as_json: Annotated[bool, typer.Option("--json", help="JSON on stdout")] = False,
    password_stdin: PasswordStdin = False,
    database_url: DatabaseOption = None,
) -> None:
    """Authorise the IPPC mark for a load treated in RUN (closed, PASS, signed off, under an
    ISPM 15 schedule, at a facility with a treater number). 授权加施 IPPC 标识。"""
    from phytowatch.services.context import Context

    if not 1 <= run_id <= 2**31 - 1:
        raise fail(message(Code.NO_RUN, run=run_id))
    password = _read_password(password_stdin, confirm=False)
    with open_services(database_url) as services:
        inspector = signed_in_person(services, as_login, password)
        done = _call(
            services.marks.authorise,
            run_id,
            load=load,
            quantity=quantity,
            unit=unit,
            method=method,
            ctx=Context.of(inspector, services.clock),  # the inspector acts, not the operator
        )
    found: Authorisation = done  # type: ignore[assignment]
    if as_json:
        typer.echo(json.dumps(_json(found), ensure_ascii=False))
    else:
        typer.echo(_line(found))
        typer.echo(say(message(Code.MARK_CLI_CHECK, code=found.check_code), default_lang()))


@marks_app.command("revoke")
def marks_revoke(
    number: Annotated[str, typer.Argument(metavar="NUMBER", help="e.g. MK2026-000001")],
    as_login: Annotated[
        str,
        typer.Option("--as", metavar="LOGIN", help="the inspector revoking (asked for a password)"),
    ],
    reason: Annotated[str, typer.Option("--reason", metavar="TEXT", help="why it is withdrawn")],
    password_stdin: PasswordStdin = False,
    database_url: DatabaseOption = None,
) -> None:
    """Revoke mark authorisation NUMBER, saying why: a record of its own; the verification then
    says the mark does not stand. 撤销标识授权。"""
    from phytowatch.services.context import Context

    password = _read_password(password_stdin, confirm=False)
    with open_services(database_url) as services:
        inspector = signed_in_person(services, as_login, password)
        _call(
            services.marks.revoke,
            number.strip().upper()[:32],
            reason=reason,
            ctx=Context.of(inspector, services.clock),
        )
    typer.echo(say(message(Code.MARK_CLI_REVOKED, number=number.strip().upper()), default_lang()))


@marks_app.command("list")
def marks_list(
    limit: Annotated[int, typer.Option(min=1, max=10_000, help="at most this many")] = 100,
    as_json: Annotated[bool, typer.Option("--json", help="JSON on stdout")] = False,
    database_url: DatabaseOption = None,
) -> None:
    """The mark authorisations, newest first. 标识授权列表。"""
    with open_services(database_url) as services:
        found = services.marks.store.find(None, offset=0, limit=limit)
    if as_json:
        typer.echo(json.dumps([_json(m) for m in found.items], ensure_ascii=False))
        return
    for m in found.items:
        typer.echo(_line(m))


@marks_app.command("show")
def marks_show(
    number: Annotated[str, typer.Argument(metavar="NUMBER", help="e.g. MK2026-000001")],
    database_url: DatabaseOption = None,
) -> None:
    """One mark authorisation, as JSON. 查看标识授权。"""
    with open_services(database_url) as services:
        found = services.marks.store.by_number(number.strip().upper())
    if found is None:
        raise fail(message(Code.NO_MARK, number=number[:32]))
    typer.echo(json.dumps(_json(found), ensure_ascii=False, indent=2))
