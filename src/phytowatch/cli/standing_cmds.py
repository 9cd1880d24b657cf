"""``phytowatch classify …`` (an enterprise's class, e-supervision, key list; the proposed up-
and downgrades) and ``phytowatch bases …`` (raw-material bases).

Whoever runs these commands on the host holds the database: they act with an administrator's
authority, recorded in the audit trail as ``cli:<operating-system user>``.
"""

from __future__ import annotations

from typing import Annotated, Any

import typer

from phytowatch.cli.messages import say, t
from phytowatch.cli.options import DatabaseOption, cli_context, open_services
from phytowatch.cli.output import fail, refused
from phytowatch.domain.messages import Code, Refused, Word
from phytowatch.domain.messages import say as message
from phytowatch.services.app import App
from phytowatch.services.context import Context

classify_app = typer.Typer(
    help="Enterprise classification and its proposed changes. 企业分类管理。",
    no_args_is_help=True,
)
bases_app = typer.Typer(help="Raw-material bases. 原料基地。", no_args_is_help=True)

MAX_ID = 2**31 - 1


def _context(services: App) -> Context:
    """The operator, with an administrator's authority (see the module)."""
    from phytowatch.domain.accounts import ROLE_ACTIONS, Principal, Role

    ctx = cli_context(services)
    principal = Principal(
        kind="cli", actor=ctx.actor, actions=ROLE_ACTIONS[Role.ADMINISTRATOR],
        role=Role.ADMINISTRATOR,
    )  # fmt: skip
    return Context(principal, ctx.now)


def _call(function: Any, *args: Any, **kwargs: Any) -> Any:
    try:
        return function(*args, **kwargs)
    except Refused as error:
        raise refused(error) from None


def _yes_no(value: bool) -> str:
    return "yes" if value else "no"


def _standing_line(s: Any) -> str:
    from phytowatch.domain.instants import format_instant

    return "\t".join(
        [format_instant(s.since), s.scheme, s.klass, _yes_no(s.e_supervised),
         _yes_no(s.key_list), s.by, s.reason]
    )  # fmt: skip


@classify_app.command("set")
def classify_set(
    enterprise: Annotated[str, typer.Argument(metavar="ENTERPRISE", help="the enterprise's code")],
    reason: Annotated[str, typer.Option(metavar="TEXT", help="why (kept in the history)")],
    klass: Annotated[
        str | None,
        typer.Option("--class", metavar="CLASS", help="a class of the scheme in force, e.g. II"),
    ] = None,
    e_supervised: Annotated[
        bool | None,
        typer.Option("--e-supervised/--no-e-supervised", help="under e-supervision or not"),
    ] = None,
    key_list: Annotated[
        bool | None,
        typer.Option("--key-list/--no-key-list", help="on the key list (every batch inspected)"),
    ] = None,
    database_url: DatabaseOption = None,
) -> None:
    """Set an enterprise's class, e-supervision and key list; what is not given stays.
    设定企业类别、电子监管与重点名单。"""
    from phytowatch.services.supervision.standing import set_standing

    with open_services(database_url) as services:
        done = _call(
            set_standing, services.classification, services.policy, services.audit, enterprise,
            ctx=_context(services), klass=klass, e_supervised=e_supervised, key_list=key_list,
            reason=reason,
        )  # fmt: skip
    typer.echo(
        say(
            message(
                Code.STANDING_SET,
                enterprise=done.enterprise,
                klass=done.klass,
                e_supervised=Word(_yes_no(done.e_supervised)),
                key_list=Word(_yes_no(done.key_list)),
            )
        )
    )


