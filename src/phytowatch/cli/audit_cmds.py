"""``phytowatch audit …``: check the audit trail, list it, print its head for safekeeping."""

from __future__ import annotations

import json
from typing import TYPE_CHECKING, Annotated, Any

import typer

from phytowatch.cli.messages import default_lang, say, t
from phytowatch.cli.options import DatabaseOption, open_services
from phytowatch.cli.output import fail
from phytowatch.domain.audit import entry_state, shown_value
from phytowatch.domain.messages import Code
from phytowatch.domain.messages import say as message
from phytowatch.services.ports import StorageUnavailableError

if TYPE_CHECKING:
    from phytowatch.domain.audit import Anchor, AuditEntry
    from phytowatch.services.audit import TrailCheck

audit_app = typer.Typer(
    help="The tamper-evident audit trail: who changed what, when. 防篡改审计日志。",
    no_args_is_help=True,
)


def _when(instant: int | None, lang: str = "en") -> str:
    """An entry's time as stored (UTC), or what stands for it; in ``lang`` for a person, in
    English for the JSON."""
    from phytowatch.domain.instants import format_instant

    if instant is None:
        return say(message(Code.CLI_NO_TIME), lang)
    try:
        return format_instant(instant)
    except (ValueError, OverflowError, OSError):
        return say(message(Code.CLI_TIME_RAW, instant=instant), lang)


def _unreadable(error: Exception) -> typer.Exit:
    first = str(error).strip().splitlines()
    reason = first[0] if first else type(error).__name__  # the database's own words
    return fail(message(Code.CLI_AUDIT_UNREADABLE, error=reason))


@audit_app.command("verify")
def audit_verify(
    head: Annotated[
        str | None,
        typer.Option(
            "--head",
            metavar="SEQ:HASH",
            help="a head printed earlier by `audit head`: the trail must still hold it",
        ),
    ] = None,
    as_json: Annotated[bool, typer.Option("--json", help="JSON on stdout")] = False,
    database_url: DatabaseOption = None,
) -> None:
    """Check the hash chain against its anchored heads, and the append-only triggers; exit 1
    names what is wrong, exit 0 anchors the head just checked. 校验审计日志。"""
    from phytowatch.domain.audit import Anchor
    from phytowatch.domain.messages import Refused

    anchor = None
    if head is not None:
        try:
            anchor = Anchor.parse(head)
        except Refused as error:
            raise fail(f"--head {say(error.message)}") from None
    with open_services(database_url) as services:
        try:
            check = services.audit.check(now=services.clock.now(), anchor=anchor)
        except StorageUnavailableError as error:
            raise _unreadable(error) from None
    if as_json:
        typer.echo(json.dumps(check_json(check, head=anchor), ensure_ascii=False))
    else:
        for line in verdict_lines(check, head=anchor):
            typer.echo(line)
    if not check.passed:
        raise typer.Exit(1)


def verdict_lines(check: TrailCheck, *, head: Anchor | None, lang: str | None = None) -> list[str]:
    """What ``audit verify`` says, one line per finding (or the one line of an intact trail),
    each rendered from the catalogue in the CLI's language."""
    from phytowatch.domain.messages import Instant

    lang = lang or default_lang()
    colon, semicolon = ("：", "；") if lang == "zh" else (": ", "; ")
    report, lines = check.report, []
    if report.problem is not None:
        problem = report.problem
        lines.append(say(problem.headline(), lang) + colon + say(problem.message, lang))
    for guard in check.guards:
        lines.append(say(message(Code.AUDIT_UNGUARDED), lang) + colon + say(guard.message, lang))
    if lines:
        return lines
    if report.head is None:
        return [say(message(Code.AUDIT_INTACT_EMPTY), lang)]
    parts = [
        message(
            Code.AUDIT_INTACT, count=report.count, at=Instant(report.head.at), seq=report.head.seq
        )
    ]
    if head is not None:
        parts.append(message(Code.AUDIT_MATCHES_HEAD, seq=head.seq, hash=head.hash))
    kept = report.anchor
    if kept is not None and kept.at is not None:
        parts.append(message(Code.AUDIT_HOLDS_ANCHOR, at=Instant(kept.at), seq=kept.seq))
    if check.anchored is not None:
        parts.append(message(Code.AUDIT_ANCHORED, seq=check.anchored.seq))
    return [semicolon.join(say(part, lang) for part in parts)]


def _anchor_json(anchor: Anchor | None) -> dict[str, Any] | None:
    if anchor is None:
        return None
    return {
        "seq": anchor.seq,
        "hash": anchor.hash,
        "at": None if anchor.at is None else _when(anchor.at),
        "source": anchor.source,
        "signature": anchor.signature,
    }


