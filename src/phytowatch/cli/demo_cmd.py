"""``phytowatch demo``: the demo province live, or a guided tour of ``evaluate`` on the examples."""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Annotated

import typer
from rich.console import Console

from phytowatch.cli.messages import say
from phytowatch.cli.options import LangOption, language_of
from phytowatch.cli.output import fail
from phytowatch.domain.messages import Code, Invalid, Message
from phytowatch.domain.messages import say as message


def demo(
    tour: Annotated[
        bool, typer.Option("--tour", help="instead: a guided tour of evaluate on example logs")
    ] = False,
    data: Annotated[
        Path, typer.Option(metavar="DIR", help="where the demo database goes (wiped first)")
    ] = Path("demo-data"),
    port: Annotated[int, typer.Option(metavar="PORT", help="port of the demo service")] = 8000,
    speed: Annotated[
        float, typer.Option(metavar="X", help="simulated time runs X times faster")
    ] = 60.0,
    minutes: Annotated[
        float | None, typer.Option(metavar="N", help="stop after N minutes (default: Ctrl-C)")
    ] = None,
    lang: LangOption = None,
    pause: Annotated[
        float,
        typer.Option(metavar="SECONDS", help="--tour: seconds between examples (0 for none)"),
    ] = 0.0,
) -> None:
    """The demo province, live: 77 enterprises, simulated facilities, runs and alarms. 演示省。

    Seeds a fresh database, starts the service on an accelerated clock and keeps the province
    working: kilns, cold rooms, hot-water lines and a vapour-heat chamber run load after load,
    their simulated devices and cameras feeding the service; prints where to look and a summary
    every 5 s.
    """
    if not tour:
        from phytowatch.demo.run import run_demo

        if speed <= 0 or port <= 0:
            positive = message(Code.CLI_MUST_BE_POSITIVE, first="--speed", second="--port")
            raise fail(positive, prefix="phytowatch demo")
        language = language_of(lang)

        def emit(line: Message | str | tuple[Message, ...]) -> None:
            if isinstance(line, tuple):  # one line of several messages (an alarm and its own)
                parts = [say(part, language) for part in line]
                typer.echo("".join(p if p.endswith("：") else p + " " for p in parts).rstrip())
            else:
                typer.echo(say(line, language) if isinstance(line, Message) else line)

        try:
            run_demo(data, port, speed, minutes, emit=emit)
        except (Invalid, RuntimeError, OSError) as error:  # why, then what to try
            why = say(error.message, language) if isinstance(error, Invalid) else str(error)
            in_use = message(Code.CLI_PORT_IN_USE, error=why, option="--port", port=8001)
            raise fail(in_use, prefix="phytowatch demo") from None
        return
    import time

    from phytowatch.cli.evaluate import run
    from phytowatch.examples import EXAMPLES

    language = language_of(lang)
    console = Console()
    console.rule("phytowatch demo")
    intro = message(Code.CLI_TOUR_INTRO, n=len(EXAMPLES))
    console.print(say(intro, language), markup=False, highlight=False)
    for number, example in enumerate(EXAMPLES, start=1):
        console.print()
        console.rule(f"{number}/{len(EXAMPLES)}  {example.file}")
        console.print(example.story[language], markup=False, highlight=False)
        shown = ["phytowatch", "evaluate", f"examples/{example.file}", *example.argv()[1:]]
        console.print("$ " + " ".join(shown), style="bold", markup=False, highlight=False)
        sys.stdout.flush()
        code = run([*example.argv(), "--lang", language])
        exit_code = say(message(Code.CLI_EXIT_CODE, code=code), language)
        console.print(exit_code, style="dim", markup=False, highlight=False)
        if pause:
            time.sleep(pause)
    console.print()
    console.rule()
    outro = message(
        Code.CLI_TOUR_OUTRO,
        list="phytowatch schedules",
        show="phytowatch schedules show ispm15-ht",
        help="phytowatch evaluate --help",
        dir=str(EXAMPLES[0].path().parent),
    )
    console.print(say(outro, language), markup=False, highlight=False)