@classify_app.command("show")
def classify_show(
    enterprise: Annotated[str, typer.Argument(metavar="ENTERPRISE", help="the enterprise's code")],
    database_url: DatabaseOption = None,
) -> None:
    """Show an enterprise's standing in force, then its history (newest first, tab-separated:
    since, scheme, class, e-supervised, key list, by, reason). 显示企业类别及其历史。"""
    from phytowatch.services.supervision.standing import standing_history

    with open_services(database_url) as services:
        now, history = _call(
            standing_history, services.classification, enterprise, ctx=_context(services)
        )
    if now is not None:
        typer.echo(_standing_line(now))
    for entry in history:
        typer.echo(_standing_line(entry))


@classify_app.command("propose")
def classify_propose(
    end: Annotated[
        str | None,
        typer.Option(metavar="DATE", help="count the record up to and including this day"),
    ] = None,
    database_url: DatabaseOption = None,
) -> None:
    """Apply the classification rules to every enterprise's record; list the new proposals
    (id, enterprise, from, to, rule, measure, count). 按规则提出分类调整建议。"""
    from phytowatch.domain.instants import US_PER_D, parse_instant
    from phytowatch.services.supervision.standing import compute_proposals

    until = None
    if end is not None:
        try:
            day = parse_instant(end.strip(), naive_is_utc=True)
        except (ValueError, ArithmeticError):
            raise fail(message(Code.FIELD_DATE, field="--end")) from None
        until = day - day % US_PER_D + US_PER_D
    with open_services(database_url) as services:
        done = _call(
            compute_proposals, services.classification, services.policy,
            services.record_counters, services.audit, ctx=_context(services), end=until,
        )  # fmt: skip
    for r in done.added:
        p = r.proposal
        typer.echo(
            f"{r.id}\t{p.enterprise}\t{p.from_class}\t{p.to_class}\t{p.rule}\t{p.measure}\t{p.count}"
        )
    typer.echo(say(message(Code.CLASSIFICATION_PROPOSED, count=len(done.added))))
    for measure in done.unknown_measures:
        typer.echo(say(message(Code.CLASSIFICATION_UNKNOWN_MEASURE, measure=Word(measure))))


def _proposal_id(value: int) -> int:
    if not 1 <= value <= MAX_ID:
        raise fail(message(Code.NO_PROPOSAL, proposal=value))
    return value


@classify_app.command("confirm")
def classify_confirm(
    proposal: Annotated[int, typer.Argument(metavar="ID", help="the proposal's number")],
    comment: Annotated[str, typer.Option(metavar="TEXT", help="an optional note")] = "",
    database_url: DatabaseOption = None,
) -> None:
    """Confirm a proposal: the enterprise moves to the proposed class. 确认分类调整。"""
    from phytowatch.services.supervision.standing import confirm

    with open_services(database_url) as services:
        done = _call(
            confirm, services.classification, services.audit, _proposal_id(proposal),
            ctx=_context(services), comment=comment,
        )  # fmt: skip
    typer.echo(_standing_line(done))


@classify_app.command("dismiss")
def classify_dismiss(
    proposal: Annotated[int, typer.Argument(metavar="ID", help="the proposal's number")],
    comment: Annotated[str, typer.Option(metavar="TEXT", help="why not (required)")],
    database_url: DatabaseOption = None,
) -> None:
    """Dismiss a proposal: the class stays. 驳回分类调整。"""
    from phytowatch.services.supervision.standing import dismiss

    with open_services(database_url) as services:
        done = _call(
            dismiss, services.classification, services.audit, _proposal_id(proposal),
            ctx=_context(services), comment=comment,
        )  # fmt: skip
    typer.echo(f"{done.id}\t{done.state.value}")


@classify_app.command("list")
def classify_list(
    state: Annotated[
        str | None, typer.Option(metavar="STATE", help="proposed, confirmed or dismissed")
    ] = None,
    database_url: DatabaseOption = None,
) -> None:
    """List the proposals, newest first. 列出分类调整建议。"""
    from phytowatch.domain.supervision.classification import ProposalState

    try:
        wanted = None if state is None else ProposalState(state.strip())
    except ValueError:
        choices = ", ".join(s.value for s in ProposalState)
        raise fail(message(Code.FIELD_CHOICE, field="--state", choices=choices)) from None
    with open_services(database_url) as services:
        found = services.classification.find_proposals(wanted, offset=0, limit=10_000)
    for r in found.items:
        p = r.proposal
        typer.echo(
            f"{r.id}\t{p.enterprise}\t{p.from_class}\t{p.to_class}\t{p.rule}\t{p.count}\t"
            f"{r.state.value}"
        )


