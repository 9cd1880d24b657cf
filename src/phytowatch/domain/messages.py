"""Everything phytowatch says to a person: a code from one enumeration, with named parameters.

A rule or a use case never writes a sentence. It returns or raises a :class:`Message`: a
:class:`Code` and its parameters, instants as :class:`Instant` (shown in the reader's zone) and
words of another vocabulary (a finding, a role, a decision) as :class:`Word` (translated where
shown). Each code carries its English template, which is also its msgid in the one gettext
catalogue (``phytowatch/i18n/locale``): the pages, the CLI and the notifications render a message
in the reader's language from there; the JSON API adds the English text (:meth:`Message.english`)
beside the code and the parameters.

A refusal is one exception type, :class:`Refused`, carrying its :class:`Kind`; the adapters turn
the kind into an HTTP status or an exit code in one table each. Nothing reads the sentence back.
Standard library only: the CLI's fast ``evaluate`` path imports this.
"""

from __future__ import annotations

import string
from collections.abc import Mapping
from dataclasses import dataclass, field
from enum import StrEnum
from types import MappingProxyType
from typing import Any

from phytowatch.domain.instants import format_instant


class Kind(StrEnum):
    """What kind of refusal: the adapters map it to a status (web/errors.py, cli/output.py)."""

    INVALID = "invalid"  # what was sent is wrong or not enough
    NOT_FOUND = "not_found"  # no such thing, or not one the caller may see
    CONFLICT = "conflict"  # the thing's state refuses it (decided already, exists already)
    FORBIDDEN = "forbidden"  # the caller may not do this
    UNAUTHENTICATED = "unauthenticated"  # the caller is not known
    THROTTLED = "throttled"  # too many attempts: try again later
    UNAVAILABLE = "unavailable"  # the database or a queue is out of reach for now


