"""``phytowatch evaluate``: judge a treatment log offline (treatments.md §4).

This command takes the fast path: argparse and the pure core only, no Typer, no Rich, nothing of
the web or database stack, so that judging a 22-day log costs little more than reading it
(docs/performance.md). Exit codes: 0 PASS, 1 FAIL, 3 INDETERMINATE, 2 bad input.
"""

from __future__ import annotations

import argparse
import gc
import os
import sys
from collections.abc import Sequence
from decimal import Decimal, InvalidOperation
from pathlib import Path
from typing import NoReturn

from phytowatch.cli.messages import LANGS, default_lang, say, t
from phytowatch.domain.messages import Code
from phytowatch.domain.messages import say as message

EXIT = {"PASS": 0, "FAIL": 1, "INDETERMINATE": 3}
BAD_INPUT = 2


class BadInputError(Exception):
    """One line for stderr; the command exits 2."""


class _Parser(argparse.ArgumentParser):
    def error(self, message: str) -> NoReturn:
        # one clear line, not argparse's usage block
        raise BadInputError(f"{message} (see phytowatch evaluate --help)")


def build_parser() -> argparse.ArgumentParser:
    parser = _Parser(
        prog="phytowatch evaluate",
        description=(
            "Judge a treatment log against its official schedule. "
            "Exit code: 0 PASS, 1 FAIL, 3 INDETERMINATE, 2 bad input."
        ),
        epilog=(
            "LOG.csv: a header row, first column 'timestamp' (ISO 8601 or Unix seconds), "
            "then one column per probe named ID[role] (role: product, air, water, rh; "
            "a bare ID is product). Empty cell = no reading; text such as ERR = a fault. "
            "The long form 'timestamp,probe,role,value' is accepted too."
        ),
    )
    parser.add_argument("log", metavar="LOG.csv", help="the treatment log (CSV)")
    parser.add_argument(
        "--schedule", required=True, metavar="ID", help="schedule id, e.g. ispm15-ht"
    )
    parser.add_argument(
        "--param",
        action="append",
        default=[],
        metavar="NAME=VALUE",
        help="schedule param, e.g. fruit_class=700g (repeatable)",
    )
    parser.add_argument(
        "--offset",
        action="append",
        default=[],
        metavar="PROBE=DELTA",
        help="calibration offset added to a probe's raw values, e.g. C1=-0.3 (repeatable)",
    )
    parser.add_argument("--json", action="store_true", help="one JSON object on stdout")
    parser.add_argument(
        "--lang", choices=LANGS, default=None, help="language of the text output (default: locale)"
    )
    parser.add_argument(
        "--schedules-dir",
        type=Path,
        action="append",
        default=None,
        metavar="DIR",
        help="a site's own schedule files (also PHYTOWATCH_SCHEDULES_DIR)",
    )
    return parser


def _pairs(items: Sequence[str], option: str) -> dict[str, str]:
    out: dict[str, str] = {}
    for item in items:
        name, sep, value = item.partition("=")
        if not sep or not name.strip() or not value.strip():
            raise BadInputError(f"{option} {item!r}: write NAME=VALUE")
        if name.strip() in out:
            raise BadInputError(f"{option} {name.strip()} given twice")
        out[name.strip()] = value.strip()
    return out


def _schedule_dirs(given: list[Path] | None) -> list[Path]:
    if given:
        return given
    env = os.environ.get("PHYTOWATCH_SCHEDULES_DIR", "")
    return [Path(p) for p in env.split(os.pathsep) if p]


def run(argv: Sequence[str]) -> int:
    # A short-lived command that builds ~100,000 small objects and no reference cycles: the
    # cyclic collector would only rescan them (about 15 % of the time on a 22-day log).
    gc.disable()
    try:
        return _run(argv)
    except BadInputError as error:
        print(f"phytowatch evaluate: {error}", file=sys.stderr)
        return BAD_INPUT
    except KeyboardInterrupt:
        return 130
    finally:
        gc.enable()


def _run(argv: Sequence[str]) -> int:
    args = build_parser().parse_args(list(argv))
    lang = args.lang or default_lang()

    from phytowatch.domain.judgement.judge import MAX_OFFSET
    from phytowatch.domain.schedule import ParamError
    from phytowatch.formats.csvlog import LogError, read_log
    from phytowatch.schedules import ScheduleFileError, load_catalog, load_one
    from phytowatch.services.evaluation import UnknownProbeError, judge_rows

    params = _pairs(args.param, "--param")
    offsets_text = _pairs(args.offset, "--offset")
    offsets: dict[str, Decimal] = {}
    for probe, text in offsets_text.items():
        try:
            offsets[probe] = Decimal(text)
        except InvalidOperation:
            raise BadInputError(f"--offset {probe}={text}: not a number") from None
        if not offsets[probe].is_finite():
            raise BadInputError(f"--offset {probe}={text}: not a number")
        if offsets[probe].copy_abs() > MAX_OFFSET:  # abs() rounds, and can overflow
            raise BadInputError(
                f"--offset {probe}={text}: not a plausible calibration offset "
                f"(at most ±{MAX_OFFSET})"
            )

    dirs = _schedule_dirs(args.schedules_dir)
    try:
        schedule = load_one(args.schedule, dirs)
    except ScheduleFileError as error:
        refused = f"{t('schedule file refused', lang)}: {say(error.message, lang)}"
        raise BadInputError(refused) from None
    except KeyError:
        known = ", ".join(load_catalog(dirs).ids())
        unknown = message(Code.SCHEDULE_UNKNOWN_KNOWN, schedule=args.schedule, known=known)
        raise BadInputError(say(unknown, lang)) from None
    try:
        schedule = schedule.resolve(params)
    except ParamError as error:
        raise BadInputError(say(error.message, lang)) from None

    try:
        log = read_log(Path(args.log))
    except LogError as error:
        raise BadInputError(str(error)) from None
    try:
        judgement = judge_rows(
            schedule,
            log.probes,
            log.rows,
            offsets=offsets,
            faults=log.faults,
            backwards=log.backwards,
        )
    except UnknownProbeError as error:
        raise BadInputError(f"{args.log}: {say(error.message, lang)}") from None

    verdict = judgement.verdict.value if judgement.verdict else "FAIL"
    if args.json:
        import json

        from phytowatch.services.reporting import judgement_dict

        text = json.dumps(judgement_dict(judgement, schedule), ensure_ascii=False, indent=2)
        sys.stdout.write(text + "\n")
    else:
        from phytowatch.cli.text_report import render, use_colour

        print(render(judgement, schedule, lang=lang, colour=use_colour(), log=args.log))
    return EXIT[verdict]