# -- bases --------------------------------------------------------------------------------------


def _base_line(b: Any, lang: str) -> str:
    return "\t".join(
        [b.number, b.enterprise, t(b.status.value, lang), ",".join(b.products), b.name,
         b.location]
    )  # fmt: skip


@bases_app.command("add")
def bases_add(
    number: Annotated[str, typer.Argument(metavar="NUMBER", help="the registration number")],
    enterprise: Annotated[str, typer.Option(metavar="CODE", help="the enterprise's code")],
    name: Annotated[str, typer.Option(metavar="TEXT", help="the base's name")],
    product: Annotated[
        list[str], typer.Option(metavar="CODE", help="a product of the catalogue (repeat)")
    ],
    location: Annotated[str, typer.Option(metavar="TEXT", help="where it is")],
    database_url: DatabaseOption = None,
) -> None:
    """Register a raw-material base (valid from now). 原料基地备案。"""
    from phytowatch.services.supervision.bases import register_base

    with open_services(database_url) as services:
        done = _call(
            register_base, services.bases, services.policy, services.audit,
            ctx=_context(services), number=number, enterprise=enterprise, name=name,
            products=product, location=location,
        )  # fmt: skip
    typer.echo(say(message(Code.BASE_DONE, base=done.number, status=Word(done.status.value))))


@bases_app.command("list")
def bases_list(
    enterprise: Annotated[str, typer.Option(metavar="CODE", help="only this enterprise's")] = "",
    database_url: DatabaseOption = None,
) -> None:
    """List the bases (number, enterprise, status, products, name, location). 列出原料基地。"""
    from phytowatch.cli.messages import default_lang
    from phytowatch.domain.accounts import Jurisdiction
    from phytowatch.services.supervision.bases import BaseQuery

    lang = default_lang()
    with open_services(database_url) as services:
        query = BaseQuery(Jurisdiction(everywhere=True), enterprise=enterprise.strip())
        found = services.bases.find_bases(query, offset=0, limit=100_000)
    for base in found.items:
        typer.echo(_base_line(base, lang))


@bases_app.command("suspend")
def bases_suspend(
    number: Annotated[str, typer.Argument(metavar="NUMBER", help="the registration number")],
    reason: Annotated[str, typer.Option(metavar="TEXT", help="why (required)")],
    database_url: DatabaseOption = None,
) -> None:
    """Suspend a base: what it supplies is inspected. 暂停原料基地。"""
    from phytowatch.services.supervision.bases import suspend_base

    with open_services(database_url) as services:
        done = _call(
            suspend_base, services.bases, services.audit, number, ctx=_context(services),
            reason=reason,
        )  # fmt: skip
    typer.echo(say(message(Code.BASE_DONE, base=done.number, status=Word(done.status.value))))


@bases_app.command("reinstate")
def bases_reinstate(
    number: Annotated[str, typer.Argument(metavar="NUMBER", help="the registration number")],
    reason: Annotated[str, typer.Option(metavar="TEXT", help="an optional note")] = "",
    database_url: DatabaseOption = None,
) -> None:
    """Reinstate a suspended base. 恢复原料基地。"""
    from phytowatch.services.supervision.bases import reinstate_base

    with open_services(database_url) as services:
        done = _call(
            reinstate_base, services.bases, services.audit, number, ctx=_context(services),
            reason=reason,
        )  # fmt: skip
    typer.echo(say(message(Code.BASE_DONE, base=done.number, status=Word(done.status.value))))
