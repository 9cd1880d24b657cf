"""``phytowatch rules``: official policy as data (products, destination requirements, routing,
classification): check files, show or export the document in force, import a new version,
list the versions."""

from __future__ import annotations

import json
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any

import typer

from phytowatch.cli.messages import say, t
from phytowatch.cli.options import (
    DatabaseOption,
    LangOption,
    cli_context,
    language_of,
    open_services,
)
from phytowatch.cli.output import fail, refused
from phytowatch.domain.messages import Code, Refused
from phytowatch.domain.messages import say as message

if TYPE_CHECKING:
    from phytowatch.domain.schedule import Confidence
    from phytowatch.domain.supervision.policy import Policy, PolicyKind

rules_app = typer.Typer(
    help="Official policy as data: products, destination requirements, routing, "
    "classification. 官方政策数据：产品、输入国家（地区）要求、分流规则、分类管理。",
    no_args_is_help=True,
)

KindArgument = Annotated[
    str,
    typer.Argument(
        metavar="KIND", help="products, destinations, routing or classification", show_default=False
    ),
]


def _kind(kind: str) -> PolicyKind:
    from phytowatch.domain.supervision.policy import PolicyKind

    try:
        return PolicyKind(kind)
    except ValueError:
        raise fail(message(Code.POLICY_NO_KIND, kind=kind)) from None


def _conf(confidence: Confidence, lang: str) -> str:
    return f"[{confidence.value}] {t('confidence.' + confidence.value, lang)}"


@rules_app.command("check")
def rules_check(
    files: Annotated[
        list[Path],
        typer.Argument(
            metavar="FILE", help="policy documents (JSON), one or more", show_default=False
        ),
    ],
    lang: LangOption = None,
) -> None:
    """Check policy files: exit 0 when every one is valid, 2 with one line per refused file
    naming the field. A file is checked with the others given, and the shipped documents for
    the kinds not given. 校验政策文件。"""
    from phytowatch.rules import PolicyFileError, kind_of, policy_of, read_json, shipped_documents
    from phytowatch.schedules import load_catalog

    language = language_of(lang)
    schedules = load_catalog().ids()
    given: dict[Any, tuple[str, Any]] = {}
    bad = 0
    for path in files:
        try:
            body = read_json(path)
            kind = kind_of(body, path.name)
        except PolicyFileError as error:
            typer.echo(f"phytowatch: {say(error.message, language)}", err=True)
            bad += 1
            continue
        given[kind] = (path.name, body)
    from phytowatch.domain.supervision.policy import PolicyKind

    alone_ok: set[PolicyKind] = set()
    order = [PolicyKind.PRODUCTS, PolicyKind.CLASSIFICATION, PolicyKind.DESTINATIONS,
             PolicyKind.ROUTING, PolicyKind.PORTS]  # fmt: skip
    for kind in [k for k in order if k in given]:  # each with those it depends on, checked
        name, body = given[kind]
        base = {**shipped_documents(), **{k: given[k][1] for k in alone_ok}}
        try:
            policy_of({**base, kind: body}, schedules=schedules, names={kind: name})
        except PolicyFileError as error:
            if error.where == name:
                typer.echo(f"phytowatch: {say(error.message, language)}", err=True)
                bad += 1
                continue
        alone_ok.add(kind)
    together = {kind: given[kind] for kind in alone_ok}
    docs = {**shipped_documents(), **{kind: body for kind, (_, body) in together.items()}}
    names = {kind: name for kind, (name, _) in together.items()}
    try:  # then together: a requirement may name a product of a products file given
        policy = policy_of(docs, schedules=schedules, names=names)
    except PolicyFileError as error:
        typer.echo(f"phytowatch: {say(error.message, language)}", err=True)
        raise typer.Exit(2) from None
    for kind, (name, _) in together.items():
        version = policy.versions[kind]
        typer.echo(
            say(message(Code.POLICY_FILE_OK, file=name, kind=kind.value, version=version), language)
        )
    if bad:
        raise typer.Exit(2)