class Code(StrEnum):
    """One member per sentence a person can read; the second value is its English template."""

    template: str

    def __new__(cls, value: str, template: str) -> Code:
        member = str.__new__(cls, value)
        member._value_ = value
        member.template = template
        return member

    # a text stored before messages were codes, in a format not recognised: shown as written
    TEXT = "text", "{text}"

    # alarms (domain/alarms.py, services/alarms.py): stored with the alarm
    ALARM_TOO_FEW_PROBES = (
        "alarm.too_few_probes",
        "fewer probes installed than the schedule requires",
    )
    ALARM_HOLD_BROKEN = "alarm.hold_broken", "hold broken at {at}: {reason}"
    ALARM_HOLD_BROKEN_PROBES = (
        "alarm.hold_broken_probes",
        "hold broken at {at}: {reason} ({probes})",
    )
    ALARM_PROBE_EXCLUDED = "alarm.probe_excluded", "{probe} excluded ({cause})"
    ALARM_FINDING = "alarm.finding", "finding {finding}"
    ALARM_FINDING_ON = "alarm.finding_on", "finding {finding} on {probe}"
    ALARM_CONFLICT = (
        "alarm.conflict",
        "{probe} at {at}: a different value offered for a stored reading (refused)",
    )
    ALARM_APPROACHING = (
        "alarm.approaching_limit",
        "{key} at {value:g}, {margin:.2f} from {threshold:g}",
    )
    ALARM_SENSOR_FAULT = "alarm.sensor_fault", "{probe} reports {fault}"
    ALARM_SILENT = "alarm.facility_silent", "nothing received since {at}"
    ALARM_CLOCK_SKEW = (
        "alarm.clock_skew",
        "device clock ahead of the server by more than {minutes} min",
    )
    ALARM_CALIBRATION_EXPIRED = (
        "alarm.calibration_expired",
        "{probe}: calibration expired ({due:day})",
    )
    ALARM_CALIBRATION_DUE = (
        "alarm.calibration_due",
        "{probe}: calibration due within {days} days ({due:day})",
    )

    # a run's calibration notes (services/runs.py start_run): stored with the run
    NOTE_NO_CALIBRATION = "note.no_calibration", "{probe}: no calibration recorded; judged raw"
    NOTE_CALIBRATION_EXPIRED = (
        "note.calibration_expired",
        "{probe}: calibration expired {due}; judged raw",
    )

    # what people do to alarms
    ALARM_ACK_CLEARED = "alarm.ack_cleared", "a cleared alarm cannot be acknowledged"
    ALARM_ACKED_ALREADY = "alarm.acknowledged_already", "acknowledged already by {by}"
    ALARM_CLEARED_ALREADY = "alarm.cleared_already", "cleared already"
    ALARM_ACK_FIRST = "alarm.acknowledge_first", "acknowledge it first (who dealt with it, and how)"
    ALARM_COMMENT_TOO_LONG = (
        "alarm.comment_too_long",
        "comment: at most {max} printable characters",
    )
    ALARM_WHO = "alarm.who", "say who acknowledges (1 to 100 printable characters)"

    # sign-off of a run (domain/signoff.py, services/signoff.py)
    SIGNOFF_FINAL_SIGNED = (
        "signoff.final_signed",
        "run {run} was signed off already by {by}; a decision is final",
    )
    SIGNOFF_FINAL_REJECTED = (
        "signoff.final_rejected",
        "run {run} was rejected already by {by}; a decision is final",
    )
    SIGNOFF_RUN_OPEN = (
        "signoff.run_open",
        "run {run} is still open: a run is signed off once it is closed",
    )
    SIGNOFF_NOT_PASS = "signoff.not_pass", "run {run} is {verdict}: only a PASS run is signed off"
    SIGNOFF_COMMENT_TOO_LONG = "signoff.comment_too_long", "comment: at most {max} characters"
    SIGNOFF_COMMENT_CONTROL = (
        "signoff.comment_control",
        "comment: control characters are not text (line breaks and tabs are fine)",
    )
    SIGNOFF_REJECTION_NEEDS_COMMENT = (
        "signoff.rejection_needs_comment",
        "a rejection needs a written comment (at least {min} characters) saying why",
    )
    SIGNOFF_NEEDS_COMMENT = (
        "signoff.needs_comment",
        "run {run} has findings or notes for review: a written comment "
        "(at least {min} characters) is needed",
    )
    SIGNOFF_INSPECTOR_ONLY = "signoff.inspector_only", "only a bureau inspector signs off a run"
    SIGNOFF_DECISION = "signoff.decision", "decision: signed_off or rejected"
    SIGNOFF_RACE = (
        "signoff.race",
        "run {run} was decided already by someone else; reload it",
    )
    BACKING_OPEN = "backing.open", "the run is still open"
    BACKING_NOT_PASS = "backing.not_pass", "the run's verdict is {verdict}, not PASS"
    BACKING_NOT_SIGNED = "backing.not_signed", "the run is not signed off by an inspector yet"
    BACKING_REJECTED = "backing.rejected", "the run was rejected by {by}"
    BACKING_OK = "backing.ok", "signed off by {by} ({office})"

    # runs (services/runs.py) and their schedules' params (domain/schedule.py)
    RUN_LOAD = "run.load", "load: describe it in 1 to {max} characters (commodity, lot, quantity)"
    RUN_LOAD_PRINTABLE = (
        "run.load_printable",
        "load: printable text only (no control characters or undecodable bytes)",
    )
    RUN_NOTE_TOO_LONG = "run.note_too_long", "note: at most {max} characters"
    RUN_NOTE_PRINTABLE = (
        "run.note_printable",
        "note: printable text only (no control characters or undecodable bytes)",
    )
    RUN_OPEN_ALREADY = "run.open_already", "facility {facility} has an open run: close it first"
    RUN_CLOSED_ALREADY = "run.closed_already", "run {run} is closed already ({reason})"
    SCHEDULE_UNKNOWN = "schedule.unknown", "unknown schedule {schedule!r}"
    SCHEDULE_FILE = "schedule.file", "{detail}"  # a broken schedule file: the loader's words
    PARAM_UNKNOWN = (
        "param.unknown",
        "schedule {schedule} has no param {param!r} (params: {known})",
    )
    PARAM_MISSING = "param.missing", "schedule {schedule} needs the param {param} ({options})"
    PARAM_VALUE = (
        "param.value",
        "param {param} of schedule {schedule} cannot be {value!r} ({options})",
    )
    PARAM_UNRESOLVED = (
        "param.unresolved",
        "schedule {schedule} is not resolved for params: {missing}",
    )

    # registry: enterprises, facilities, probes, calibrations, cameras (services/provisioning.py)
    FIELD_TEXT = "field.text", "{field}: give 1 to {max} printable characters"
    FIELD_AT_MOST = "field.at_most", "{field}: at most {max} printable characters"
    FIELD_INSTANT = (
        "field.instant",
        "{field} {text!r}: not a date or an instant (e.g. 2026-03-01 or 2026-03-01T08:00:00Z)",
    )
    PROBE_ID = "probe.id", "probe {probe!r}: the id must be letters, digits, '_', '.', '-'"
    PROBE_ROLE = "probe.role", "probe {probe!r}: role must be one of {roles}"
    PROBE_PLACEMENT = (
        "probe.placement",
        "probe {probe}: placement at most {max} printable characters",
    )
    PROBES_NONE = "probe.none", "give at least one probe, e.g. C1:product"
    PROBE_TWICE = "probe.twice", "probe {probe} is given twice"
    ENTERPRISE_CODE = (
        "enterprise.code",
        "enterprise code {code!r}: 1 to {max} letters, digits, '_', '.', '-'",
    )
    ENTERPRISE_GRADE = "enterprise.grade", "grade {grade!r}: one of {grades}"
    ENTERPRISE_EXISTS = "enterprise.exists", "enterprise {code} exists already"
    FACILITY_CODE = (
        "facility.code",
        "facility code {code!r}: 1 to {max} letters, digits, '_', '.', '-'",
    )
    FACILITY_TREATER = "facility.treater", "treater number: 1 to {max} printable characters"
    FACILITY_KIND = "facility.kind", "kind {kind!r}: one of {kinds}"
    FACILITY_EXISTS = "facility.exists", "facility {code} exists already"
    FACILITY_NO_PROBE = (
        "facility.no_probe",
        "facility {facility} has no probe {probe!r} (probes: {probes})",
    )
    OFFSET_NO_PROBE = (
        "calibration.offset_no_probe",
        "an offset for {probe}: no such probe in the log (probes: {probes})",
    )
    OFFSET_NOT_NUMBER = "calibration.offset_nan", "offset {offset!r}: not a number, e.g. -0.30"
    OFFSET_TOO_LARGE = (
        "calibration.offset_large",
        "offset {offset!r}: at most ±{max} (a probe further off is replaced)",
    )
    CALIBRATION_DUE_BEFORE = (
        "calibration.due_before",
        "the calibration must fall due after it was done",
    )
    CALIBRATION_FUTURE = "calibration.future", "the calibration date is in the future"
    CAMERA_CODE = "camera.code", "camera {code!r}: 1 to {max} letters, digits, '_', '.', '-'"
    CAMERA_EXISTS = "camera.exists", "facility {facility} has a camera {code} already"

    # camera stills (services/snapshots.py): a device's still is refused, nothing stored
    STILL_CAMERA = (
        "still.camera",
        "camera {camera!r} is not registered to facility {facility} (cameras: {cameras})",
    )
    STILL_FUTURE = "still.future", "taken_at {taken_at}: in the future, check the device clock"
    STILL_BEFORE_2000 = (
        "still.before_2000",
        "taken_at {taken_at}: before 2000, check the device clock",
    )

    # accounts: users, offices, passwords, login, sessions, tokens (services/accounts.py)
    HASH_COST = "account.hash_cost", "password hash cost {cost}: {min} to {max}"
    ROLE_NEEDS_ENTERPRISE = (
        "role.needs_enterprise",
        "the role {role} belongs to an enterprise: say which",
    )
    ROLE_NOT_OFFICE = (
        "role.not_office",
        "the role {role} belongs to an enterprise, not to an office",
    )
    ROLE_NEEDS_OFFICE = "role.needs_office", "the role {role} belongs to an office: say which"
    ROLE_NOT_ENTERPRISE = (
        "role.not_enterprise",
        "the role {role} belongs to an office, not to an enterprise",
    )
    ADMIN_PLACEMENT = (
        "role.admin_placement",
        "an administrator belongs to neither an enterprise nor an office",
    )
    LOGIN_FORMAT = (
        "account.login_format",
        "login {login!r}: 2 to 64 lower-case letters, digits, '_', '.', '@', '-'",
    )
    ROLE_UNKNOWN = "role.unknown", "unknown role {role!r}: one of {roles}"
    SCOPE_UNKNOWN = "scope.unknown", "unknown scope {scope!r}: one of {scopes}"
    SCOPE_SESSION_ONLY = (
        "scope.session_only",
        "{action} needs a signed-in session: no token carries it",
    )
    PASSWORD_SHORT = "password.short", "a password needs at least {min} characters"
    PASSWORD_LONG = "password.long", "a password has at most {max} characters"
    PASSWORD_IS_LOGIN = "password.is_login", "the password cannot be the login"
    PASSWORD_REPETITIVE = "password.repetitive", "the password repeats too few characters"
    USER_EXISTS = "user.exists", "user {login} exists already"
    LAST_ADMIN = (
        "user.last_admin",
        "{login} is the last enabled administrator: add or enable another first",
    )
    PASSWORD_NEEDS_SESSION = (
        "password.needs_session",
        "a password is changed from a signed-in session",
    )
    PASSWORD_WRONG = "password.wrong", "the current password is wrong"
    PASSWORD_SAME = "password.same", "the new password is the current one"
    OFFICE_CODE = "office.code", "office code {code!r}: 1 to {max} letters, digits, '_', '.', '-'"
    OFFICE_COVERS = (
        "office.covers",
        "an office covers cities, enterprises, or everywhere: give one",
    )
    OFFICE_EXISTS = "office.exists", "office {code} exists already"
    LOGIN_LOCKED = "login.locked", "too many failed logins: try again in {seconds} s"
    LOGIN_WRONG = "login.wrong", "wrong login or password"
    LOGIN_DISABLED = "login.disabled", "this account is disabled: ask an administrator"
    LOGOUT_NO_SESSION = "logout.no_session", "logout ends a session: this request has none"
    USER_DISABLED = "user.disabled", "user {login} is disabled"
    SCOPE_BEYOND_ROLE = "scope.beyond_role", "scope beyond the role {role}: {scopes}"
    TOKEN_EXPIRES_EARLY = "token.expires_early", "the token would expire before it is issued"
    NO_TOKEN = "not_found.token", "no token {token} of {login}"
    TOKEN_REVOKED_ALREADY = "token.revoked_already", "token {token} is revoked already"

    # who may call (web/auth.py)
    AUTH_SEND_BEARER = "auth.send_bearer", "send 'Authorization: Bearer <token>'"
    AUTH_BAD_TOKEN = "auth.bad_token", "unknown, revoked or expired token"
    AUTH_SESSION_ENDED = "auth.session_ended", "your session has ended: log in again"
    AUTH_CSRF = (
        "auth.csrf",
        "missing or wrong CSRF token: send the X-CSRF-Token header (or csrf_token field) "
        "given at login",
    )
    FORM_TOO_LARGE = "form.too_large", "form larger than {max} bytes"
    FORM_NOT_UTF8 = "form.not_utf8", "a form in UTF-8 is expected"
    AUTH_LOG_IN = "auth.log_in", "log in first, or send 'Authorization: Bearer <token>'"
    AUTH_NEEDS_SESSION = (
        "auth.needs_session",
        "this needs a signed-in session (log in with a password)",
    )
    AUTH_DEVICE_ONLY = "auth.device_only", "a device token only sends readings and stills"
    AUTH_DEVICE_NEEDED = (
        "auth.device_needed",
        "only a facility's device token sends readings and stills",
    )
    AUTH_ROLE_TOKEN = (
        "auth.role_token",
        "the role {role} (or this token's scope) does not allow {action}",
    )
    AUTH_ROLE = "auth.role", "the role {role} does not allow {action}"
    LOGIN_BODY_TOO_LARGE = "login.body_too_large", "login body too large"
    LOGIN_BODY = "login.body", 'send JSON {{"login": ..., "password": ...}} or a form'
    LOGIN_BOTH = "login.both", "login and password are both needed"
    TOKENS_ADMIN = (
        "token.admin_has_none",
        "personal tokens belong to users; the admin token has none",
    )
    ACCOUNT_GONE = "account.gone", "your account is gone: log in again"

    # the chart's query (web: /api/v1/runs/{id}/chart)
    CHART_POINTS = "chart.points", "points: 1 to {max}"
    CHART_SPAN = "chart.span", "t_to must be after t_from"

    # a query or path parameter the route refuses before looking anything up (web/app.py)
    FIELD_RANGE = "field.range", "{field}: a number from {min} to {max}"
    FIELD_NUMBER = "field.number", "{field}: a number"
    FIELD_INTEGER = "field.integer", "{field}: a whole number"
    FIELD_BOOLEAN = "field.boolean", "{field}: true or false"
    FIELD_REQUIRED = "field.required", "{field}: required"

    # the database
    UNSTORABLE = "storage.unstorable", "a value the database cannot store (check the text you sent)"
    STORAGE_UNAVAILABLE = "storage.unavailable", "the database is unavailable; retry later"

    # what is not there (or not the caller's to see: the same answer)
    NO_RUN = "not_found.run", "no run {run}"
    NO_ALARM = "not_found.alarm", "no alarm {alarm}"
    NO_FACILITY = "not_found.facility", "no facility {facility!r}"
    NO_ENTERPRISE = "not_found.enterprise", "no enterprise {enterprise!r}"
    NO_USER = "not_found.user", "no user {login!r}"
    NO_OFFICE = "not_found.office", "no office {office!r}"
    NO_SNAPSHOT = "not_found.snapshot", "no snapshot {snapshot} of {facility!r}"
    NO_STATIC = "not_found.static", "no static file {path!r}"
    NOT_FOUND = "not_found", "not found"


