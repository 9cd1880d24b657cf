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

    # the database
    UNSTORABLE = "storage.unstorable", "a value the database cannot store (check the text you sent)"
    STORAGE_UNAVAILABLE = "storage.unavailable", "the database is unavailable; retry later"

    # times and durations (domain/instants.py): a device's, a log's, a schedule file's
    DURATION_NOT = "duration.not", "not a duration: {text!r}"
    DURATION_HOW = (
        "duration.how",
        "not a duration: {text!r} (write e.g. '30 min', '3.5 h', '18 d')",
    )
    DURATION_NOT_POSITIVE = "duration.not_positive", "a duration must be positive: {text!r}"
    DURATION_FINER = "duration.finer", "finer than a microsecond: {text!r}"
    INSTANT_FINER = "instant.finer", "finer than a microsecond"
    INSTANT_FRACTION = "instant.fraction", "a decimal fraction is allowed on the seconds only"
    INSTANT_YEARS = "instant.years", "outside the years {first} to {last}"
    INSTANT_OFFSET_RANGE = (
        "instant.offset_range",
        "the UTC offset is out of range (-23:59 to +23:59)",
    )
    INSTANT_NO_OFFSET = "instant.no_offset", "no UTC offset (write Z or +08:00)"

    # the judgement engine's refusal of input its caller built wrongly (domain/judgement/)
    JUDGE_PROBE_TWICE = "judge.probe_twice", "probe {probe!r} appears twice"
    JUDGE_OFFSET_PROBE = "judge.offset_probe", "offset for unknown probe {probe!r}"
    JUDGE_OFFSET_NAN = "judge.offset_nan", "offset for {probe} is not a number: {offset!r}"
    JUDGE_OFFSET_LARGE = (
        "judge.offset_large",
        "offset for {probe} is not a plausible calibration offset: {offset!r} (at most ±{max})",
    )
    JUDGE_UNKNOWN_PROBE = "judge.unknown_probe", "unknown probe {probe!r}"
    JUDGE_LATE = "judge.late_reading", "reading of {probe} at an instant already judged"
    SERIES_SPAN = (
        "series.span",
        "{buckets} buckets from {t_from} to {t_to}: need at least one bucket and a time span",
    )

    # a schedule file refused (schedules/format.py, schedules/catalog.py): the file, the field
    SCHEDULE_FILE_UNREADABLE = "schedule_file.unreadable", "{file}: cannot read: {error}"
    SCHEDULE_FILE_YAML = "schedule_file.yaml", "{file}: not valid YAML: {error}"
    SCHEDULE_FILE_JSON = (
        "schedule_file.json",
        "{file}: not valid JSON (line {line}, column {column}): {error}",
    )
    SCHEDULE_FILE_NOT_DIRECTORY = "schedule_file.not_directory", "{file}: not a directory"
    SCHEDULE_FILE_TOP = "schedule_file.top", "{file}: a schedule must be an object"
    SCHEDULE_FILE_OBJECT = "schedule_file.object", "{file}: {field}: must be an object"
    SCHEDULE_FILE_LIST = "schedule_file.list", "{file}: {field}: must be a list"
    SCHEDULE_FILE_UNKNOWN = "schedule_file.unknown_field", "{file}: {field}: unknown field"
    SCHEDULE_FILE_MISSING = "schedule_file.missing", "{file}: {field}: missing"
    SCHEDULE_FILE_TEXT = "schedule_file.text", "{file}: {field}: must be a non-empty text"
    SCHEDULE_FILE_NUMBER = "schedule_file.number", "{file}: {field}: {value}: must be a number"
    SCHEDULE_FILE_COUNT = (
        "schedule_file.count",
        "{file}: {field}: {value}: must be a whole number >= 1",
    )
    SCHEDULE_FILE_CHOICE = (
        "schedule_file.choice",
        "{file}: {field}: {value}: must be one of {options}",
    )
    SCHEDULE_FILE_DURATION = (
        "schedule_file.duration",
        "{file}: {field}: not a duration: {value} (write e.g. '30 min', '3.5 h', '18 d')",
    )
    SCHEDULE_FILE_DURATION_POSITIVE = (
        "schedule_file.duration_positive",
        "{file}: {field}: a duration must be positive: {value}",
    )
    SCHEDULE_FILE_DURATION_FINER = (
        "schedule_file.duration_finer",
        "{file}: {field}: finer than a microsecond: {value}",
    )
    SCHEDULE_FILE_ID = (
        "schedule_file.id",
        "{file}: {field}: {value}: lowercase letters, digits and '-' only (2-64 characters)",
    )
    SCHEDULE_FILE_VERSION = (
        "schedule_file.version",
        "{file}: {field}: {value}: must look like 1, 2 or 2026.1",
    )
    SCHEDULE_FILE_AT_FIRST_SAMPLE = (
        "schedule_file.at_first_sample",
        "{file}: {field}: a hold that starts at the first sample needs on_interruption: fail",
    )
    SCHEDULE_FILE_DURATIONS_PER_STEP = (
        "schedule_file.durations_per_step",
        "{file}: {field}: needs one duration per step ({steps})",
    )
    SCHEDULE_FILE_NO_TOLERANCE = (
        "schedule_file.no_tolerance",
        "{file}: {field}: the schedule has no tolerance",
    )
    SCHEDULE_FILE_RANGE = (
        "schedule_file.range",
        "{file}: {field}: {value:g} is outside the physical range of a {role} probe "
        "({low:g}…{high:g})",
    )
    SCHEDULE_FILE_NO_STEP = "schedule_file.no_step", "{file}: {field}: needs at least one step"
    SCHEDULE_FILE_COLD_ORDER = (
        "schedule_file.cold_order",
        "{file}: {field}: thresholds of a cold table must rise",
    )
    SCHEDULE_FILE_HEAT_ORDER = (
        "schedule_file.heat_order",
        "{file}: {field}: thresholds of a heat table must fall",
    )
    SCHEDULE_FILE_EASIER_LONGER = (
        "schedule_file.easier_longer",
        "{file}: {field}: an easier threshold must need a longer duration",
    )
    SCHEDULE_FILE_TOLERANCE_ONE_STEP = (
        "schedule_file.tolerance_one_step",
        "{file}: {field}: a tolerance band is defined for one-step heat schedules only",
    )
    SCHEDULE_FILE_TOLERANCE_LOWER = (
        "schedule_file.tolerance_lower",
        "{file}: {field}: {value:g}: must be below the step threshold ({threshold:g})",
    )
    SCHEDULE_FILE_BUDGET = (
        "schedule_file.budget",
        "{file}: {field}: missing (and no param sets it)",
    )
    SCHEDULE_FILE_NO_CHOICE = (
        "schedule_file.no_choice",
        "{file}: {field}: needs at least one choice",
    )
    SCHEDULE_FILE_KEY_TWICE = (
        "schedule_file.key_twice",
        "{file}: {field}: {key!r} is used twice",
    )
    SCHEDULE_FILE_NO_HOLD = (
        "schedule_file.no_hold_before",
        "{file}: {field}: no hold criterion {during!r} before it",
    )
    SCHEDULE_FILE_VERSION_TWICE = (
        "schedule_file.version_twice",
        "{file}: {field}: {schedule} version {version} is also in {first}",
    )

    # the notification rules (PHYTOWATCH_NOTIFY_RULES, services/notify.py) and the settings
    # they need (notify/__init__.py): said at start-up to whoever edits them
    NOTIFY_RULES_JSON = (
        "notify_rules.json",
        "notify rules: not JSON ({error} at char {position})",
    )
    NOTIFY_RULES_LIST = "notify_rules.list", "notify rules: a JSON list of rules is expected"
    NOTIFY_RULE_OBJECT = "notify_rule.object", "notify rule {rule}: an object is expected"
    NOTIFY_RULE_UNKNOWN = "notify_rule.unknown", "notify rule {rule}: unknown field(s) {fields}"
    NOTIFY_RULE_CHOICE = (
        "notify_rule.choice",
        "notify rule {rule}: {field} must be one of {options} (not {value})",
    )
    NOTIFY_RULE_TO_TEXT = "notify_rule.to_text", "notify rule {rule}: to must be a string"
    NOTIFY_RULE_EMAIL_TO = (
        "notify_rule.email_to",
        "notify rule {rule}: an email rule needs to (the addresses)",
    )
    NOTIFY_RULE_KINDS = "notify_rule.kinds", "notify rule {rule}: unknown kind(s) {kinds}"
    NOTIFY_RULE_NAMES = (
        "notify_rule.names",
        "notify rule {rule}: {field} must be a list of strings",
    )
    NOTIFY_WEBHOOK_SECRET = (
        "notify.webhook_secret",
        "a webhook rule needs PHYTOWATCH_WEBHOOK_SECRET (to sign with)",
    )
    NOTIFY_WEBHOOK_URL = (
        "notify.webhook_url",
        "a webhook rule without to needs PHYTOWATCH_WEBHOOK_URL",
    )
    NOTIFY_WEBHOOK_URL_FORM = (
        "notify.webhook_url_form",
        "a webhook URL must be http:// or https:// with a host",
    )
    NOTIFY_EMAIL_SETTINGS = (
        "notify.email_settings",
        "an email rule needs PHYTOWATCH_SMTP_HOST and PHYTOWATCH_MAIL_FROM",
    )

    # the pages' own checks of a form, before a use case is called (web/pages/)
    FORM_NUL = "form.nul", "{field}: a NUL character cannot be stored"
    FORM_DATE = "form.date", "{field}: give a date, e.g. {example}"
    FORM_CONFIRM_REVOKE = (
        "form.confirm_revoke",
        "Tick the box to confirm: the device will be refused.",
    )
    FORM_DISABLE_OR_ENABLE = "form.disable_or_enable", "Say whether to disable or to enable."

    # the CLI's report of a judgement (cli/text_report.py) and its schedules commands
    CLI_SAMPLES = "cli.samples", "{count} sample times, {first} … {last}"
    CLI_HOLD = (
        "cli.hold",
        "step {step}: {sign} {threshold} for {duration}, held {start} → {end}",
    )
    CLI_OF_NEEDED = "cli.of_needed", "of {needed} needed"
    CLI_DECIDED_AT = "cli.decided_at", "at {at}"
    CLI_MET_AT = "cli.met_at", "met at {at}"
    CLI_STEP = "cli.step", "step {n}"
    CLI_MORE = "cli.more", "… and {n} more (see --json)"
    SCHEDULE_UNKNOWN_KNOWN = (
        "schedule.unknown_known",
        "unknown schedule {schedule!r} (known: {known})",
    )

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
        from phytowatch.domain.instants import format_instant  # it raises messages: no cycle

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


class Invalid(ValueError):  # noqa: N818 - a value refused, said to a person; not a crash
    """A value that cannot be used (a time, a duration, a file's field, an engine's input), and
    why, as a message: the base of the errors that carry one (``ParamError``,
    ``ScheduleFileError``, ``RuleError``, …). ``str()`` is the English text."""

    def __init__(self, message: Message) -> None:
        super().__init__(message.english())
        self.message = message


def invalid(code: Code, /, **params: Param) -> Invalid:
    """``raise invalid(Code.INSTANT_FINER)``."""
    return Invalid(say(code, **params))


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