def check_json(check: TrailCheck, *, head: Anchor | None) -> dict[str, Any]:
    """``audit verify --json``: every finding as its code and parameters (and the English
    text), for a monitoring system to read."""
    from phytowatch.domain.messages import message_json

    report = check.report
    problem = report.problem
    return {
        "passed": check.passed,
        "entries": report.count,
        "head": None
        if report.head is None
        else {"seq": report.head.seq, "hash": report.head.hash, "at": _when(report.head.at)},
        "problem": None
        if problem is None
        else {
            "seq": problem.seq,
            "kind": problem.kind.value,
            "at": None if problem.at is None else _when(problem.at),
            **message_json(problem.message),
        },
        "guards": [
            {
                "table": guard.table,
                "trigger": guard.trigger,
                "state": guard.state.value,
                **message_json(guard.message),
            }
            for guard in check.guards
        ],
        "head_given": None if head is None else str(head),
        "anchor": _anchor_json(report.anchor),
        "anchored": _anchor_json(check.anchored),
    }


@audit_app.command("head")
def audit_head(database_url: DatabaseOption = None) -> None:
    """Print the newest entry as SEQ:HASH, to keep outside the database. 输出日志链头。"""
    with open_services(database_url) as services:
        try:
            entry = services.audit.head()
        except StorageUnavailableError as error:
            raise _unreadable(error) from None
    lang = default_lang()
    if entry is None:
        typer.echo(f"phytowatch: {say(message(Code.CLI_AUDIT_NO_HEAD), lang)}", err=True)
        return
    command = "phytowatch audit verify --head SEQ:HASH"
    head = message(Code.CLI_AUDIT_HEAD, at=_when(entry.at, lang), command=command)
    typer.echo(say(head, lang), err=True)
    typer.echo(f"{entry.seq}:{entry.hash}")


def change_text(entry: AuditEntry, lang: str = "en") -> str:
    """before → after in a few words: the changed keys only when both are there."""
    before, before_raw = entry_state(entry.before)
    after, after_raw = entry_state(entry.after)
    if before_raw or after_raw:
        return f"{before_raw or shown_value(before)} → {after_raw or shown_value(after)}"
    if before is None and after is None:
        return ""
    if before is None or after is None:
        present: dict[str, Any] = after or before or {}
        text = ", ".join(f"{k}={shown_value(v)}" for k, v in sorted(present.items()))
        return text if before is None else say(message(Code.CLI_AUDIT_WAS, state=text), lang)
    changed = sorted(k for k in before.keys() | after.keys() if before.get(k) != after.get(k))
    return ", ".join(
        f"{k}: {shown_value(before.get(k, '—'))} → {shown_value(after.get(k, '—'))}"
        for k in changed
    )


@audit_app.command("list")
def audit_list(
    limit: Annotated[
        int, typer.Option(metavar="N", min=1, max=100_000, help="the newest N entries")
    ] = 50,
    object_: Annotated[
        str | None,
        typer.Option(
            "--object",
            metavar="TYPE[:ID]",
            help="one kind of object, or one object, e.g. facility:JX-0031-K2",
        ),
    ] = None,
    database_url: DatabaseOption = None,
) -> None:
    """The newest entries, oldest of them first, in a table. 列出审计日志。"""
    from rich import box
    from rich.console import Console
    from rich.table import Table
    from rich.text import Text

    object_type, object_id = None, None
    if object_ is not None:
        kind, sep, ident = object_.partition(":")
        if not kind.strip() or (sep and not ident.strip()):
            form = message(
                Code.CLI_OBJECT_FORM,
                option="--object",
                value=object_,
                example="facility:JX-0031-K2",
            )
            raise fail(form)
        object_type, object_id = kind.strip(), (ident.strip() if sep else None)
    with open_services(database_url) as services:
        try:
            entries = services.audit.latest(
                limit=limit, object_type=object_type, object_id=object_id
            )
        except StorageUnavailableError as error:
            raise _unreadable(error) from None
    lang = default_lang()
    console = Console(highlight=False, markup=False)
    if not entries:
        none = (
            message(Code.CLI_AUDIT_NONE_FOR, object=object_)
            if object_
            else message(Code.CLI_AUDIT_NONE)
        )
        console.print(say(none, lang), markup=False)
        return
    table = Table(box=box.SIMPLE_HEAD, pad_edge=False)
    table.add_column(t("seq", lang), justify="right", no_wrap=True)
    table.add_column(t("at (UTC)", lang), no_wrap=True)
    table.add_column(t("actor", lang), overflow="fold")
    table.add_column(t("action", lang), overflow="fold")
    table.add_column(t("object", lang), overflow="fold")
    table.add_column(t("before → after", lang), overflow="fold", ratio=1)
    for entry in reversed(entries):
        cells = (
            str(entry.seq),
            _when(entry.at, lang)[:19].replace("T", " "),
            entry.actor,
            entry.action,
            f"{entry.object_type}:{entry.object_id}",
            change_text(entry, lang),
        )
        table.add_row(*(Text(cell) for cell in cells))  # names and notes shown verbatim
    console.print(table)