def code_of(value: str) -> Code:
    """The code whose value this is (KeyError for none)."""
    return _BY_VALUE[value]


_BY_VALUE: Mapping[str, Code] = MappingProxyType({code.value: code for code in Code})


@dataclass(frozen=True)
class Instant:
    """An instant (µs since the epoch) said to a person: in the reader's zone where shown.

    Format spec ``day`` gives the UTC day; the empty spec the ISO 8601 instant (``...Z``)."""

    us: int

    def __format__(self, spec: str) -> str:
        text = format_instant(self.us)
        return text[:10] if spec == "day" else text


@dataclass(frozen=True)
class Word:
    """A word of another vocabulary (a finding, a reason, a role, a decision): its code, shown
    translated by the catalogue, and as the code itself in the English API text."""

    code: str

    def __format__(self, spec: str) -> str:
        return format(self.code, spec)


Param = str | int | float | Instant | Word
_EMPTY: Mapping[str, Param] = MappingProxyType({})


@dataclass(frozen=True)
class Message:
    code: Code
    params: Mapping[str, Param] = field(default_factory=lambda: _EMPTY)

    def english(self) -> str:
        """The English text with parameters as written (instants in UTC, words as codes): the
        API's ``message``, kept as it was before messages were codes."""
        return self.code.template.format_map(self.params)

    def __str__(self) -> str:
        return self.english()

    def to_json(self) -> dict[str, Any]:
        """For storage: ``{"code": ..., "params": {...}}``, instants and words tagged."""
        return {"code": self.code.value, "params": params_to_json(self.params)}

    @classmethod
    def from_json(cls, data: Mapping[str, Any]) -> Message:
        return cls(code_of(str(data["code"])), params_from_json(data.get("params") or {}))


