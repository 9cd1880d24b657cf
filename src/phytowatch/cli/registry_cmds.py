"""``phytowatch enterprises …``, ``phytowatch facilities …``, ``phytowatch db upgrade``."""

from __future__ import annotations

import sys
from typing import Annotated

import typer

from phytowatch.cli.messages import default_lang, say, t
from phytowatch.cli.options import DatabaseOption, cli_context, open_services
from phytowatch.cli.output import fail, refused
from phytowatch.domain.messages import Code, Invalid, Refused
from phytowatch.domain.messages import say as message

enterprises_app = typer.Typer(help="Export enterprises. 出口企业。", no_args_is_help=True)
facilities_app = typer.Typer(
    help="Treatment facilities, their probes and device tokens. 处理设施、探头与设备令牌。",
    no_args_is_help=True,
)
db_app = typer.Typer(help="The database. 数据库。", no_args_is_help=True)


@db_app.command("upgrade")
def db_upgrade(database_url: DatabaseOption = None) -> None:
    """Create or migrate the database to the newest schema. 创建或升级数据库结构。"""
    with open_services(database_url, create=True) as services:
        revision = str(services.schema_revision())
        typer.echo(say(message(Code.CLI_DATABASE_REVISION, revision=revision)))


@enterprises_app.command("add")
def enterprises_add(
    code: Annotated[str, typer.Argument(metavar="CODE", help="enterprise code, e.g. 0031")],
    name_zh: Annotated[str, typer.Option("--name-zh", metavar="TEXT", help="Chinese name")],
    name_en: Annotated[str, typer.Option("--name-en", metavar="TEXT", help="English name")],
    city: Annotated[str, typer.Option(metavar="TEXT", help="prefecture-level city")],
    grade: Annotated[str, typer.Option(metavar="GRADE", help="class: I, II, III, IV or AA … D")],
    database_url: DatabaseOption = None,
) -> None:
    """Register an export enterprise. 登记出口企业。"""
    from phytowatch.services.provisioning import add_enterprise

    with open_services(database_url) as services:
        try:
            record = add_enterprise(
                services.registry,
                code,
                name_zh,
                name_en,
                city,
                grade,
                ctx=cli_context(services),
                audit=services.audit,
            )
        except Refused as error:
            raise refused(error) from None
    added = message(
        Code.CLI_ENTERPRISE_ADDED,
        code=record.code,
        name_zh=record.name_zh,
        name_en=record.name_en,
        city=record.city,
    )
    typer.echo(say(added))


@enterprises_app.command("list")
def enterprises_list(database_url: DatabaseOption = None) -> None:
    """List the enterprises. 列出企业。"""
    with open_services(database_url) as services:
        for record in services.registry.list_enterprises():
            typer.echo(
                f"{record.code}\t{record.grade}\t{record.city}\t{record.name_zh} / {record.name_en}"
            )


@facilities_app.command("add")
def facilities_add(
    code: Annotated[str, typer.Argument(metavar="CODE", help="facility code, e.g. JX-0031-K2")],
    enterprise: Annotated[str, typer.Option(metavar="CODE", help="the enterprise's code")],
    kind: Annotated[
        str,
        typer.Option(
            metavar="KIND",
            help="kiln, cold_room, reefer, hot_water_tank, vapour_heat_chamber or other",
        ),
    ],
    probe: Annotated[
        list[str],
        typer.Option(
            metavar="ID:ROLE[:PLACEMENT]",
            help="a probe, e.g. C1:product or A1:air (repeat for each)",
        ),
    ],
    name: Annotated[str, typer.Option(metavar="TEXT", help="a name people use")] = "",
    treater_number: Annotated[
        str | None, typer.Option(metavar="NUMBER", help="IPPC treater number, for wood packaging")
    ] = None,
    database_url: DatabaseOption = None,
) -> None:
    """Register a facility with its probes; prints its device token ONCE. 登记处理设施。"""
    from phytowatch.services.provisioning import add_facility

    with open_services(database_url) as services:
        try:
            issued = add_facility(
                services.registry,
                code,
                enterprise,
                kind,
                probe,
                name=name,
                treater_number=treater_number,
                ctx=cli_context(services),
                audit=services.audit,
            )
        except Refused as error:
            raise refused(error) from None
    probes = ", ".join(f"{p.code}[{p.role}]" for p in issued.facility.probes.values())
    added = message(Code.CLI_FACILITY_ADDED, facility=issued.facility.code, probes=probes)
    typer.echo(say(added), err=True)
    _show_token(issued.token)


def _show_token(token: str) -> None:
    """The token alone on stdout (``TOKEN=$(phytowatch facilities add …)``), words on stderr."""
    typer.echo(say(message(Code.CLI_DEVICE_TOKEN)), err=True)
    sys.stdout.write(token + "\n")


@facilities_app.command("list")
def facilities_list(database_url: DatabaseOption = None) -> None:
    """List the facilities. 列出处理设施。"""
    with open_services(database_url) as services:
        for row in services.registry.list_facilities():
            typer.echo(f"{row['code']}\t{row['kind']}\t{row['enterprise']}\t{row['probes']} probes")


