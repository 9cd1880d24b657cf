"""Texts the services write in English, said in the page's language.

The services store and the JSON API returns their texts in English (alarm messages, a run's
calibration notes, sign-off refusals and what a run backs); API clients and notifications keep
that text. The pages turn each fixed, code-generated format back into its parts (by the alarm's
kind and a pattern per format) and say it through gettext, with instants in the reader's zone.
A text in a format not known here is shown as written: never an error.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping
from typing import Any

from markupsafe import Markup, escape

from phytowatch.web import i18n


def N_(message: str) -> str:  # noqa: N802 - the gettext marker: translated when shown
    return message


# Codes that appear inside the texts, translated when known (else shown as the code).
CODES = (
    N_("open_circuit"), N_("short_circuit"), N_("no_value"), N_("nan"), N_("out_of_range"),
    N_("below_threshold"), N_("above_threshold"), N_("gap"), N_("fault"), N_("too_few_probes"),
    N_("tolerance_exceeded"), N_("precondition"), N_("ramp_too_fast"), N_("probe_excluded"),
    N_("flatline"), N_("implausible_rate"), N_("tracks_air"), N_("duplicate_series"), N_("clock"),
    N_("precondition_unverified"), N_("too_few_probes_installed"), N_("product"), N_("air"),
    N_("water"), N_("rh"), N_("PASS"), N_("FAIL"), N_("INDETERMINATE"), N_("without a verdict"),
    N_("none"),
)  # fmt: skip
_CODES = frozenset(CODES)

_INSTANT = r"\d{4}-\d\d-\d\dT[0-9:.]+Z"
_ID = r"[^\s:(),;]+"  # a probe id, a facility code, a login


class _Say:
    """gettext for one language, with instants as ``<time>`` in the reader's zone."""

    def __init__(self, language: str, zone_name: str) -> None:
        self.gettext: Callable[[str], str] = i18n.translations(language).gettext
        self.zone_name = zone_name

    def __call__(self, msgid: str, **parts: Any) -> Markup:
        # the translation is ours (trusted); every part is escaped unless it is already markup
        return Markup(escape(self.gettext(msgid))).format(**parts)

    def code(self, code: str) -> str:
        return self.gettext(code) if code in _CODES else code

    def when(self, instant: str) -> Markup:
        try:
            return i18n.local_time(instant, self.zone_name, seconds=True)
        except ValueError:
            return Markup(escape(instant))


def _alarm(kind: str, message: str, say: _Say) -> Markup | None:
    _ = say
    if kind == "too_few_probes" and message == "fewer probes installed than the schedule requires":
        return _("fewer probes installed than the schedule requires")
    if kind == "hold_broken":
        m = re.fullmatch(rf"hold broken at ({_INSTANT}): (\w+)(?: \(([^()]*)\))?", message)
        if m:
            text = _("hold broken at {at}: {reason}", at=say.when(m[1]), reason=say.code(m[2]))
            return _("{text} ({probes})", text=text, probes=m[3]) if m[3] else text
    if kind == "probe_excluded":
        m = re.fullmatch(rf"({_ID}) excluded \((\w+)\)", message)
        if m:
            return _("{probe} excluded ({cause})", probe=m[1], cause=say.code(m[2]))
    if kind == "tamper":
        m = re.fullmatch(rf"finding (\w+)(?: on ({_ID}))?", message)
        if m and m[2]:
            return _("finding {finding} on {probe}", finding=say.code(m[1]), probe=m[2])
        if m:
            return _("finding {finding}", finding=say.code(m[1]))
        m = re.fullmatch(
            rf"({_ID}) at ({_INSTANT}): a different value offered for a stored reading \(refused\)",
            message,
        )
        if m:
            return _(
                "{probe} at {at}: a different value offered for a stored reading (refused)",
                probe=m[1],
                at=say.when(m[2]),
            )
    if kind == "approaching_limit":
        m = re.fullmatch(rf"({_ID}) at (-?[\d.e+-]+), ([\d.]+) from (-?[\d.e+-]+)", message)
        if m:
            return _(
                "{key} at {value}, {margin} from {threshold}",
                key=say.code(m[1]),
                value=m[2],
                margin=m[3],
                threshold=m[4],
            )
    if kind == "sensor_fault":
        m = re.fullmatch(rf"({_ID}) reports (\S+)", message)
        if m:
            return _("{probe} reports {fault}", probe=m[1], fault=say.code(m[2]))
    if kind == "facility_silent":
        m = re.fullmatch(rf"nothing received since ({_INSTANT})", message)
        if m:
            return _("nothing received since {at}", at=say.when(m[1]))
    if kind == "clock_skew":
        m = re.fullmatch(r"device clock ahead of the server by more than (\d+) min", message)
        if m:
            return _("device clock ahead of the server by more than {minutes} min", minutes=m[1])
    if kind in {"calibration_expired", "calibration_due"}:
        m = re.fullmatch(rf"({_ID}): calibration expired \((\d{{4}}-\d\d-\d\d)\)", message)
        if m:
            return _("{probe}: calibration expired ({day})", probe=m[1], day=m[2])
        m = re.fullmatch(
            rf"({_ID}): calibration due within (\d+) days \((\d{{4}}-\d\d-\d\d)\)", message
        )
        if m:
            return _(
                "{probe}: calibration due within {days} days ({day})",
                probe=m[1],
                days=m[2],
                day=m[3],
            )
    return None


