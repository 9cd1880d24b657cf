"""Texts the services write in English, said in the page's language.

The services store and the JSON API returns their texts in English (alarm messages, a run's
calibration notes, sign-off refusals and what a run backs, the administration forms' refusals,
the sign-in and permission refusals of ``web/auth.py``); API clients and notifications keep
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
# the administration forms' refusals (services/provisioning.py, services/accounts.py, the pages'
# own parsing) and the sign-in and permission refusals (web/auth.py) an error page shows
_C = r"'[^']*'|\"[^\"]*\""  # a value as Python's repr() quotes it
_ADMIN: tuple[tuple[str, str], ...] = (
    (rf"probe ({_C}): the id must be letters, digits, '_', '\.', '-'",
     N_("probe {0}: the id must be letters, digits, '_', '.', '-'")),
    (rf"probe ({_C}): role must be one of (.+)", N_("probe {0}: role must be one of {1}")),
    (r"probe (.+): placement at most (\d+) printable characters",
     N_("probe {0}: placement at most {1} printable characters")),
    (rf"enterprise code ({_C}): 1 to (\d+) letters, digits, '_', '\.', '-'",
     N_("enterprise code {0}: 1 to {1} letters, digits, '_', '.', '-'")),
    (rf"grade ({_C}): one of (.+)", N_("grade {0}: one of {1}")),
    (r"Chinese name: give 1 to (\d+) printable characters",
     N_("Chinese name: give 1 to {0} printable characters")),
    (r"English name: give 1 to (\d+) printable characters",
     N_("English name: give 1 to {0} printable characters")),
    (r"city: give 1 to (\d+) printable characters",
     N_("city: give 1 to {0} printable characters")),
    (r"token name: give 1 to (\d+) printable characters",
     N_("token name: give 1 to {0} printable characters")),
    (r"too many failed logins: try again in (\d+) s",
     N_("too many failed logins: try again in {0} s")),
    (r"name: give 1 to (\d+) printable characters",
     N_("name: give 1 to {0} printable characters")),
    (r"enterprise (\S+) exists already", N_("enterprise {0} exists already")),
    (rf"facility code ({_C}): 1 to (\d+) letters, digits, '_', '\.', '-'",
     N_("facility code {0}: 1 to {1} letters, digits, '_', '.', '-'")),
    (r"name: at most (\d+) printable characters", N_("name: at most {0} printable characters")),
    (r"treater number: 1 to (\d+) printable characters",
     N_("treater number: 1 to {0} printable characters")),
    (rf"kind ({_C}): one of (.+)", N_("kind {0}: one of {1}")),
    (rf"no enterprise ({_C})", N_("no enterprise {0}")),
    (r"facility (\S+) exists already", N_("facility {0} exists already")),
    (r"give at least one probe, e\.g\. --probe C1:product",
     N_("give at least one probe, e.g. --probe C1:product")),
    (r"probes: at least one, e\.g\. C1:product, C2:product, A1:air",
     N_("probes: at least one, e.g. C1:product, C2:product, A1:air")),
    (r"probe (\S+) is given twice", N_("probe {0} is given twice")),
    (rf"no facility ({_C})", N_("no facility {0}")),
    (rf"facility (\S+) has no probe ({_C}) \(probes: (.*)\)",
     N_("facility {0} has no probe {1} (probes: {2})")),
    (rf"offset ({_C}): not a number, e\.g\. -0\.30", N_("offset {0}: not a number, e.g. -0.30")),
    (rf"offset ({_C}): at most ±([\d.]+) \(a probe further off is replaced\)",
     N_("offset {0}: at most ±{1} (a probe further off is replaced)")),
    (r"the calibration must fall due after it was done",
     N_("the calibration must fall due after it was done")),
    (r"the calibration date is in the future", N_("the calibration date is in the future")),
    (r"certificate: at most (\d+) printable characters",
     N_("certificate: at most {0} printable characters")),
    (rf"camera ({_C}): 1 to (\d+) letters, digits, '_', '\.', '-'",
     N_("camera {0}: 1 to {1} letters, digits, '_', '.', '-'")),
    (r"camera description: at most (\d+) printable characters",
     N_("camera description: at most {0} printable characters")),
    (r"facility (\S+) has a camera (\S+) already", N_("facility {0} has a camera {1} already")),
    (r"password hash cost (\d+): (\d+) to (\d+)", N_("password hash cost {0}: {1} to {2}")),
    (r"the role (\w+) belongs to an enterprise: give --enterprise CODE",
     N_("the role {0} belongs to an enterprise: give --enterprise CODE")),
    (r"the role (\w+) belongs to an enterprise, not to an office",
     N_("the role {0} belongs to an enterprise, not to an office")),
    (r"the role (\w+) belongs to an office: give --office CODE",
     N_("the role {0} belongs to an office: give --office CODE")),
    (r"the role (\w+) belongs to an office, not to an enterprise",
     N_("the role {0} belongs to an office, not to an enterprise")),
    (rf"no office ({_C})", N_("no office {0}")),
    (r"an administrator belongs to neither an enterprise nor an office",
     N_("an administrator belongs to neither an enterprise nor an office")),
    (rf"login ({_C}): 2 to 64 lower-case letters, digits, '_', '\.', '@', '-'",
     N_("login {0}: 2 to 64 lower-case letters, digits, '_', '.', '@', '-'")),
    (rf"unknown role ({_C}): one of (.+)", N_("unknown role {0}: one of {1}")),
    (rf"unknown scope ({_C}): one of (.+)", N_("unknown scope {0}: one of {1}")),
    (r"a password needs at least (\d+) characters",
     N_("a password needs at least {0} characters")),
    (r"a password has at most (\d+) characters", N_("a password has at most {0} characters")),
    (r"the password cannot be the login", N_("the password cannot be the login")),
    (r"the password repeats too few characters", N_("the password repeats too few characters")),
    (r"user (\S+) exists already", N_("user {0} exists already")),
    (r"(\S+) is the last enabled administrator: add or enable another first",
     N_("{0} is the last enabled administrator: add or enable another first")),
    (r"a password is changed from a signed-in session",
     N_("a password is changed from a signed-in session")),
    (r"the current password is wrong", N_("the current password is wrong")),
    (r"the new password is the current one", N_("the new password is the current one")),
    (rf"office code ({_C}): 1 to (\d+) letters, digits, '_', '\.', '-'",
     N_("office code {0}: 1 to {1} letters, digits, '_', '.', '-'")),
    (r"an office covers cities, enterprises, or everywhere: give one",
     N_("an office covers cities, enterprises, or everywhere: give one")),
    (r"office (\S+) exists already", N_("office {0} exists already")),
    (r"wrong login or password", N_("wrong login or password")),
    (r"this account is disabled: ask an administrator",
     N_("this account is disabled: ask an administrator")),
    (r"logout ends a session: this request has none",
     N_("logout ends a session: this request has none")),
    (r"user (\S+) is disabled", N_("user {0} is disabled")),
    (r"scope beyond the role (\w+): (.+)", N_("scope beyond the role {0}: {1}")),
    (r"the token would expire before it is issued",
     N_("the token would expire before it is issued")),
    (r"no token (\d+) of (\S+)", N_("no token {0} of {1}")),
    (r"token (\d+) is revoked already", N_("token {0} is revoked already")),
    (r"send 'Authorization: Bearer <token>'", N_("send 'Authorization: Bearer <token>'")),
    (r"unknown, revoked or expired token", N_("unknown, revoked or expired token")),
    (r"your session has ended: log in again", N_("your session has ended: log in again")),
    (r"missing or wrong CSRF token: send the X-CSRF-Token header \(or csrf_token field\) "
     r"given at login",
     N_("missing or wrong CSRF token: send the X-CSRF-Token header (or csrf_token field) given "
        "at login")),
    (r"form larger than (\d+) bytes", N_("form larger than {0} bytes")),
    (r"a form in UTF-8 is expected", N_("a form in UTF-8 is expected")),
    (r"log in first, or send 'Authorization: Bearer <token>'",
     N_("log in first, or send 'Authorization: Bearer <token>'")),
    (r"no run (\S+)", N_("no run {0}")),
    (r"no alarm (\S+)", N_("no alarm {0}")),
    (r"this needs a signed-in session \(log in with a password\)",
     N_("this needs a signed-in session (log in with a password)")),
    (r"a device token only sends readings and stills",
     N_("a device token only sends readings and stills")),
    (r"only a facility's device token sends readings and stills",
     N_("only a facility's device token sends readings and stills")),
    (r"the role (\S+) \(or this token's scope\) does not allow (\S+)",
     N_("the role {0} (or this token's scope) does not allow {1}")),
    (r"the role (\S+) does not allow (\S+)", N_("the role {0} does not allow {1}")),
    (r"not found", N_("not found")),  # a path naming what no database holds (admin_forms.py)
)  # fmt: skip
_SIGNOFF_RE = tuple(
    (re.compile(pattern), msgid) for pattern, msgid in (*_SIGNOFF, *_REFUSALS, *_ADMIN)
)
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
