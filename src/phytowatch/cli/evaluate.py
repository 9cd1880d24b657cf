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
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from decimal import Decimal, InvalidOperation
from pathlib import Path
from typing import Any, NoReturn

from phytowatch.cli.messages import LANGS, default_lang, say, t
from phytowatch.domain.messages import Code
from phytowatch.domain.messages import say as message

EXIT = {"PASS": 0, "FAIL": 1, "INDETERMINATE": 3}
BAD_INPUT = 2


class BadInputError(Exception):
    """One line for stderr, already in the reader's language; the command exits 2."""


COMMAND = "phytowatch evaluate"
FLAGS = ("-h", "--help", "--json")  # the options that take no value


class _Parser(argparse.ArgumentParser):
    """argparse, with its argument errors said from the one catalogue: what argparse would word
    in English (a required argument, an unknown one, a choice, a missing value, an ambiguous
    prefix) is checked here and said in the reader's language."""

    def __init__(self, **kwargs: Any) -> None:
        self.lang = default_lang()
        self.option_names: list[str] = []  # set before argparse's own add_argument("-h")
        self.must: list[argparse.Action] = []
        super().__init__(exit_on_error=False, **kwargs)

    def add_argument(self, *args: Any, **kwargs: Any) -> argparse.Action:
        action = super().add_argument(*args, **kwargs)
        self.option_names += action.option_strings
        if action.required:
            self.must.append(action)
        return action

    def refuse(self, code: Code, **params: str) -> NoReturn:
        raise BadInputError(say(message(code, command=COMMAND, **params), self.lang))

    def error(self, message: str) -> NoReturn:
        # what argparse still words itself (none of the checks below should leave any)
        self.refuse(Code.CLI_ARG_OTHER, problem=message)

    @contextmanager
    def _required(self, required: bool) -> Iterator[None]:
        for action in self.must:
            action.required = required
        try:
            yield
        finally:
            for action in self.must:
                action.required = True

    def format_usage(self) -> str:
        with self._required(True):  # the usage says what is required, even while parsing
            return super().format_usage()

    def format_help(self) -> str:
        with self._required(True):
            return super().format_help()

    def parse(self, argv: list[str]) -> argparse.Namespace:
        self.lang = _lang_given(argv) or default_lang()
        self._check_prefixes(argv)
        try:
            with self._required(False):  # checked below, in the reader's language
                args, extra = self.parse_known_args(argv)
        except argparse.ArgumentError as error:
            option = (error.argument_name or "").split("/")[-1]
            takes_none = option in FLAGS
            self.refuse(
                Code.CLI_ARG_NO_VALUE if takes_none else Code.CLI_ARG_NEEDS_VALUE, option=option
            )
        if extra:
            self.refuse(Code.CLI_ARGS_UNKNOWN, names=" ".join(extra))
        missing = [
            action.option_strings[0] if action.option_strings else str(action.metavar)
            for action in self.must
            if getattr(args, action.dest) is None
        ]
        if missing:
            self.refuse(Code.CLI_ARGS_REQUIRED, names=", ".join(missing))
        if args.lang is not None and args.lang not in LANGS:
            choices = ", ".join(LANGS)
            self.refuse(Code.CLI_ARG_CHOICE, option="--lang", value=args.lang, choices=choices)
        return args

    def _check_prefixes(self, argv: list[str]) -> None:
        """An abbreviated option that could be two (``--sched``), said before argparse would."""
        for arg in argv:
            if arg == "--":
                return
            name = arg.partition("=")[0]
            if not name.startswith("--") or name in self.option_names:
                continue
            matches = [option for option in self.option_names if option.startswith(name)]
            if len(matches) > 1:
                self.refuse(Code.CLI_ARG_AMBIGUOUS, option=name, options=", ".join(matches))


def _lang_given(argv: Sequence[str]) -> str | None:
    """``--lang``'s value, read before the arguments are checked, so that their errors are said
    in it (a value that is not a language is said in the locale's)."""
    for i, arg in enumerate(argv):
        if arg == "--":
            break
        value = arg[len("--lang=") :] if arg.startswith("--lang=") else None
        if arg == "--lang" and i + 1 < len(argv):
            value = argv[i + 1]
        if value in LANGS:
            return value
    return None


def build_parser() -> _Parser:
    parser = _Parser(
        prog=COMMAND,
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
        "--lang",
        metavar="{en,zh}",
        default=None,
        help="language of the text output (default: locale)",
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


def _pairs(items: Sequence[str], option: str, lang: str) -> dict[str, str]:
    out: dict[str, str] = {}
    for item in items:
        name, sep, value = item.partition("=")
        if not sep or not name.strip() or not value.strip():
            raise BadInputError(say(message(Code.CLI_PAIR_FORM, option=option, item=item), lang))
        if name.strip() in out:
            twice = message(Code.CLI_PAIR_TWICE, option=option, name=name.strip())
            raise BadInputError(say(twice, lang))
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
    args = build_parser().parse(list(argv))
    lang = args.lang or default_lang()

    from phytowatch.domain.judgement.judge import MAX_OFFSET
    from phytowatch.domain.schedule import ParamError
    from phytowatch.formats.csvlog import LogError, read_log
    from phytowatch.schedules import ScheduleFileError, load_catalog, load_one
    from phytowatch.services.evaluation import UnknownProbeError, judge_rows

    params = _pairs(args.param, "--param", lang)
    offsets_text = _pairs(args.offset, "--offset", lang)
    offsets: dict[str, Decimal] = {}
    for probe, text in offsets_text.items():
        given = {"option": "--offset", "probe": probe, "text": text}
        try:
            offsets[probe] = Decimal(text)
        except InvalidOperation:
            raise BadInputError(say(message(Code.CLI_NOT_A_NUMBER, **given), lang)) from None
        if not offsets[probe].is_finite():
            raise BadInputError(say(message(Code.CLI_NOT_A_NUMBER, **given), lang))
        if offsets[probe].copy_abs() > MAX_OFFSET:  # abs() rounds, and can overflow
            implausible = message(Code.CLI_OFFSET_IMPLAUSIBLE, **given, limit=str(MAX_OFFSET))
            raise BadInputError(say(implausible, lang))

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
        place = error.place()
        where = error.where if place is None else say(place, lang)
        said = message(Code.CLI_LOG_REFUSED, place=where, problem=say(error.message, lang))
        raise BadInputError(say(said, lang)) from None
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

        rows = log.rows  # sorted by time: the whole log's extent, apart from what was judged
        extent = (len(rows), rows[0][0], rows[-1][0]) if rows else None
        colour = use_colour()
        print(render(judgement, schedule, lang=lang, colour=colour, log=args.log, extent=extent))
    return EXIT[verdict]