def stored_message(value: Any) -> Message:
    """A message as stored (``to_json``); a sentence stored before codes, or a code this version
    does not know, is kept as written."""
    if isinstance(value, Mapping):
        try:
            return Message.from_json(value)
        except (KeyError, TypeError, ValueError):
            return say(Code.TEXT, text=str(value.get("text") or value))
    return say(Code.TEXT, text=str(value))


def say(code: Code, /, **params: Param) -> Message:
    """``say(Code.NO_RUN, run=7)``: a message, its parameters named."""
    return Message(code, MappingProxyType(params))


def placeholders(template: str) -> set[str]:
    """The parameter names a template uses."""
    return {name for _, name, _, _ in string.Formatter().parse(template) if name}


def params_to_json(params: Mapping[str, Param]) -> dict[str, Any]:
    out: dict[str, Any] = {}
    for name, value in params.items():
        if isinstance(value, Instant):
            out[name] = {"instant": value.us}
        elif isinstance(value, Word):
            out[name] = {"word": value.code}
        else:
            out[name] = value
    return out


def params_from_json(data: Mapping[str, Any]) -> Mapping[str, Param]:
    out: dict[str, Param] = {}
    for name, value in data.items():
        if isinstance(value, dict) and "instant" in value:
            out[name] = Instant(int(value["instant"]))
        elif isinstance(value, dict) and "word" in value:
            out[name] = Word(str(value["word"]))
        else:
            out[name] = value
    return MappingProxyType(out)


def params_for_api(params: Mapping[str, Param]) -> dict[str, str | int | float]:
    """For a JSON client: instants as ISO 8601 UTC, words as their codes."""
    return {
        name: format(value) if isinstance(value, Instant | Word) else value
        for name, value in params.items()
    }


def message_json(message: Message) -> dict[str, Any]:
    """For a JSON client: ``{"code", "params", "message"}`` (the English text)."""
    return {
        "code": message.code.value,
        "params": params_for_api(message.params),
        "message": message.english(),
    }


class Refused(Exception):  # noqa: N818 - a refusal, said to a person; not a crash
    """A request refused, and why: the one refusal type of the use cases and the rules."""

    def __init__(self, kind: Kind, message: Message, *, retry_after: int | None = None) -> None:
        super().__init__(message.english())
        self.kind = kind
        self.message = message
        self.retry_after = retry_after


def refused(kind: Kind, code: Code, /, **params: Param) -> Refused:
    """``raise refused(Kind.NOT_FOUND, Code.NO_RUN, run=7)``."""
    return Refused(kind, say(code, **params))
