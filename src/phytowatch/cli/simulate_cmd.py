"""``phytowatch simulate``: facilities that behave like real ones, talking the device protocol."""

from __future__ import annotations

import sys
import time
from pathlib import Path
from typing import Annotated, Any

import typer

from phytowatch.cli.messages import say
from phytowatch.cli.output import fail
from phytowatch.domain.messages import Code, Invalid, Message
from phytowatch.domain.messages import say as message

PREFIX = "phytowatch simulate"


def _fail(why: Message | str) -> typer.Exit:
    """A message of ours, or the simulator's own words (its specs, its transports)."""
    return fail(why, prefix=PREFIX)


def simulate(
    url: Annotated[
        str, typer.Option(metavar="URL", help="the server (HTTP device protocol)")
    ] = "http://127.0.0.1:8000",
    facility: Annotated[
        str | None, typer.Option(metavar="CODE", help="the facility code, e.g. JX-0031-K2")
    ] = None,
    token: Annotated[
        str | None,
        typer.Option(
            metavar="TOKEN",
            envvar="PHYTOWATCH_DEVICE_TOKEN",
            show_envvar=True,
            help="its device token",
        ),
    ] = None,
    kind: Annotated[
        str,
        typer.Option(
            metavar="KIND", help="kiln, cold_room, reefer, hot_water_tank or vapour_heat_chamber"
        ),
    ] = "kiln",
    probe: Annotated[
        list[str] | None,
        typer.Option(
            metavar="ID:ROLE[:SIZE_MM]",
            help="a probe as registered, e.g. C1:product or A1:air; SIZE_MM is the wood "
            "thickness or fruit size a product probe is in (repeat for each)",
            show_default=False,
        ),
    ] = None,
    fault: Annotated[
        list[str] | None,
        typer.Option(
            metavar="FAULT",
            help="door@90m:10m, stuck:C2@2h, pulled:C3@100m, dropout:C1@1h:20m, "
            "error:C2@30m:5m[:CODE], clock:+3m[@1h], outage@2h:30m, resend@3h (repeat; see "
            "docs/simulator.md)",
            show_default=False,
        ),
    ] = None,
    fleet: Annotated[
        Path | None,
        typer.Option(metavar="FILE.json", help="many facilities: a JSON list of facility specs"),
    ] = None,
    speed: Annotated[
        float, typer.Option(metavar="X", help="simulated time runs X times faster than real time")
    ] = 1.0,
    interval: Annotated[
        str, typer.Option(metavar="DURATION", help="time between samples (seconds, or 1m, 30s)")
    ] = "60",
    duration: Annotated[
        str | None,
        typer.Option(
            metavar="DURATION", help="simulated run length, e.g. 6h (default: until Ctrl-C)"
        ),
    ] = None,
    start: Annotated[
        str | None,
        typer.Option(
            metavar="TIME",
            help="device time of the first sample, ISO with Z or offset (default: now, or "
            "now minus the duration when --speed > 1, so no reading is in the future)",
        ),
    ] = None,
    set_point: Annotated[
        float | None,
        typer.Option(metavar="°C", help="the medium's set point (default: the kind's)"),
    ] = None,
    seed: Annotated[int, typer.Option(metavar="N", help="same seed, same readings")] = 7,
    mqtt: Annotated[
        str | None,
        typer.Option(metavar="HOST:PORT", help="send over MQTT through this broker, not HTTP"),
    ] = None,
    report_every: Annotated[
        str, typer.Option(metavar="DURATION", help="a status line per facility every … simulated")
    ] = "30m",
) -> None:
    """Simulated kilns, cold rooms, tanks, with faults on demand. 模拟处理设施（含故障注入）。

    A client of the device protocol like any device: it posts readings over HTTP (or MQTT),
    buffers through outages and backfills. Exit 0 when everything sent was answered, 1 when
    readings were left unsent or a token was refused, 2 bad options, 130 on Ctrl-C.
    """
    from phytowatch.domain.instants import parse_instant
    from phytowatch.simulate.faults import SpecError, parse_duration, refuse
    from phytowatch.simulate.runner import run_fleet, summary_lines
    from phytowatch.simulate.spec import facility_spec, fleet_specs

    try:
        interval_s = parse_duration(interval, bare_seconds=True)
        duration_s = parse_duration(duration, bare_seconds=True) if duration else None
        report_s = parse_duration(report_every, bare_seconds=True)
        if interval_s <= 0:
            raise _fail(message(Code.CLI_AT_LEAST, option="--interval", least="1 s"))
        if not speed > 0:
            raise _fail(message(Code.CLI_MORE_THAN, option="--speed", least=0))
        if fleet is not None:
            if facility or token or probe or fault:
                others = "--facility/--probe/--fault"
                raise _fail(message(Code.CLI_FLEET_ALONE, option="--fleet", others=others))
            try:
                text = fleet.read_text(encoding="utf-8")
            except OSError as error:
                problem = error.strerror or str(error)
                raise refuse(Code.SIM_FILE_UNREADABLE, file=str(fleet), error=problem) from None
            specs = fleet_specs(text, str(fleet), seed=seed, interval_s=interval_s)
        else:
            specs = [
                facility_spec(
                    facility or "",
                    token or "",
                    kind,
                    list(probe or []),
                    list(fault or []),
                    seed=seed,
                    interval_s=interval_s,
                    set_point=set_point,
                )
            ]
        connect = _connector(url, mqtt)
        first = _start(start, speed, duration_s, parse_instant)
    except SpecError as error:  # the simulator's own refusal, where it was found, said
        raise _fail(error.said(say)) from None
    except ValueError as error:
        raise _fail(str(error)) from None

    if speed > 1 and duration_s is None and start is None:
        typer.echo(f"{PREFIX}: {say(message(Code.CLI_SIMULATE_AHEAD))}", err=True)
    transport = f"mqtt://{mqtt}" if mqtt else url
    simulating = message(Code.CLI_SIMULATING, n=len(specs), speed=f"{speed:g}", transport=transport)
    typer.echo(say(simulating), err=True)
    outcome = run_fleet(
        specs,
        connect=connect,
        start=first,
        speed=speed,
        duration_s=duration_s,
        report_every_s=report_s,
        emit=_print,
        said=say,
    )
    for line in summary_lines(outcome, say):
        typer.echo(line)
    if outcome.interrupted:
        raise typer.Exit(130)
    if outcome.failed:
        raise typer.Exit(1)


