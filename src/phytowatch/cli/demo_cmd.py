"""``phytowatch demo``: the demo province live, or a guided tour of ``evaluate`` on the examples."""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Annotated

import typer
from rich.console import Console

from phytowatch.cli.options import LangOption, language_of


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

    Seeds a fresh database, starts the service and feeds it with simulated kilns, cold rooms and
    hot-water lines at an accelerated clock; prints where to look and a summary every 5 s.
    """
    if not tour:
        from phytowatch.demo.run import run_demo

        if speed <= 0 or port <= 0:
            typer.echo("phytowatch demo: --speed and --port must be positive", err=True)
            raise typer.Exit(2)
        try:
            run_demo(data, port, speed, minutes, emit=typer.echo)
        except (RuntimeError, OSError) as error:
            typer.echo(f"phytowatch demo: {error} (is the port in use? try --port 8001)", err=True)
            raise typer.Exit(2) from None
        return
    import time

    from phytowatch.cli.evaluate import run
    from phytowatch.examples import EXAMPLES

    language = language_of(lang)
    console = Console()
    intro = {
        "en": "phytowatch judges every treatment run against its official schedule, exactly and "
        "line by line. Here are {n} example logs shipped with the package; each is judged by the "
        "same command you can run on your own logs.",
        "zh": "phytowatch 严格逐条地依据官方处理指标判定每一次处理。"
        "以下是随软件附带的 {n} 份示例记录，均用同一条命令判定，您也可以用它判定自己的记录。",
    }
    console.rule("phytowatch demo")
    console.print(intro[language].format(n=len(EXAMPLES)), markup=False, highlight=False)
    for number, example in enumerate(EXAMPLES, start=1):
        console.print()
        console.rule(f"{number}/{len(EXAMPLES)}  {example.file}")
        console.print(example.story[language], markup=False, highlight=False)
        shown = ["phytowatch", "evaluate", f"examples/{example.file}", *example.argv()[1:]]
        console.print("$ " + " ".join(shown), style="bold", markup=False, highlight=False)
        sys.stdout.flush()
        code = run([*example.argv(), "--lang", language])
        console.print(f"(exit code {code})", style="dim", markup=False, highlight=False)
        if pause:
            time.sleep(pause)
    console.print()
    console.rule()
    outro = {
        "en": "Next: `phytowatch schedules` lists every schedule, `phytowatch schedules show "
        "ispm15-ht` prints one in full, `phytowatch evaluate --help` explains the log format. "
        "The example logs are in {dir}.",
        "zh": "下一步：`phytowatch schedules` 列出全部处理指标，"
        "`phytowatch schedules show ispm15-ht` 显示其全部内容，"
        "`phytowatch evaluate --help` 说明记录格式。示例记录位于 {dir}。",
    }
    folder = EXAMPLES[0].path().parent
    console.print(outro[language].format(dir=folder), markup=False, highlight=False)