@facilities_app.command("token")
def facilities_token(
    code: Annotated[str, typer.Argument(metavar="CODE", help="facility code")],
    rotate: Annotated[
        bool, typer.Option("--rotate", help="revoke the current tokens and issue a new one")
    ] = False,
    revoke: Annotated[bool, typer.Option("--revoke", help="revoke every token")] = False,
    database_url: DatabaseOption = None,
) -> None:
    """Rotate or revoke a facility's device token. 更换或吊销设备令牌。"""
    from phytowatch.services.provisioning import revoke_tokens, rotate_token

    if rotate == revoke:
        raise fail(message(Code.CLI_ONE_OF_TWO, first="--rotate", second="--revoke"))
    with open_services(database_url) as services:
        try:
            if rotate:
                issued = rotate_token(
                    services.registry,
                    code,
                    ctx=cli_context(services),
                    audit=services.audit,
                )
            else:
                count = revoke_tokens(
                    services.registry,
                    code,
                    ctx=cli_context(services),
                    audit=services.audit,
                )
        except Refused as error:
            raise refused(error) from None
    if rotate:
        typer.echo(say(message(Code.CLI_TOKEN_ROTATED, facility=code)), err=True)
        _show_token(issued.token)
    else:
        typer.echo(say(message(Code.CLI_TOKENS_REVOKED, facility=code, count=count)))


probes_app = typer.Typer(help="Probes and their calibrations. 探头与校准。", no_args_is_help=True)
cameras_app = typer.Typer(help="Facility cameras. 设施摄像头。", no_args_is_help=True)


def _when(text: str, option: str) -> int:
    from phytowatch.domain.instants import parse_instant

    try:
        return parse_instant(text, naive_is_utc=True)
    except (ValueError, ArithmeticError) as error:
        # why, when the rule says it; else only that it is not a date (Python's words are English)
        why = say(error.message if isinstance(error, Invalid) else message(Code.CLI_NOT_A_DATE))
        form = message(
            Code.CLI_DATE_FORM, option=option, value=text, error=why, example="2026-03-01"
        )
        raise fail(form) from None


@probes_app.command("calibrate")
def probes_calibrate(
    facility: Annotated[str, typer.Argument(metavar="FACILITY", help="facility code")],
    probe: Annotated[str, typer.Argument(metavar="PROBE", help="probe id, e.g. C1")],
    offset: Annotated[
        str, typer.Option(metavar="DELTA", help="added to raw values, e.g. -0.30 (°C or %RH)")
    ],
    calibrated: Annotated[str, typer.Option(metavar="DATE", help="when, e.g. 2026-03-01")],
    due: Annotated[str, typer.Option(metavar="DATE", help="when it falls due, e.g. 2027-03-01")],
    certificate: Annotated[
        str, typer.Option(metavar="REF", help="the calibration certificate's reference")
    ] = "",
    database_url: DatabaseOption = None,
) -> None:
    """Record a probe's calibration (offset, date, due date, certificate). 登记探头校准。"""
    from phytowatch.services.provisioning import add_calibration

    calibrated_at = _when(calibrated, "--calibrated")
    due_at = _when(due, "--due")
    with open_services(database_url) as services:
        try:
            record = add_calibration(
                services.registry,
                facility,
                probe,
                offset,
                calibrated_at=calibrated_at,
                due_at=due_at,
                certificate=certificate,
                ctx=cli_context(services),
                audit=services.audit,
            )
        except Refused as error:
            raise refused(error) from None
    recorded = message(
        Code.CLI_CALIBRATION_RECORDED_CERT if record.certificate else Code.CLI_CALIBRATION_RECORDED,
        facility=facility,
        probe=record.probe,
        offset=record.offset,
        calibrated=calibrated,
        due=due,
        **({"certificate": record.certificate} if record.certificate else {}),
    )
    typer.echo(say(recorded))


@probes_app.command("list")
def probes_list(
    facility: Annotated[str, typer.Argument(metavar="FACILITY", help="facility code")],
    database_url: DatabaseOption = None,
) -> None:
    """A facility's probes with their latest calibration. 列出探头及最近校准。"""
    from phytowatch.domain.instants import format_instant

    with open_services(database_url) as services:
        found = services.registry.facility_by_code(facility)
        if found is None:
            raise fail(message(Code.NO_FACILITY, facility=facility))
        latest: dict[str, dict[str, object]] = {}
        for row in services.registry.calibrations_of(found.id):
            latest[str(row["probe"])] = row
        now = services.clock.now()
        lang = default_lang()
        for probe in services.registry.probes_of(found.id):
            cal = latest.get(probe["code"])
            if cal is None:
                state = t("no calibration recorded", lang)
            else:
                due_at = int(cal["due_at"])  # type: ignore[call-overload]
                status = t("EXPIRED" if due_at < now else "valid", lang)
                due = format_instant(due_at)[:10]
                said = message(
                    Code.CLI_CALIBRATION_STATE, offset=str(cal["offset"]), due=due, status=status
                )
                state = say(said, lang)
            typer.echo(f"{probe['code']}\t{probe['role']}\t{state}\t{probe['placement']}")


@cameras_app.command("add")
def cameras_add(
    facility: Annotated[str, typer.Argument(metavar="FACILITY", help="facility code")],
    code: Annotated[str, typer.Argument(metavar="CAMERA", help="camera name, e.g. door")],
    description: Annotated[str, typer.Option(metavar="TEXT", help="what it shows")] = "",
    database_url: DatabaseOption = None,
) -> None:
    """Register a camera of a facility (its stills name it). 登记设施摄像头。"""
    from phytowatch.services.provisioning import add_camera

    with open_services(database_url) as services:
        try:
            add_camera(
                services.registry,
                facility,
                code,
                description,
                ctx=cli_context(services),
                audit=services.audit,
            )
        except Refused as error:
            raise refused(error) from None
    typer.echo(say(message(Code.CLI_CAMERA_ADDED, camera=code, facility=facility)))