def _print(line: str) -> None:
    sys.stdout.write(line + "\n")
    sys.stdout.flush()


def _start(text: str | None, speed: float, duration_s: int | None, parse: Any) -> int:
    if text is not None:
        try:
            instant: int = parse(text, naive_is_utc=False)
        except ValueError as error:  # why, when the rule says it; else that it is not a time
            why = say(error.message if isinstance(error, Invalid) else message(Code.CLI_NOT_A_TIME))
            raise _fail(
                message(Code.CLI_OPTION_VALUE, option="--start", value=text, error=why)
            ) from None
        return instant
    now = time.time_ns() // 1000
    now -= now % 1_000_000  # whole seconds: readable device times
    if speed > 1 and duration_s is not None:
        return now - duration_s * 1_000_000
    return now


def _connector(url: str, mqtt: str | None) -> Any:
    from phytowatch.simulate.spec import FacilitySpec
    from phytowatch.simulate.transports import HttpTransport, MqttTransport

    if mqtt is None:
        HttpTransport(url, "")  # checks the URL now, not in the middle of a run

        def http(spec: FacilitySpec) -> HttpTransport:
            return HttpTransport(url, spec.token)

        return http
    host, _, port = mqtt.rpartition(":")
    if not host or not port.isdigit():
        form = message(
            Code.CLI_HOST_PORT_FORM, option="--mqtt", value=mqtt, example="127.0.0.1:1883"
        )
        raise _fail(form)

    def broker(spec: FacilitySpec) -> MqttTransport:
        return MqttTransport(host, int(port), spec.code, spec.token)

    return broker