def alarm_message(alarm: Mapping[str, Any] | Any, language: str, zone_name: str) -> Markup | str:
    """An alarm's message in ``language``; the message as written when its format is unknown."""
    get = alarm.get if isinstance(alarm, Mapping) else (lambda k: getattr(alarm, k, None))
    kind = get("kind")
    kind = getattr(kind, "value", kind)
    message = get("message")
    if not isinstance(message, str):
        return "" if message is None else str(message)
    try:
        said = _alarm(str(kind), message, _Say(language, zone_name))
    except (ValueError, KeyError, IndexError):  # pragma: no cover - a format we half-know
        said = None
    return message if said is None else said


def calibration_note(note: str, language: str, zone_name: str) -> Markup | str:
    """A run's calibration note (``start_run``) in ``language``; as written when unknown."""
    _ = _Say(language, zone_name)
    m = re.fullmatch(rf"({_ID}): no calibration recorded; judged raw", note)
    if m:
        return _("{probe}: no calibration recorded; judged raw", probe=m[1])
    m = re.fullmatch(rf"({_ID}): calibration expired ({_INSTANT}); judged raw", note)
    if m:
        return _("{probe}: calibration expired {at}; judged raw", probe=m[1], at=_.when(m[2]))
    return note


_SIGNOFF: tuple[tuple[str, str], ...] = (
    (r"run (\d+) was (signed off|rejected) already by (.+); a decision is final",
     N_("run {0} was {1} already by {2}; a decision is final")),
    (r"run (\d+) is still open: a run is signed off once it is closed",
     N_("run {0} is still open: a run is signed off once it is closed")),
    (r"run (\d+) is (\w+|without a verdict): only a PASS run is signed off",
     N_("run {0} is {1}: only a PASS run is signed off")),
    (r"comment: at most (\d+) characters", N_("comment: at most {0} characters")),
    (r"comment: control characters are not text \(line breaks and tabs are fine\)",
     N_("comment: control characters are not text (line breaks and tabs are fine)")),
    (r"a rejection needs a written comment \(at least (\d+) characters\) saying why",
     N_("a rejection needs a written comment (at least {0} characters) saying why")),
    (r"run (\d+) has findings or notes for review: a written comment "
     r"\(at least (\d+) characters\) is needed",
     N_("run {0} has findings or notes for review: a written comment (at least {1} characters) "
        "is needed")),
    (r"no run (\d+)", N_("no run {0}")),
    (r"only a bureau inspector signs off a run", N_("only a bureau inspector signs off a run")),
    (r"decision: signed_off or rejected", N_("decision: signed_off or rejected")),
    (r"run (\d+) was decided already by someone else; reload it",
     N_("run {0} was decided already by someone else; reload it")),
    (r"the run is still open", N_("the run is still open")),
    (r"the run's verdict is (\w+), not PASS", N_("the run's verdict is {0}, not PASS")),
    (r"the run is not signed off by an inspector yet",
     N_("the run is not signed off by an inspector yet")),
    (r"the run was rejected by (.+)", N_("the run was rejected by {0}")),
    (r"signed off by (.+) \(([^()]+)\)", N_("signed off by {0} ({1})")),
)  # fmt: skip
# an alarm action refused (services/alarms.py, domain/alarms.py), an object not found (pages)
_REFUSALS: tuple[tuple[str, str], ...] = (
    (r"a cleared alarm cannot be acknowledged", N_("a cleared alarm cannot be acknowledged")),
    (r"acknowledged already by (.+)", N_("acknowledged already by {0}")),
    (r"cleared already", N_("cleared already")),
    (r"acknowledge it first \(who dealt with it, and how\)",
     N_("acknowledge it first (who dealt with it, and how)")),
    (r"comment: at most (\d+) printable characters",
     N_("comment: at most {0} printable characters")),
    (r"say who acknowledges \(1 to 100 printable characters\)",
     N_("say who acknowledges (1 to 100 printable characters)")),
    (r"no alarm (\d+)", N_("no alarm {0}")),
    (r"no facility '([^']*)'", N_("no facility {0}")),
    (r"no enterprise '([^']*)'", N_("no enterprise {0}")),
    (r"no user '([^']*)'", N_("no user {0}")),
)  # fmt: skip
_SIGNOFF_RE = tuple((re.compile(pattern), msgid) for pattern, msgid in (*_SIGNOFF, *_REFUSALS))
_DECISION_WORDS = {"signed off": N_("signed off"), "rejected": N_("rejected")}


def signoff_text(text: str | None, language: str) -> Markup | str:
    """A sign-off refusal or reason (domain/signoff.py, services/signoff.py) in ``language``."""
    if not text:
        return text or ""
    say = _Say(language, i18n.DEFAULT_TZ)
    for pattern, msgid in _SIGNOFF_RE:
        m = pattern.fullmatch(text)
        if m:
            parts = [
                say.gettext(_DECISION_WORDS[g]) if g in _DECISION_WORDS else say.code(g)
                for g in m.groups()
            ]
            return Markup(escape(say.gettext(msgid))).format(*parts)
    return text


def refusal_text(text: str | None, language: str) -> Markup | str:
    """A refusal a page shows: a service's sentence in a known format, or a message the page
    marked itself (translated by the catalogue); any other text as written."""
    said = signoff_text(text, language)
    if isinstance(said, Markup) or not said:
        return said
    return i18n.translations(language).gettext(said)