def _show_lines(policy: Policy, kind: PolicyKind, lang: str) -> list[str]:
    from phytowatch.domain.supervision.policy import PolicyKind

    zh = lang.startswith("zh")
    info = policy.documents[kind]
    lines = [
        f"{t('policy.' + kind.value, lang)} {info.version} ({t('origin.' + info.origin, lang)}) "
        f"{_conf(info.confidence, lang)}",
        f"{t('Source', lang)}: {info.source}",
    ]
    if kind is PolicyKind.PRODUCTS:
        for p in policy.products.values():
            name = p.name_zh if zh else p.name_en
            lines.append(
                f"  {p.code}  {name}  {p.botanical_name or '-'}  HS {p.hs_code}  "
                f"EPPO {p.eppo_code or '-'}  {t('risk.' + p.risk.value, lang)}  "
                f"{_conf(p.confidence, lang)}"
            )
    elif kind is PolicyKind.DESTINATIONS:
        for r in policy.destinations:
            schedules = " | ".join(r.schedules) or "-"
            lines.append(
                f"  {r.destination}  {r.product}  {schedules}  {_conf(r.confidence, lang)}"
            )
    elif kind is PolicyKind.ROUTING:
        routing = policy.routing
        scheme = policy.classification.scheme
        for klass in scheme.classes:
            cells = ", ".join(
                f"{t('risk.' + risk.value, lang)}: {t('mode.' + mode.value, lang)}"
                for (k, risk), mode in routing.matrix.items()
                if k == klass
            )
            lines.append(f"  {scheme.names[klass][1 if zh else 0]}: {cells}")
        for mode, ratio in routing.ratios.items():
            lines.append(
                f"  {t('mode.' + mode.value, lang)}: {ratio} "
                f"{_conf(routing.confidence_of('ratios.' + mode.value), lang)}"
            )
        lines.append("  hard_rules: " + ", ".join(sorted(routing.hard_rules)))
    elif kind is PolicyKind.PORTS:
        ports = policy.ports
        for port in ports.ports.values():
            name = port.name_zh if zh else port.name_en
            office = port.office or t("on paper", lang)
            receiver = f"  -> {port.receiver}" if port.receiver else ""
            lines.append(
                f"  {port.code}  {name}  {office}{receiver}  {_conf(port.confidence, lang)}"
            )
        for mode, ratio in ports.check_ratios.items():
            lines.append(
                f"  {t('mode.' + mode.value, lang)}: {ratio} "
                f"{_conf(ports.confidence_of('check_ratios.' + mode.value), lang)}"
            )
        lines.append(f"  check_key_list: {str(ports.check_key_list).lower()}")
        for change in ports.amendments:
            bound = f" ±{change.percent} %" if change.percent is not None else ""
            how = f"{change.field}: {change.how.value}{bound}"
            lines.append(f"  {how} {_conf(change.confidence, lang)}")
    else:
        cl = policy.classification
        for s in cl.schemes:
            mark = " *" if s.code == cl.scheme.code else ""
            lines.append(f"  {s.code}{mark}: " + " > ".join(s.classes))
        for rule in cl.rules:
            bound = f">= {rule.at_least}" if rule.at_least is not None else f"<= {rule.at_most}"
            lines.append(
                f"  {rule.code}: {rule.measure} {bound} / {rule.period_days} d -> "
                f"{rule.steps:+d} {_conf(rule.confidence, lang)}"
            )
    return lines


@rules_app.command("show")
def rules_show(
    kind: KindArgument, lang: LangOption = None, database_url: DatabaseOption = None
) -> None:
    """Show the document of KIND in force, each value with its confidence. 显示现行政策文件。"""
    language = language_of(lang)
    chosen = _kind(kind)
    with open_services(database_url) as services:
        try:
            policy = services.policy.policy()
        except Refused as error:
            raise refused(error) from None
    for line in _show_lines(policy, chosen, language):
        typer.echo(line)


@rules_app.command("export")
def rules_export(
    kind: KindArgument,
    out: Annotated[
        Path | None,
        typer.Option("--out", metavar="FILE", help="write it there (default: stdout)"),
    ] = None,
    database_url: DatabaseOption = None,
) -> None:
    """Print (or write) the document of KIND in force, as JSON to edit and import.
    导出现行政策文件。"""
    chosen = _kind(kind)
    with open_services(database_url) as services:
        document = services.policy.document(chosen)
    text = json.dumps(document.body, ensure_ascii=False, indent=2) + "\n"
    if out is None:
        typer.echo(text, nl=False)
        return
    try:
        out.write_text(text, "utf-8")
    except OSError as error:
        raise fail(
            message(Code.POLICY_FILE_UNREADABLE, file=str(out), error=type(error).__name__)
        ) from None


@rules_app.command("import")
def rules_import(
    kind: KindArgument,
    file: Annotated[Path, typer.Argument(metavar="FILE", help="the whole new document (JSON)")],
    note: Annotated[
        str, typer.Option("--note", metavar="TEXT", help="why it changes (required)")
    ] = "",
    lang: LangOption = None,
    database_url: DatabaseOption = None,
) -> None:
    """Put FILE in force as the new document of KIND: checked, numbered, stored and audited.
    导入新版本政策文件（校验、编号、存储并审计）。"""
    from phytowatch.rules import PolicyFileError, read_json

    language = language_of(lang)
    chosen = _kind(kind)
    try:
        body = read_json(file)
    except PolicyFileError as error:
        raise fail(say(error.message, language)) from None
    with open_services(database_url) as services:
        try:
            row = services.policy.edit(chosen, body, note=note, ctx=cli_context(services))
        except Refused as error:
            raise fail(say(error.message, language)) from None
    typer.echo(say(message(Code.POLICY_EDITED, kind=chosen.value, version=row.version), language))


@rules_app.command("history")
def rules_history(
    kind: KindArgument, lang: LangOption = None, database_url: DatabaseOption = None
) -> None:
    """The versions of KIND stored here, newest first, and the shipped one. 政策文件版本历史。"""
    from phytowatch.domain.instants import format_instant
    from phytowatch.services.supervision.policy import SHIPPED_ORIGIN

    language = language_of(lang)
    chosen = _kind(kind)
    with open_services(database_url) as services:
        rows = services.policy.history(chosen)
        shipped = str(services.policy.shipped()[chosen].get("version", ""))
    for row in rows:
        typer.echo(f"{row.version}\t{format_instant(row.created_at)}\t{row.actor}\t{row.note}")
    typer.echo(f"{shipped}\t-\t{t('origin.' + SHIPPED_ORIGIN, language)}\t-")
