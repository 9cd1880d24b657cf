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
    ALARM_WHO_CLEARS = "alarm.who_clears", "say who clears (1 to 100 printable characters)"
    ALARM_ACK_NEEDS_COMMENT = (
        "alarm.ack_needs_comment",
        "a {kind} alarm accuses the enterprise: acknowledging it needs a written comment "
        "(at least {min} characters)",
    )
    ALARM_CLEAR_NEEDS_COMMENT = (
        "alarm.clear_needs_comment",
        "clearing an alarm needs a written comment (at least {min} characters) saying why",
    )
    ALARM_BUREAU_ONLY = (
        "alarm.bureau_only",
        "a {kind} alarm is acknowledged and cleared by the bureau only",
    )
    ALARM_BUREAU_CLEARS = "alarm.bureau_clears", "alarms are cleared by the bureau only"
    ALARM_NOT_A_PERSON = (
        "alarm.not_a_person",
        "alarms are acknowledged by the bureau's staff or the enterprise's people",
    )
    ALARM_ENTERPRISE_ACKED_ALREADY = (
        "alarm.enterprise_acknowledged_already",
        "acknowledged already for the enterprise by {by}",
    )
    ALARM_LABEL_COMMENT_REQUIRED = (
        "alarm.label_comment_required",
        "Comment (required: at least {min} characters)",
    )
    ALARM_LABEL_WHY_CLEARED = (
        "alarm.label_why_cleared",
        "Why is it cleared? (required: at least {min} characters)",
    )
    ALARM_LIST_COUNT = "alarm.list_count", "Alarms {first}–{last} of {total}"
    ALARM_LIST_PAGE = "alarm.list_page", "page {page} of {pages}"
    ALARM_FILTER_DAYS = (
        "alarm.filter_days",
        "the first day {start} is after the last day {end}",
    )

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
        "comment: no control characters, direction overrides or invisible-only text "
        "(line breaks and tabs are fine)",
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
    SIGNOFF_CHOOSE = (
        "signoff.choose",
        "choose a decision, sign off or reject: nothing is chosen for you; nothing was recorded",
    )
    RECORD_READINGS_CUT = (
        "record.readings_cut",
        "the first {shown} of {total} sample times; the whole log is in the CSV export",
    )
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
    PASSWORD_MISMATCH = "password.mismatch", "the new password and its repetition differ"
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
    BODY_NOT_JSON = "body.not_json", "the body is not JSON in UTF-8"
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
    AUTH_CHANGE_PASSWORD_FIRST = (
        "auth.change_password_first",
        "an administrator set your password: change it first (My account, or "
        "POST /api/v1/auth/password)",
    )
    LOGIN_BODY_TOO_LARGE = "login.body_too_large", "login body too large"
    LOGIN_BODY = "login.body", 'send JSON {{"login": ..., "password": ...}} or a form'
    LOGIN_BOTH = "login.both", "login and password are both needed"
    TOKENS_ADMIN = (
        "token.admin_has_none",
        "personal tokens belong to users; the admin token has none",
    )
    ACCOUNT_GONE = "account.gone", "your account is gone: log in again"

    # the device protocol (formats/protocol_v1.py, services/ingest.py, web/api/ingest.py,
    # ingest/mqtt.py): the English is what devices have always read (docs/device-protocol.md);
    # a batch refused whole (HTTP 413, 415, 422; MQTT's {"error": ...})
    PAYLOAD_NOT_JSON = (
        "payload.not_json",
        "not JSON: {problem}: line {line} column {column} (char {char})",
    )
    PAYLOAD_NOT_UTF8 = (
        "payload.not_utf8",
        "not JSON in UTF-8 (at byte {byte}): send UTF-8, not UTF-16 or UTF-32",
    )
    PAYLOAD_BOM = (
        "payload.bom",
        "the body starts with a byte order mark: send UTF-8 JSON without it",
    )
    PAYLOAD_CONSTANT = (
        "payload.constant",
        "{constant} is not a number in JSON: send null with a fault instead",
    )
    PAYLOAD_TOO_DEEP = "payload.too_deep", "not a protocol batch: nested too deeply"
    PAYLOAD_NUMBER = "payload.number", "the number {number} is too long or out of range"
    PAYLOAD_DUPLICATE_KEY = (
        "payload.duplicate_key",
        "the key {key!r} appears twice in one object: each key once",
    )
    PAYLOAD_NOT_OBJECT = (
        "payload.not_object",
        "the body must be a JSON object with 'facility' and 'readings'",
    )
    PAYLOAD_FACILITY = "payload.facility", "'facility' must be the facility code, a string"
    PAYLOAD_NO_READINGS = (
        "payload.no_readings",
        "give 'readings' (a list) or 'columns' (the compact form)",
    )
    PAYLOAD_BOTH_FORMS = (
        "payload.both_forms",
        "give 'readings' or 'columns', not both: send one form per batch",
    )
    PAYLOAD_READINGS_LIST = "payload.readings_list", "'readings' must be a list"
    PAYLOAD_COLUMNS = (
        "payload.columns",
        "'columns' must be an object with a 't' list and one list per probe",
    )
    PAYLOAD_COLUMN_LENGTH = (
        "payload.column_length",
        "columns.{probe!r} must be a list as long as columns.t",
    )
    PAYLOAD_FAULTS = (
        "payload.faults",
        "columns.faults must be an object: probe id -> list of faults",
    )
    PAYLOAD_FAULTS_LENGTH = (
        "payload.faults_length",
        "columns.faults.{probe!r} must be a list as long as columns.t",
    )
    PAYLOAD_TOO_LARGE = "payload.too_large", "body larger than {max} bytes: send smaller batches"
    PAYLOAD_TOO_MANY = "payload.too_many", "more than {max} readings in one batch"
    PAYLOAD_ENCODED = (
        "payload.encoded",
        "Content-Encoding {encoding!r} is not accepted: send plain JSON",
    )
    DEVICE_NO_TOKEN = (
        "device.no_token",
        "missing device token: send 'Authorization: Bearer <token>'",
    )
    DEVICE_BAD_TOKEN = "device.bad_token", "unknown or revoked device token"
    DEVICE_OTHER_FACILITY = (
        "device.other_facility",
        "this token belongs to another facility, not {facility!r}",
    )
    INGEST_BUSY = "ingest.busy", "busy: the write queue is full; retry later"
    # MQTT only (ingest/mqtt.py)
    MQTT_NOT_READINGS = "mqtt.not_readings", "not a readings topic: {topic!r}"
    MQTT_UNKNOWN_FACILITY = "mqtt.unknown_facility", "unknown facility {facility!r}"
    MQTT_NOT_BYTES = "mqtt.not_bytes", "the payload must be a JSON batch"
    MQTT_TOO_LARGE = (
        "mqtt.too_large",
        "payload larger than {max} bytes: send smaller batches",
    )
    MQTT_OTHER_FACILITY = (
        "mqtt.other_facility",
        "the payload is of facility {payload!r}, the topic of {topic!r}",
    )
    MQTT_INTERNAL = "mqtt.internal", "internal error; see the server log"
    # one reading rejected, the rest of its batch stored (the answer's "rejected")
    READING_NOT_OBJECT = "reading.not_object", "a reading must be an object with probe, t and v"
    READING_PROBE = "reading.probe", "'probe' must be the probe id, a string"
    READING_UNKNOWN_PROBE = "reading.unknown_probe", "unknown probe {probe!r}"
    READING_FAULT_NO_COLUMN = (
        "reading.fault_no_column",
        "columns.faults.{probe!r} has no column columns.{probe!r}: give its values "
        "(null where it has a fault)",
    )
    READING_NO_TIME = "reading.no_time", "'t' (the device time) is missing"
    READING_TIME_BOOLEAN = "reading.time_boolean", "bad time {t}: a time, not true/false"
    READING_TIME_TYPE = (
        "reading.time_type",
        "bad time {t}: a time is an ISO 8601 string with an offset, or Unix seconds",
    )
    READING_TIME_FORMAT = (
        "reading.time_format",
        "bad time {t}: not an ISO 8601 time (2026-03-01T10:42:00Z) nor Unix seconds",
    )
    READING_TIME_CONTROL = (
        "reading.time_control",
        "bad time {t}: control characters are not part of a time",
    )
    READING_TIME_NO_OFFSET = (
        "reading.time_no_offset",
        "bad time {t}: no UTC offset (write Z or +08:00)",
    )
    READING_TIME_FINE = "reading.time_fine", "bad time {t}: finer than a microsecond"
    READING_TIME_RANGE = "reading.time_range", "bad time {t}: outside the years 1900 to 9998"
    READING_TIME_OFFSET = (
        "reading.time_offset",
        "bad time {t}: the UTC offset is out of range (-23:59 to +23:59)",
    )
    READING_TIME_DATE = "reading.time_date", "bad time {t}: no such date or time of day"
    READING_FUTURE = "reading.future", "time is in the future: check the device clock"
    READING_BEFORE_2000 = "reading.before_2000", "time is before 2000: check the device clock"
    READING_FAULT_TEXT = (
        "reading.fault_text",
        "'fault' must be a text of 1 to {max} characters",
    )
    READING_FAULT_PRINTABLE = (
        "reading.fault_printable",
        "'fault' must be printable text (no control characters)",
    )
    READING_VALUE_AND_FAULT = (
        "reading.value_and_fault",
        "a reading has a value or a fault, not both",
    )
    READING_VALUE = "reading.value", "'v' must be a number or null"
    READING_VALUE_LARGE = "reading.value_large", "'v' is too large"
    READING_CONFLICT = (
        "reading.conflict",
        "conflicts with the reading already stored for this probe and time; "
        "the stored value is kept (tamper alarm)",
    )
    # a camera still's (web/api/ingest.py)
    SNAPSHOT_CAMERA = "snapshot.camera", "camera: at most {max} printable characters"
    SNAPSHOT_NOT_JPEG = (
        "snapshot.not_jpeg",
        "the body is not a whole JPEG image (it starts with FF D8 FF and ends with FF D9)",
    )
    STILL_STORED_OTHERWISE = (
        "still.stored_otherwise",
        "this image is stored already as still {still}, with camera {camera} and time {taken_at}: "
        "the same image is not filed again under another camera or time",
    )
    SNAPSHOT_QUERY_NOT_UTF8 = (
        "snapshot.query_not_utf8",
        "camera and taken_at: percent-encoded UTF-8 is expected",
    )
    SNAPSHOT_TAKEN_AT_NO_OFFSET = (
        "snapshot.taken_at_no_offset",
        "taken_at {t}: no UTC offset (write Z or +08:00)",
    )
    SNAPSHOT_TAKEN_AT = (
        "snapshot.taken_at",
        "taken_at {t}: not a device time (ISO 8601 with an offset, or Unix seconds, "
        "from 1900 to 9998, at most to the microsecond)",
    )

    # the chart's query (web: /api/v1/runs/{id}/chart)
    CHART_POINTS = "chart.points", "points: 1 to {max}"
    CHART_SPAN = "chart.span", "t_to must be after t_from"

    # the audit trail (domain/audit.py, services/audit.py, cli/audit_cmds.py; docs/audit.md):
    # what `audit verify` finds, row by row, and what recording refuses
    AUDIT_OUT_OF_ORDER = (
        "audit.out_of_order",
        "seq {seq} comes after seq {previous}: the rows are out of order",
    )
    AUDIT_MISSING = (
        "audit.missing",
        "seq {seq} is missing: a row was removed between the entries of {before} and {after}",
    )
    AUDIT_MISSING_MANY = (
        "audit.missing_many",
        "seq {first}…{last} are missing: {count} rows removed between the entries of {before} "
        "and {after}",
    )
    AUDIT_MISSING_FIRST = (
        "audit.missing_first",
        "seq {seq} is missing: a row was removed before the entry of {after}",
    )
    AUDIT_MISSING_FIRST_MANY = (
        "audit.missing_first_many",
        "seq {first}…{last} are missing: {count} rows removed before the entry of {after}",
    )
    AUDIT_CHANGED = (
        "audit.changed",
        "seq {seq} ({action} {object}) was changed after it was recorded: its content hashes to "
        "{expected:.12}…, the row says {found:.12}…",
    )
    AUDIT_MOVED = (
        "audit.moved",
        "seq {seq} holds the row recorded as seq {original}: rows were put in another order",
    )
    AUDIT_RENUMBERED = (
        "audit.renumbered",
        "seq {seq} holds the row recorded as seq {original}, and the row it followed is gone: "
        "rows were removed and the later ones renumbered",
    )
    AUDIT_NOT_GENESIS = (
        "audit.not_genesis",
        "seq {seq} does not start from the genesis value (it follows {found:.12}…): "
        "the first row was replaced",
    )
    AUDIT_RELINKED = (
        "audit.relinked",
        "seq {seq} does not follow seq {previous}: rows were put in another order and their "
        "hashes recomputed",
    )
    AUDIT_REWRITTEN = (
        "audit.rewritten",
        "seq {seq} was rewritten and its hash recomputed (or the rows after it were removed and "
        "renumbered): seq {next} follows {found:.12}…, seq {seq} is {expected:.12}…",
    )
    AUDIT_ANCHOR_MISMATCH = (
        "audit.anchor_mismatch",
        "seq {seq} is not the entry anchored as the head (anchored {anchored:.12}…, now "
        "{found:.12}…): the trail was rewritten up to it, its hashes recomputed",
    )
    AUDIT_CUT = (
        "audit.cut",
        "the trail ends at seq {end}, but seq {head} was anchored as its head: seq {head} was "
        "removed from the end",
    )
    AUDIT_CUT_MANY = (
        "audit.cut_many",
        "the trail ends at seq {end}, but seq {head} was anchored as its head: seq {first}…{head} "
        "were removed from the end",
    )
    AUDIT_GUARD_MISSING = (
        "audit.guard_missing",
        "the append-only trigger {trigger} of {table} is missing: someone with the database "
        "owner's rights removed it",
    )
    AUDIT_GUARD_DISABLED = (
        "audit.guard_disabled",
        "the append-only trigger {trigger} of {table} is disabled: someone with the database "
        "owner's rights switched it off",
    )
    AUDIT_GUARD_ALTERED = (
        "audit.guard_altered",
        "the append-only trigger {trigger} of {table} is not the one the migrations made: "
        "someone with the database owner's rights altered it",
    )
    AUDIT_TAMPERED = (
        "audit.tampered",
        "audit trail TAMPERED: first bad row seq {seq}, {kind} (row of {at})",
    )
    AUDIT_TAMPERED_UNTIMED = (
        "audit.tampered_untimed",
        "audit trail TAMPERED: first bad row seq {seq}, {kind}",
    )
    AUDIT_UNGUARDED = "audit.unguarded", "audit trail UNGUARDED"
    AUDIT_INTACT = "audit.intact", "audit trail intact: {count} entries, last at {at} (seq {seq})"
    AUDIT_INTACT_EMPTY = "audit.intact_empty", "audit trail intact: 0 entries"
    AUDIT_MATCHES_HEAD = "audit.matches_head", "matches the head {seq}:{hash:.12}…"
    AUDIT_HOLDS_ANCHOR = (
        "audit.holds_anchor",
        "holds the head anchored at {at} (seq {seq})",
    )
    AUDIT_ANCHORED = "audit.anchored", "head anchored (seq {seq})"
    AUDIT_HEAD_FORMAT = (
        "audit.head_format",
        "{text!r}: write SEQ:HASH, e.g. 42:{example}… (64 hex digits)",
    )
    AUDIT_ACTION_FORM = (
        "audit.action_form",
        "audit: action {action!r} is not a lower-case dotted verb like 'run.started'",
    )
    AUDIT_NO_ACTOR = "audit.no_actor", "audit: say who did it (actor)"
    AUDIT_NO_OBJECT_TYPE = (
        "audit.no_object_type",
        "audit: say what kind of object changed (object_type)",
    )
    AUDIT_STATE_NOT_MAPPING = (
        "audit.state_not_mapping",
        "audit: {name} must be a mapping or None, not {type}",
    )
    AUDIT_STATE_NOT_JSON = "audit.state_not_json", "audit: {name} is not JSON-able: {error}"
    AUDIT_STATE_TOO_DEEP = "audit.state_too_deep", "audit: before/after nested too deep"
    # a query or path parameter the route refuses before looking anything up (web/app.py)
    FIELD_RANGE = "field.range", "{field}: a number from {min} to {max}"
    FIELD_NUMBER = "field.number", "{field}: a number"
    FIELD_INTEGER = "field.integer", "{field}: a whole number"
    FIELD_BOOLEAN = "field.boolean", "{field}: true or false"
    FIELD_REQUIRED = "field.required", "{field}: required"
    # a JSON body the framework refuses before a use case sees it (web/deps.py body_refusal)
    BODY_NOT_OBJECT = "body.not_object", "the body must be a JSON object"
    FIELD_UNKNOWN = "field.unknown", "{field}: not a field of this request"
    FIELD_STRING = "field.string", "{field}: a text"
    FIELD_LIST = "field.list", "{field}: a list"
    FIELD_CHOICE = "field.choice", "{field}: one of {choices}"
    FIELD_INVALID = "field.invalid", "{field}: not a value this request accepts"
    # a list's filters in its URL (web/listing.py): a date, a date range
    FIELD_DATE = "field.date", "{field}: a date, YYYY-MM-DD"
    FIELD_DATE_ORDER = (
        "field.date_order",
        "the dates are the wrong way round: {first} is after {last}",
    )
    # the API's strict JSON body reader (web/body.py) and the paths and methods it has (web/app.py)
    BODY_TOO_LARGE = "body.too_large", "body larger than {max} bytes"
    BODY_TOO_DEEP = "body.too_deep", "the body is nested too deeply: at most {max} levels"
    API_NO_PATH = "api.no_path", "no such path in the API: {path}"
    API_METHOD = "api.method", "{method} is not allowed on this path: use {allowed}"
    PAGE_NO_PATH = "page.no_path", "there is no page at {path}"

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

    # a treatment log (CSV) that cannot be read (formats/csvlog.py LogError): the problem; the
    # place before it is LOG_AT_LINE, or the file alone
    LOG_AT_LINE = "log.at_line", "{file}, line {line}"
    LOG_UNREADABLE = "log.unreadable", "cannot read the file ({error})"
    LOG_NOT_UTF8 = "log.not_utf8", "not UTF-8 text"
    LOG_NOT_CSV = "log.not_csv", "not CSV: {error}"
    LOG_EMPTY = "log.empty", "empty file: expected a header row starting with 'timestamp'"
    LOG_NO_TIMESTAMP = (
        "log.no_timestamp",
        "no timestamp column: the first column is {first!r}",
    )
    LOG_COLUMN_NOT_PROBE = (
        "log.column_not_probe",
        "column {column}: {cell!r} is not a probe (write C1[product])",
    )
    LOG_COLUMN_TIMESTAMP = "log.column_timestamp", "column {column}: a second timestamp column"
    LOG_COLUMN_ROLE = (
        "log.column_role",
        "column {column}: unknown role {role!r} (one of {roles})",
    )
    LOG_PROBE_TWICE = (
        "log.probe_twice",
        "probe {probe} appears twice (columns {first} and {second})",
    )
    LOG_WIDE_CELLS = "log.wide_cells", "{cells} cells, but the header has {width}"
    LOG_LONG_CELLS = "log.long_cells", "{cells} cells, but the long form has 4"
    LOG_NOT_PROBE_ID = "log.not_probe_id", "{cell!r} is not a probe id"
    LOG_ROLE = "log.role", "unknown role {role!r} (one of {roles})"
    LOG_ROLE_CHANGES = "log.role_changes", "probe {probe} is {known} elsewhere, {role} here"
    LOG_DIFFERENT_READING = (
        "log.different_reading",
        "{probe} has a different reading at the same time as line {first_line}",
    )
    LOG_TIMESTAMP = "log.timestamp", "unparseable timestamp {text!r}"
    LOG_TIMESTAMP_FINER = (
        "log.timestamp_finer",
        "unparseable timestamp {text!r} (finer than a microsecond)",
    )
    LOG_TIMESTAMP_FRACTION = (
        "log.timestamp_fraction",
        "unparseable timestamp {text!r} (a decimal fraction is allowed on the seconds only)",
    )
    LOG_TIMESTAMP_YEARS = (
        "log.timestamp_years",
        "unparseable timestamp {text!r} (outside the years {first} to {last})",
    )
    LOG_TIMESTAMP_OFFSET_RANGE = (
        "log.timestamp_offset_range",
        "unparseable timestamp {text!r} (the UTC offset is out of range (-23:59 to +23:59))",
    )

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
    FORM_WHOLE_NUMBER = (
        "form.whole_number",
        "{field}: a whole number from {min} to {max}, or nothing",
    )

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
    # how far judgement went, apart from the log's extent (the log may go on after a verdict)
    CLI_JUDGED_WHOLE = "cli.judged_whole", "{count} sample times, {first} … {last}: the whole log"
    CLI_JUDGED_DECIDED = (
        "cli.judged_decided",
        "{count} sample times, {first} … {last}: the verdict was decided there; "
        "the rest of the log, to {end}, was not needed",
    )
    CLI_JUDGED_NONE = "cli.judged_none", "no sample time with a reading of the judged role"
    # a criterion of a schedule of several (vapour heat), said in words rather than by its key
    CLI_EVAL_HOLD = "cli.eval_hold", "{role} {sign} {threshold} for {duration}"
    CLI_EVAL_THROUGHOUT = (
        "cli.eval_throughout",
        "{role} {sign} {threshold} throughout the {during} hold",
    )
    CLI_EVAL_RAMP = (
        "cli.eval_ramp",
        "{role} takes at least {duration} from its first reading to reach {target}",
    )
    # the CLI's own argument checks ({option} is the option's name, said by the CLI alone)
    CLI_PAIR_FORM = "cli.pair_form", "{option} {item!r}: write NAME=VALUE"
    CLI_PAIR_TWICE = "cli.pair_twice", "{option} {name} given twice"
    CLI_NOT_A_NUMBER = "cli.not_a_number", "{option} {probe}={text}: not a number"
    CLI_OFFSET_IMPLAUSIBLE = (
        "cli.offset_implausible",
        "{option} {probe}={text}: not a plausible calibration offset (at most ±{limit})",
    )
    CLI_ARGS_REQUIRED = (
        "cli.args_required",
        "the following arguments are required: {names} (see {command} --help)",
    )
    CLI_ARGS_UNKNOWN = "cli.args_unknown", "unrecognized arguments: {names} (see {command} --help)"
    CLI_ARG_CHOICE = (
        "cli.arg_choice",
        "{option} {value!r}: one of {choices} (see {command} --help)",
    )
    CLI_ARG_AMBIGUOUS = (
        "cli.arg_ambiguous",
        "{option} could be {options}: write it in full (see {command} --help)",
    )
    CLI_ARG_NEEDS_VALUE = "cli.arg_needs_value", "{option} needs a value (see {command} --help)"
    CLI_ARG_NO_VALUE = "cli.arg_no_value", "{option} takes no value (see {command} --help)"
    CLI_ARG_OTHER = "cli.arg_other", "{problem} (see {command} --help)"
    # what `schedules show` says of a schedule beyond its labels (cli/schedules_cmds.py)
    CLI_PARAM_LABEL = "cli.param_label", "param {name}"
    CLI_TOLERANCE = (
        "cli.tolerance",
        "≥ {lower} °C; first {grace} free; band budget by param",
    )
    CLI_PRECONDITION = "cli.precondition", "{role} ≥ {threshold} °C at the first sample"
    CLI_CRITERION_HOLD = "cli.criterion_hold", "{key}: {role} {steps} (min {probes} probes)"
    CLI_CRITERION_THROUGHOUT = (
        "cli.criterion_throughout",
        "{key}: {role} {sign} {threshold} {unit} throughout the {during} hold",
    )
    CLI_CRITERION_RAMP = (
        "cli.criterion_ramp",
        "{key}: {role} takes ≥ {duration} from its first reading to reach {target} {unit}",
    )
    # the audit commands (cli/audit_cmds.py)
    CLI_NO_TIME = "cli.no_time", "(no time)"
    CLI_TIME_RAW = "cli.time_raw", "(time {instant})"
    CLI_AUDIT_UNREADABLE = "cli.audit_unreadable", "cannot read the audit trail: {error}"
    CLI_AUDIT_NO_HEAD = "cli.audit_no_head", "the audit trail is empty: no head to keep yet"
    CLI_AUDIT_HEAD = (
        "cli.audit_head",
        "head of the audit trail, recorded {at}; keep this line outside the database and check "
        "it later with `{command}`:",
    )
    CLI_OBJECT_FORM = (
        "cli.object_form",
        "{option} {value!r}: write TYPE or TYPE:ID, e.g. {example}",
    )
    CLI_AUDIT_NONE = "cli.audit_none", "no audit entries"
    CLI_AUDIT_NONE_FOR = "cli.audit_none_for", "no audit entries for {object}"
    CLI_AUDIT_WAS = "cli.audit_was", "was: {state}"
    # what the other commands say (cli/*_cmds.py, *_cmd.py, options.py); {option} and
    # {command} are the CLI's own names, said by the CLI alone
    CLI_PASSWORD_STDIN_EMPTY = "cli.password_stdin_empty", "{option}: nothing on stdin"
    CLI_NO_TERMINAL = "cli.no_terminal", "no terminal to ask the password on: use {option}"
    CLI_USER_ADDED = "cli.user_added", "user added: {user}"
    CLI_USER_CHANGED = "cli.user_changed", "user changed: {user}"
    CLI_PASSWORD_SET = (
        "cli.password_set",
        "password of {login} set; their sessions have ended, and they must change it at their "
        "next login",
    )
    CLI_OFFICE_ADDED = "cli.office_added", "office added: {office}"
    CLI_OPTION_RANGE = "cli.option_range", "{option}: {least} to {most}"
    CLI_TOKEN_ISSUED = (
        "cli.token_issued",
        "token {token} for {login} (shown once; only its hash is stored):",
    )
    CLI_TOKEN_REVOKED = "cli.token_revoked", "token {token} of {login} revoked"
    CLI_RUN_SIGNED_OFF = "cli.run_signed_off", "run {run}: signed off by {login}"
    CLI_RUN_REJECTED = "cli.run_rejected", "run {run}: rejected by {login}"
    CLI_BACKS_CERTIFICATE = "cli.backs_certificate", "backs a certificate: yes ({reason})"
    CLI_BACKS_NO_CERTIFICATE = "cli.backs_no_certificate", "backs a certificate: no ({reason})"
    CLI_ALARM_ACKNOWLEDGED = "cli.alarm_acknowledged", "alarm {alarm} acknowledged by {by}"
    CLI_ALARM_CLEARED = "cli.alarm_cleared", "alarm {alarm} cleared by {by}"
    # a database URL refused by the storage layer (storage/database.py), as the CLI shows it
    DATABASE_UNSUPPORTED = (
        "database.unsupported",
        "unsupported database {backend!r}: use sqlite or postgresql",
    )
    DATABASE_URL_UNREADABLE = "database.url_unreadable", "could not be read as a database URL"
    DATABASE_MISSING = "database.missing", "the database {database} does not exist"
    CLI_DATABASE_MISSING = (
        "cli.database_missing",
        "the database {database} does not exist; `{command}` creates it",
    )
    CLI_DATABASE_REVISION = "cli.database_revision", "database at revision {revision}"
    # the state columns of ``tokens list`` and ``probes list``
    CLI_TOKEN_EXPIRES = "cli.token_expires", "expires {date}"
    CLI_CALIBRATION_STATE = (
        "cli.calibration_state",
        "offset {offset}, due {due} ({status})",
    )
    CLI_ENTERPRISE_ADDED = (
        "cli.enterprise_added",
        "enterprise {code} added: {name_zh} / {name_en}, {city}",
    )
    CLI_FACILITY_ADDED = "cli.facility_added", "facility {facility} added with probes {probes}"
    CLI_DEVICE_TOKEN = "cli.device_token", "device token (shown once; only its hash is stored):"
    CLI_ONE_OF_TWO = "cli.one_of_two", "say {first} or {second}"
    CLI_TOKEN_ROTATED = (
        "cli.token_rotated",
        "facility {facility}: old tokens revoked, new token issued",
    )
    CLI_TOKENS_REVOKED = "cli.tokens_revoked", "facility {facility}: {count} token(s) revoked"
    CLI_DATE_FORM = (
        "cli.date_form",
        "{option} {value!r}: {error} (write a date such as {example})",
    )
    CLI_NOT_A_DATE = "cli.not_a_date", "not a date"
    CLI_NOT_A_TIME = "cli.not_a_time", "not a time"
    CLI_CALIBRATION_RECORDED = (
        "cli.calibration_recorded",
        "{facility} {probe}: offset {offset} from {calibrated}, due {due}",
    )
    CLI_CALIBRATION_RECORDED_CERT = (
        "cli.calibration_recorded_cert",
        "{facility} {probe}: offset {offset} from {calibrated}, due {due}, "
        "certificate {certificate}",
    )
    CLI_CAMERA_ADDED = "cli.camera_added", "camera {camera} added to {facility}"
    CLI_RUN_STARTED = (
        "cli.run_started",
        "run {run} started on {facility}: {schedule} v{version}, load {load!r}",
    )
    CLI_RUN_NOTE = "cli.run_note", "note: {note}"
    CLI_RUN_CLOSED = "cli.run_closed", "run {run} closed: {verdict}"
    CLI_JUDGE_WITH = "cli.judge_with", "judge it with: {command}"
    CLI_DATABASE_UNREACHABLE = "cli.database_unreachable", "cannot open the database: {error}"
    CLI_DATABASE_NO_ANSWER = "cli.database_no_answer", "no answer"
    CLI_DATABASE_URL_BAD = (
        "cli.database_url_bad",
        "{option} {url}: {error} (write {sqlite} or {postgresql})",
    )
    CLI_MUST_BE_POSITIVE = "cli.must_be_positive", "{first} and {second} must be positive"
    CLI_PORT_IN_USE = "cli.port_in_use", "{error} (is the port in use? try {option} {port})"
    CLI_TOUR_INTRO = (
        "cli.tour_intro",
        "phytowatch judges every treatment run against its official schedule, exactly and line "
        "by line. Here are {n} example logs shipped with the package; each is judged by the "
        "same command you can run on your own logs.",
    )
    CLI_TOUR_OUTRO = (
        "cli.tour_outro",
        "Next: `{list}` lists every schedule, `{show}` prints one in full, `{help}` explains the "
        "log format. The example logs are in {dir}.",
    )
    CLI_EXIT_CODE = "cli.exit_code", "(exit code {code})"
    # a treatment log refused: its place (LOG_AT_LINE, or the file) and its problem, both said
    CLI_LOG_REFUSED = "cli.log_refused", "{place}: {problem}"
    CLI_SERVING = "cli.serving", "{command} serving on {url} (database {database})"
    CLI_MQTT_LISTENING = (
        "cli.mqtt_listening",
        "{command} {worker} on {broker} (database {database})",
    )
    CLI_MQTT_STOPPED = "cli.mqtt_stopped", "{command} {worker} stopped"
    CLI_AT_LEAST = "cli.at_least", "{option} must be at least {least}"
    CLI_MORE_THAN = "cli.more_than", "{option} must be more than {least}"
    CLI_FLEET_ALONE = "cli.fleet_alone", "{option} gives the facilities: no {others}"
    CLI_OPTION_VALUE = "cli.option_value", "{option} {value!r}: {error}"
    CLI_HOST_PORT_FORM = "cli.host_port_form", "{option} {value!r}: write HOST:PORT, e.g. {example}"
    CLI_SIMULATE_AHEAD = (
        "cli.simulate_ahead",
        "warning: faster than real time with no end: device times will run ahead of the "
        "server's clock and be refused as in the future",
    )
    CLI_SIMULATING = (
        "cli.simulating",
        "simulating {n} facilities at {speed}× → {transport} (Ctrl-C stops)",
    )
    # what ``phytowatch demo`` says (demo/run.py): where to look, then what the province does
    DEMO_LIVE = (
        "demo.live",
        "The demo province is live: {enterprises} enterprises in {cities} cities, {facilities} "
        "facilities, {working} of them working load after load (demo time from {start}, "
        "{speed}× faster than real time).",
    )
    DEMO_WALL = (
        "demo.wall",
        "  the wall   {url}   (log in as one of the people below, in a browser)",
    )
    DEMO_API = "demo.api", "  API        {url}   (header: Authorization: Bearer {token})"
    DEMO_ALARMS = "demo.alarms", "  alarms     {url}"
    DEMO_LOGIN = "demo.login", "  log in     {command}"
    DEMO_PEOPLE = (
        "demo.people",
        "  people     (office {office}: the whole province; enterprise {enterprise})",
    )
    DEMO_CLI = "demo.cli", "  CLI        {command}"
    DEMO_STOP = "demo.stop", "  Ctrl-C stops the demo."
    DEMO_STOPPING = "demo.stopping", "stopping the demo…"
    DEMO_ALARM = "demo.alarm", "alarm {alarm} ({severity}) at {facility}, {at}:"
    DEMO_SUMMARY = (
        "demo.summary",
        "demo time {now} · runs: {started} started, {closed} closed ({passed} pass, {failed} "
        "fail among the latest) · open: {holding} holding, {waiting} waiting · "
        "open alarms: {alarms}",
    )
    DEMO_CHAIN = (
        "demo.chain",
        "· consignments: {declared} declared, {documents} released on documents, {inspected} "
        "inspected ({intercepted} intercepted), {returned} returned for correction",
    )
    # the facility simulator (simulate/): its specs refused, then what it says while it runs
    SIM_DURATION_UNIT = "sim.duration_unit", "{text!r}: write a unit (e.g. {bare}m, {bare}s)"
    SIM_NOT_DURATION = (
        "sim.not_duration",
        "{text!r} is not a duration (write e.g. 90m, 2h, 1h30m, 45s)",
    )
    SIM_NOT_FAULT = (
        "sim.not_fault",
        "{option} {text!r}: not a fault (one of {kinds}; e.g. door@90m:10m, stuck:C2@2h, "
        "clock:+3m)",
    )
    SIM_IN_OPTION = "sim.in_option", "{option} {text!r}: {problem}"
    SIM_CLOCK_SIGN = (
        "sim.clock_sign",
        "write the offset with its sign, e.g. clock:+3m or clock:-90s",
    )
    SIM_NAME_PROBE = "sim.name_probe", "name the probe: {kind}:C1@…"
    SIM_WHOLE_FACILITY = (
        "sim.whole_facility",
        "{kind} is for the whole facility, not a probe: {kind}@…",
    )
    SIM_GIVE_START = "sim.give_start", "give the time it starts: …@90m"
    SIM_TOO_MANY_PARTS = "sim.too_many_parts", "too many ':' parts for {kind}"
    SIM_NEEDS_DURATION = (
        "sim.needs_duration",
        "{kind} needs a duration: {kind}@START:DURATION, e.g. @90m:10m",
    )
    SIM_ERROR_CODE = "sim.error_code", "error code {code!r}: 1 to 64 letters, digits, _ . -"
    SIM_PROBE_FORM = (
        "sim.probe_form",
        "{option} {text!r}: write ID:ROLE[:SIZE_MM], ROLE one of {roles}",
    )
    SIM_PROBE_SIZE = (
        "sim.probe_size",
        "{option} {text!r}: the size is millimetres, e.g. C1:product:40",
    )
    SIM_INTERVAL = "sim.interval", "the interval must be at least 1 s"
    SIM_PROBE_TWICE = "sim.probe_twice", "a probe is given twice: {probes}"
    SIM_FAULT_NO_PROBE = "sim.fault_no_probe", "fault {kind}: no probe {probe!r} (probes: {probes})"
    SIM_GIVE_FACILITY = "sim.give_facility", "give the facility code ({option})"
    SIM_GIVE_TOKEN = "sim.give_token", "{facility}: give its device token ({option})"
    SIM_GIVE_PROBES = "sim.give_probes", "{facility}: give its probes ({option} C1:product …)"
    SIM_IN_FACILITY = "sim.in_facility", "{facility}: {problem}"
    SIM_NOT_JSON = "sim.not_json", "{file}: not JSON: {error}"
    SIM_FLEET_LIST = "sim.fleet_list", "{file}: a JSON list of facilities, e.g. {example}"
    SIM_IN_FLEET_ITEM = "sim.in_fleet_item", "{file}, facility {n}: {problem}"
    SIM_GIVEN_TWICE = "sim.given_twice", "{file}: facility {facility} is given twice"
    SIM_ITEM_OBJECT = "sim.item_object", "each facility is a JSON object"
    SIM_UNKNOWN_KEYS = "sim.unknown_keys", "unknown keys {keys} (known: {known})"
    SIM_KEY_TEXT = "sim.key_text", "'{key}' must be a text"
    SIM_KEY_TEXTS = "sim.key_texts", "'{key}' must be a list of texts"
    SIM_KEY_INTERVAL = (
        "sim.key_interval",
        "'interval' must be whole seconds or a duration such as \"1m\"",
    )
    SIM_KEY_SEED = "sim.key_seed", "'seed' must be an integer"
    SIM_KEY_SET_POINT = "sim.key_set_point", "'set_point' must be a number (°C)"
    SIM_FILE_UNREADABLE = "sim.file_unreadable", "{file}: {error}"
    SIM_URL_FORM = "sim.url_form", "{option} {url!r}: write http://HOST:PORT or https://HOST"
    SIM_NO_BROKER = "sim.no_broker", "not connected to the MQTT broker"
    SIM_NO_ANSWER = "sim.no_answer", "no answer on {topic} (published: {published})"
    DEMO_NOT_STARTED = "demo.not_started", "the demo server did not start on port {port}"
    SIM_AT = "sim.at", "{elapsed:>8}  {facility}"
    SIM_STATUS = (
        "sim.status",
        "sent {sent}  accepted {accepted}  duplicates {duplicates}  rejected {rejected}  "
        "buffer {buffer}",
    )
    SIM_OFFLINE = "sim.offline", "OFFLINE"
    SIM_STOPPED = "sim.stopped", "STOPPED"
    SIM_FAULT_BEGINS = "sim.fault_begins", "fault: {kind}{probe} (at {at})"
    SIM_FAULT_BEGINS_FOR = "sim.fault_begins_for", "fault: {kind}{probe} for {span} (at {at})"
    SIM_FAULT_BEGINS_CLOCK = "sim.fault_begins_clock", "fault: clock off by {offset} (at {at})"
    SIM_FAULT_OVER = "sim.fault_over", "fault over: {kind}"
    SIM_FAULT_OVER_BACKLOG = (
        "sim.fault_over_backlog",
        "fault over: {kind}: sending the backlog of {n} readings",
    )
    SIM_REJECTED = "sim.rejected", "rejected: {reason}"
    SIM_DEVICE_STOPPED = "sim.device_stopped", "stopped: {status} {why}"
    SIM_BATCH_REFUSED = "sim.batch_refused", "batch refused, dropped: {status} {why}"
    SIM_RETRY = "sim.retry", "{why}; keeping the buffer, retry in {seconds} s"
    SIM_NETWORK_ERROR = "sim.network_error", "network error ({error})"
    SIM_SUMMARY = (
        "sim.summary",
        "{facility}: {samples} samples; {sent} readings sent in {batches} batches: "
        "{accepted} accepted, {duplicates} duplicates, {rejected} rejected; {retries} "
        "retries; {unsent} left unsent",
    )
    SIM_SUMMARY_REFUSED = (
        "sim.summary_refused",
        "{facility}: {samples} samples; {sent} readings sent in {batches} batches: "
        "{accepted} accepted, {duplicates} duplicates, {rejected} rejected; {retries} "
        "retries; {unsent} left unsent; {refused} refused",
    )
    SIM_DONE = (
        "sim.done",
        "simulate done after {elapsed} simulated: {facilities} facilities, {sent} readings "
        "sent, {unsent} unsent",
    )
    SIM_INTERRUPTED = (
        "sim.interrupted",
        "simulate interrupted after {elapsed} simulated: {facilities} facilities, {sent} "
        "readings sent, {unsent} unsent",
    )
    SCHEDULE_UNKNOWN_KNOWN = (
        "schedule.unknown_known",
        "unknown schedule {schedule!r} (known: {known})",
    )

    # -- the e-supervision chain: official policy (rules/, services/supervision/policy.py) --
    POLICY_FILE_UNREADABLE = "policy_file.unreadable", "{file}: cannot read: {error}"
    POLICY_FILE_JSON = "policy_file.json", "{file}: not valid JSON: {error}"
    POLICY_FILE_TOP = "policy_file.top", "{file}: a policy document must be an object"
    POLICY_FILE_OBJECT = "policy_file.object", "{file}: {field}: must be an object"
    POLICY_FILE_LIST = "policy_file.list", "{file}: {field}: must be a list"
    POLICY_FILE_UNKNOWN = "policy_file.unknown_field", "{file}: {field}: unknown field"
    POLICY_FILE_MISSING = "policy_file.missing", "{file}: {field}: missing"
    POLICY_FILE_TEXT = "policy_file.text", "{file}: {field}: must be a non-empty text"
    POLICY_FILE_STRING = "policy_file.string", "{file}: {field}: {value}: must be a text"
    POLICY_FILE_CHOICE = (
        "policy_file.choice",
        "{file}: {field}: {value}: must be one of {options}",
    )
    POLICY_FILE_KIND = (
        "policy_file.kind",
        "{file}: kind: {value}: expected {expected}",
    )
    POLICY_FILE_VERSION = (
        "policy_file.version",
        "{file}: {field}: {value}: must be a version such as 2026.1 or 2026.1+2",
    )
    POLICY_FILE_CODE = (
        "policy_file.code",
        "{file}: {field}: {value}: must be lower-case letters, digits and dashes",
    )
    POLICY_FILE_TWICE = "policy_file.twice", "{file}: {field}: {value}: given twice"
    POLICY_FILE_HS = "policy_file.hs", "{file}: {field}: {value}: must be an HS code of 6 digits"
    POLICY_FILE_EPPO = (
        "policy_file.eppo",
        "{file}: {field}: {value}: must be an EPPO code (5 or 6 capital letters or digits)",
    )
    POLICY_FILE_BOOL = "policy_file.bool", "{file}: {field}: {value}: must be true or false"
    POLICY_FILE_COUNTRY = (
        "policy_file.country",
        "{file}: {field}: {value}: must be an ISO 3166 alpha-2 code (two capitals) or *",
    )
    POLICY_FILE_PRODUCT = (
        "policy_file.product",
        "{file}: {field}: {value}: no such product in the products document (or *)",
    )
    POLICY_FILE_SCHEDULE = (
        "policy_file.schedule",
        "{file}: {field}: {value}: no such schedule (known: {known})",
    )
    POLICY_FILE_RATIO = (
        "policy_file.ratio",
        '{file}: {field}: {value}: must be a decimal text from 0 to 1, such as "0.05"',
    )
    POLICY_FILE_INTEGER = (
        "policy_file.integer",
        "{file}: {field}: {value}: must be a whole number from {low} to {high}",
    )
    POLICY_FILE_SCHEME = (
        "policy_file.scheme",
        "{file}: {field}: {value}: no such classification scheme (known: {known})",
    )
    POLICY_FILE_CLASS = (
        "policy_file.class",
        "{file}: {field}: {value}: not a class of the scheme {scheme} ({classes})",
    )
    POLICY_FILE_CELL_MISSING = (
        "policy_file.cell_missing",
        "{file}: {field}: missing: the matrix must give a mode for every class and risk",
    )
    POLICY_FILE_RATIO_MISSING = (
        "policy_file.ratio_missing",
        "{file}: {field}: missing: every supervision mode needs a ratio",
    )
    POLICY_FILE_THRESHOLD = (
        "policy_file.threshold",
        "{file}: {field}: a downgrade (steps > 0) takes at_least, an upgrade (steps < 0) at_most",
    )
    POLICY_FILE_EMPTY = "policy_file.empty", "{file}: {field}: must not be empty"
    POLICY_FILE_NAMES = (
        "policy_file.names",
        "{file}: {field}: must be [English, Chinese], two non-empty texts",
    )
    POLICY_FILE_NO_KIND = (
        "policy_file.no_kind",
        "{file}: kind: {value}: must be one of {options}",
    )
    POLICY_FILE_TOO_LARGE = (
        "policy_file.too_large",
        "{file}: {field}: more than {limit} entries",
    )
    POLICY_FILE_LOCODE = (
        "policy_file.locode",
        "{file}: {field}: {value}: must be a UN/LOCODE: two letters of the country and three "
        "letters or digits, such as CNXMN",
    )
    POLICY_FILE_OFFICE = (
        "policy_file.office",
        "{file}: {field}: {value}: must be an office code (letters, digits, _ . -) or empty",
    )
    POLICY_FILE_PERCENT = (
        "policy_file.percent",
        '{file}: {field}: {value}: must be a decimal text from 0 to 100, such as "10"',
    )
    POLICY_FILE_NOT_NUMERIC = (
        "policy_file.not_numeric",
        "{file}: {field}: {value}: applies only to a number ({fields})",
    )
    POLICY_NOTE_MISSING = "policy.note_missing", "a note saying why the policy changes is required"
    POLICY_WRITE_ONLY = "policy.write_only", "only an administrator may edit official policy"
    POLICY_UNCHANGED = (
        "policy.unchanged",
        "the {kind} document is the same as the one in force (version {version})",
    )
    POLICY_NO_VERSION = "not_found.policy_version", "no version {version} of the {kind} document"
    POLICY_NO_KIND = "not_found.policy_kind", "no policy document {kind!r}"
    POLICY_EDITED = (
        "policy.edited",
        "{kind} document: version {version} in force",
    )
    POLICY_FILE_OK = "policy_file.ok", "{file}: valid ({kind} {version})"

    # -- the e-supervision chain: classification and raw-material bases --
    CLASSIFICATION_ADMIN_ONLY = (
        "classification.admin_only",
        "only an administrator may change an enterprise's class or decide a proposal",
    )
    CLASSIFICATION_CLASS = (
        "classification.class",
        "{field}: {klass!r} is not a class of the scheme {scheme} ({classes})",
    )
    NO_PROPOSAL = "not_found.proposal", "no classification proposal {proposal}"
    PROPOSAL_DECIDED = "classification.decided", "proposal {proposal} is {state} already"
    PROPOSAL_RACE = "classification.race", "proposal {proposal} was decided by someone else first"
    PROPOSAL_STALE = (
        "classification.stale",
        "proposal {proposal}: {enterprise!r} is no longer in class {klass} (now {current})",
    )
    CLASSIFICATION_UNKNOWN_MEASURE = (
        "classification.unknown_measure",
        "{measure}: not counted by any store: its rules propose nothing",
    )
    CLASSIFICATION_PROPOSED = "classification.proposed", "{count} new proposals"
    NO_BASE = "not_found.base", "no raw-material base {base!r}"
    BASES_FORBIDDEN = (
        "bases.forbidden",
        "only an inspector of the office or an administrator may change a raw-material base",
    )
    BASE_NUMBER = (
        "bases.number",
        "{field}: {number!r}: 1 to 32 letters, digits, '-', '_', '.' or '/'",
    )
    BASE_PRODUCT = "bases.product", "{field}: {product!r} is not a product of the catalogue"
    BASE_EXISTS = "bases.exists", "a raw-material base {base!r} is registered already"
    BASE_STATUS_ALREADY = "bases.status_already", "raw-material base {base!r} is {status} already"
    STANDING_SET = (
        "classification.set",
        "{enterprise}: class {klass}, e-supervised {e_supervised}, key list {key_list}",
    )
    BASE_DONE = "bases.done", "raw-material base {base}: {status}"

    # -- the e-supervision chain: declarations (step 1) --
    DECL_REFUSED = (
        "declaration.refused",
        "the declaration is refused: {count} field(s) to correct",
    )
    DECL_TOO_LONG = "declaration.too_long", "{field}: at most {max} characters"
    DECL_WRONG_TYPE = "declaration.wrong_type", "{field}: {expected} expected"
    DECL_UNKNOWN_FIELD = "declaration.unknown_field", "{field}: not a field of a declaration"
    DECL_NO_LINES = "declaration.no_lines", "{field}: at least one line"
    DECL_TOO_MANY = "declaration.too_many", "{field}: at most {max}"
    DECL_PRODUCT = "declaration.product", "{field}: no product {value!r} in the catalogue"
    DECL_QUANTITY = (
        "declaration.quantity",
        "{field}: a quantity above 0 with at most 3 decimal places, not {value!r}",
    )
    DECL_UNIT = "declaration.unit", "{field}: {value!r} is not a unit ({units})"
    DECL_PACKAGES = (
        "declaration.packages",
        "{field}: a whole number of packages, at least 1, not {value!r}",
    )
    DECL_COUNTRY = (
        "declaration.country",
        "{field}: {value!r} is not an ISO 3166-1 country code (two letters, e.g. US)",
    )
    DECL_LOCODE = (
        "declaration.locode",
        "{field}: {value!r} is not a UN/LOCODE (a country code and 3 characters, e.g. CNSHA)",
    )
    DECL_CONTAINER = (
        "declaration.container",
        "{field}: {value!r} is not an ISO 6346 container number (e.g. CSQU3054383)",
    )
    DECL_CONTAINER_CHECK = (
        "declaration.container_check",
        "{field}: the check digit of {value!r} is wrong (ISO 6346 gives {digit})",
    )
    DECL_TWICE = "declaration.twice", "{field}: {value!r} is given twice"
    DECL_NO_BASE = "declaration.no_base", "{field}: no base {value!r} registered"
    DECL_NO_RUN = "declaration.no_run", "{field}: no run {run}"
    DECL_RUN_OPEN = "declaration.run_open", "{field}: run {run} is not closed"
    DECL_RUN_NOT_PASS = (
        "declaration.run_not_pass",
        "{field}: run {run} did not pass ({verdict})",
    )
    DECL_RUN_NOT_SIGNED = (
        "declaration.run_not_signed",
        "{field}: run {run} is not signed off by an inspector",
    )
    DECL_REQUIREMENT_UNMET = (
        "declaration.requirement_unmet",
        "{field}: {product} to {destination} asks for a treatment under {schedules}; no linked "
        "run meets it, so the consignment will be inspected",
    )
    DECL_CSV_NOT_UTF8 = "declaration.csv_not_utf8", "the CSV of lines is not UTF-8 text"
    DECL_CSV_NO_HEADER = (
        "declaration.csv_no_header",
        "the CSV of lines has no header (first line: {columns})",
    )
    DECL_CSV_COLUMN = (
        "declaration.csv_column",
        "{field}: column {column!r} is not one of {columns}",
    )
    DECL_CSV_MISSING = "declaration.csv_missing", "{field}: column {column!r} is missing"
    DECL_CSV_CELLS = (
        "declaration.csv_cells",
        "{field}: {count} cells where the header has {expected}",
    )
    DECL_CSV_BROKEN = "declaration.csv_broken", "{field}: not readable as CSV"
    DECL_DECLARANT_ONLY = (
        "declaration.declarant_only",
        "only an enterprise declarant declares, for the enterprise's own consignments",
    )
    DECL_NOT_DRAFT = (
        "declaration.not_draft",
        "consignment {number} is {state}: only a draft or a returned one is edited",
    )
    DECL_CANNOT_SUBMIT = (
        "declaration.cannot_submit",
        "consignment {number} is {state}: it cannot be submitted",
    )
    DECL_CANNOT_WITHDRAW = (
        "declaration.cannot_withdraw",
        "consignment {number} is {state}: it cannot be withdrawn",
    )
    DECL_RACE = (
        "declaration.race",
        "consignment {number} was changed meanwhile: reload it and try again",
    )
    DECL_REASON = "declaration.reason", "{reason}"
    DECL_COPIED = "declaration.copied", "copied from {number}"
    DECL_VERSION = "declaration.version", "version {version}"
    CLI_CONSIGNMENT_DRAFTED = "cli.consignment_drafted", "{number}: draft saved (id {id})"
    CLI_CONSIGNMENT_SUBMITTED = (
        "cli.consignment_submitted",
        "{number}: submitted, version {version} ({state})",
    )
    CLI_CONSIGNMENT_FILE = "cli.consignment_file", "cannot read {path}: {error}"
    CLI_CONSIGNMENT_JSON = (
        "cli.consignment_json",
        "{file}: not valid JSON (line {line}, column {column}): {error}",
    )
    CLI_CONSIGNMENT_NO_NUMBER = "cli.consignment_no_number", "no consignment numbered {number}"
    NO_CONSIGNMENT = "not_found.consignment", "no consignment {consignment}"
    NO_DECLARATION_VERSION = (
        "not_found.declaration_version",
        "no version {version} of consignment {consignment}",
    )

    # -- the e-supervision chain: routing (step 2) and conformity assessment (step 3) --
    # the reasons of a route (domain/supervision/routing.py), in the order they are said
    ROUTE_NOT_CLASSIFIED = (
        "route.not_classified",
        "the enterprise is not classified: treated as class {klass}, the lowest",
    )
    ROUTE_PRODUCT_UNKNOWN = (
        "route.product_unknown",
        "{product} is not in the product catalogue: treated as high risk",
    )
    ROUTE_CELL = (
        "route.cell",
        "class {klass} × {risk} risk → {mode} supervision ({percent} % inspected)",
    )
    ROUTE_KEY_LIST = (
        "route.key_list",
        "the enterprise is on the key list: every consignment is inspected",
    )
    ROUTE_NOT_E_SUPERVISED = (
        "route.not_e_supervised",
        "the enterprise is not under e-supervision: every consignment is inspected",
    )
    ROUTE_REQUIREMENT_NOT_MET = (
        "route.requirement_not_met",
        "{destination} requires a treatment under {schedules} for {product}: "
        "no linked run meets it",
    )
    ROUTE_RUN_FINDINGS = (
        "route.run_findings",
        "treatment run {run} has findings an inspector must look at",
    )
    ROUTE_BASE_SUSPENDED = "route.base_suspended", "raw-material base {base} is suspended"
    ROUTE_BASE_UNKNOWN = "route.base_unknown", "raw-material base {base} is not registered"
    ROUTE_INSPECTED_BEFORE = (
        "route.inspected_before",
        "an earlier version was routed to inspect: a correction stays inspected",
    )
    ROUTE_INSPECTION_OWED = (
        "route.inspection_owed",
        "an inspection is owed: consignment {number} of the same goods and destination was "
        "withdrawn after it was routed to inspect",
    )
    ROUTE_DRAW_MOOT = (
        "route.draw_moot",
        "drawn {draw}, not used: a rule that always inspects applies",
    )
    ROUTE_DRAW_INSPECT = "route.draw_inspect", "drawn {draw} < {ratio}: inspect (sampled)"
    ROUTE_DRAW_DOCUMENTS = (
        "route.draw_documents",
        "drawn {draw} ≥ {ratio}: released on documents",
    )
    ROUTE_REDRAW_MATCHES = (
        "route.redraw_matches",
        "consignment {number} version {version}: recomputed draw {draw} and outcome {outcome} "
        "match the record",
    )
    ROUTE_REDRAW_DIFFERS = (
        "route.redraw_differs",
        "consignment {number} version {version}: recorded draw {recorded} → {outcome}, "
        "recomputed {draw} → {recomputed}: they differ",
    )
    # what the timeline says of a route and an assessment (stored as its entry's detail)
    ROUTE_TIMELINE = "route.timeline", "routed: {outcome}, {mode} supervision"
    ASSESSED_INSPECTION = "assessment.inspection", "inspected: {conformity}"
    ASSESSED_INSPECTION_DISPOSAL = (
        "assessment.inspection_disposal",
        "inspected: {conformity}, {disposal}",
    )
    ROUTE_NONE = "route.none", "consignment {consignment} has not been routed"
    ROUTE_NO_NUMBER = "route.no_number", "no consignment {number}"
    # a documents assessment (services/supervision/routing.py): what it rests on
    ASSESSED_ON_DOCUMENTS = (
        "assessment.on_documents",
        "assessed on documents: {runs} signed-off run(s), {bases} valid base(s)",
    )
    # refusals of an assessment (domain/supervision/assessment.py, services/…/assessment.py)
    ASSESS_INSPECTOR_ONLY = (
        "assessment.inspector_only",
        "only an inspector of an office covering the enterprise may assess a consignment",
    )
    ASSESS_STATE = (
        "assessment.state",
        "consignment {consignment} is {state}: it cannot be {action} now",
    )
    ASSESS_NOT_INSPECT = (
        "assessment.not_inspect",
        "consignment {consignment} was released on documents: there is no inspection to record",
    )
    ASSESS_DISPOSAL_NEEDED = (
        "assessment.disposal_needed",
        "{field}: a not-conforming decision needs a disposal",
    )
    ASSESS_DISPOSAL_UNWANTED = (
        "assessment.disposal_unwanted",
        "{field}: a conforming consignment has no disposal",
    )
    ASSESS_INTERCEPTION_COMMENT = (
        "assessment.interception_comment",
        "{field}: a pest was intercepted: say why the consignment still conforms "
        "(e.g. not a quarantine pest of the destination)",
    )
    ASSESS_RACE = (
        "assessment.race",
        "consignment {consignment} was moved on by someone else first: reload it",
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

    # -- step 4, certificates: the lifecycle, numbers, keys --
    CERT_NOT_FOUND = (
        "not_found.certificate",
        "no certificate {certificate}",
    )
    CERT_APPLICANT_ONLY = (
        "certificate.applicant_only",
        "only a declarant of the certificate's enterprise may apply for, edit or submit "
        "a certificate",
    )
    CERT_CERTIFIER_ONLY = (
        "certificate.certifier_only",
        "only a certifying officer of office {office}, which covers the enterprise, may do this",
    )
    CERT_STATE = (
        "certificate.state",
        "certificate {certificate} is {state}: it cannot be {action} now",
    )
    CERT_COUNTRY = (
        "certificate.country",
        "{field}: a country code of two letters (ISO 3166-1), such as CN",
    )
    CERT_FIELD_FIXED = (
        "certificate.field_fixed",
        "{field}: filled from the declaration and the treatment runs, it cannot be "
        "edited here (correct the declaration)",
    )
    CERT_NOT_CERTIFIABLE = (
        "certificate.not_certifiable",
        "consignment {consignment} is {state}: a certificate needs a consignment "
        "assessed conforming",
    )
    CERT_NO_TREATMENT = (
        "certificate.no_treatment",
        "consignment {consignment} has no signed-off passed treatment run: there is no "
        "treatment to certify",
    )
    CERT_NO_OFFICE = (
        "certificate.no_office",
        "no office covers enterprise {enterprise}: an administrator must set one up "
        "before certificates can be issued",
    )
    CERT_REPLACEMENT_PENDING = (
        "certificate.replacement_pending",
        "certificate {certificate} already has a replacement in progress ({replacement})",
    )
    CERT_REPLACED_BY = (
        "certificate.replaced_by",
        "replaced by certificate {number}",
    )
    CERT_ISSUED_AS = (
        "certificate.issued_as",
        "certificate {number} issued",
    )
    CERT_PRINT_FORBIDDEN = (
        "certificate.print_forbidden",
        "you may not print certificates",
    )
    CERT_NO_KEY = (
        "certificate.no_key",
        "office {office} has no signing key: an administrator creates one with: {command}",
    )
    CERT_KEY_LOCKED = (
        "certificate.key_locked",
        "the signing key {key} of office {office} cannot be opened: check the signing "
        "passphrase (PHYTOWATCH_SIGNING_PASSPHRASE)",
    )
    CERT_NUMBER_TOO_LONG = (
        "certificate.number_too_long",
        "the number {number} is longer than {max} characters: shorten the office's "
        "numbering pattern",
    )
    CERT_ADMIN_ONLY = (
        "certificate.admin_only",
        "only an administrator may manage office keys and numbering patterns",
    )
    CERT_PATTERN_BETWEEN = (
        "certificate.pattern_between",
        "pattern {pattern}: only letters, digits, '-', '/' and '.' may stand between the fields",
    )
    CERT_PATTERN_FIELD = (
        "certificate.pattern_field",
        "pattern: unknown field {{{field}}}: use {{office}}, {{yy}}, {{yyyy}}, {{kind}} "
        "and {{seq}}",
    )
    CERT_PATTERN_WIDTH = (
        "certificate.pattern_width",
        "pattern: only {{seq}} takes a width (as {{seq:06d}}), not {{{field}}}",
    )
    CERT_PATTERN_NEEDS = (
        "certificate.pattern_needs",
        "pattern: name {{{field}}} exactly once (the office, the year as {{yy}} or "
        "{{yyyy}}, and the sequence are needed)",
    )
    CERT_KEY_CREATED = (
        "certificate.key_created",
        "office {office}: key {key} created; it signs from now on",
    )
    CERT_PATTERN_SHOW = (
        "certificate.pattern_show",
        "office {office}: numbers follow {pattern} (e.g. {example})",
    )
    CERT_NO_NUMBER = "certificate.no_number", "no issued certificate {number}"
    CERT_PATTERN_SET = (
        "certificate.pattern_set",
        "office {office}: numbers follow {pattern} from now on (next: {example})",
    )

    CERT_LIST_EMPTY = (
        "certificate.list_empty",
        "no certificate matches (none in this database, or none with these filters)",
    )
    # -- step 4, certificates: pages and forms --
    CERT_PAGE_REASON_NEEDED = "certificate_page.reason_needed", "{field}: say why"
    CERT_PAGE_NOT_EDITABLE = (
        "certificate_page.not_editable",
        "certificate {certificate} is {state}: only a draft or a returned one is edited",
    )

    # -- step 4, certificates: the printed certificate, QR, public verification --
    # the QR code's text and its offline check (domain/certificates/qr_text.py,
    # services/certificates/offline.py)
    QR_NOT_OURS = (
        "qr.not_ours",
        "this is not the QR code of a certificate (no verification address)",
    )
    QR_NO_PAYLOAD = (
        "qr.no_payload",
        "the QR code carries no signed payload: only the online check can tell",
    )
    QR_BAD_PAYLOAD = "qr.bad_payload", "the QR code's signed payload is damaged or altered"
    QR_BAD_KEY = (
        "qr.bad_key",
        "not an Ed25519 public key or an X.509 certificate of one (PEM)",
    )
    QR_KEY_FILE = "qr.key_file", "cannot read the key file {path}"
    QR_KEY_UNKNOWN = (
        "qr.key_unknown",
        "signed by key {key}, which is not among the keys given: NOT verified",
    )
    QR_SIGNATURE_BAD = (
        "qr.signature_bad",
        "the signature does not match the content (key {key}): NOT genuine, or altered",
    )
    QR_GENUINE = (
        "qr.genuine",
        "genuine and unaltered: certificate {number}, signed by key {key}",
    )
    QR_UNREADABLE = "qr.unreadable", "no QR code could be read in {path}"
    QR_IMAGE = "qr.image", "cannot read the image {path}"
    QR_IMAGE_OR_TEXT = "qr.image_or_text", "give an image of the QR code or its text (one of them)"
    QR_NEED_KEY = "qr.need_key", "give the office's public key (PEM, from {address})"
    QR_ONLINE_ADDS = (
        "qr.online_adds",
        "only the online check can say whether it was cancelled or replaced since: open {address}",
    )
    # the printed certificate (printing/)
    PRINT_FONT_MISSING = (
        "print.font_missing",
        "the certificate font {font} is missing: run `make assets`",
    )
    PRINT_NOT_ISSUED = (
        "print.not_issued",
        "certificate {certificate} is {state}: only an issued certificate is printed",
    )
    PRINT_NO_PREVIEW = (
        "print.no_preview",
        "certificate {certificate} is issued: print it (a draft preview is for what is not)",
    )
    # the public verification (web/pages/certificates/verify.py)
    VERIFY_NOT_FOUND = (
        "verify.not_found",
        "no certificate matches: check the number and the check code as printed",
    )
    VERIFY_TOO_MANY = (
        "verify.too_many",
        "too many checks from your address: try again in {seconds} s",
    )
    VERIFY_FORM = "verify.form", "enter the certificate's number and its check code"

    # -- step 4, IPPC ePhyto: export, validate, import --
    EPHYTO_TOO_LARGE = (
        "ephyto.too_large",
        "the document is {size} bytes: an ePhyto of at most {max} bytes is read",
    )
    EPHYTO_EMPTY = "ephyto.empty", "the document is empty"
    EPHYTO_DOCTYPE = (
        "ephyto.doctype",
        "a document type (DOCTYPE) or entity declaration is refused: an ePhyto has none",
    )
    EPHYTO_NOT_XML = "ephyto.not_xml", "not well-formed XML: line {line}: {detail}"
    EPHYTO_NOT_EPHYTO = (
        "ephyto.not_ephyto",
        "the root element {element} is not an SPSCertificate, an ePhyto envelope or a SOAP "
        "message delivering one",
    )
    EPHYTO_INVALID = "ephyto.invalid", "line {line}: element '{element}': {detail}"
    EPHYTO_INVALID_FILE = "ephyto.invalid_file", "{file}:{line}: element '{element}': {detail}"
    EPHYTO_REFUSED_FILE = "ephyto.refused_file", "{file}: {reason}"
    EPHYTO_VALID_FILE = "ephyto.valid_file", "{file}: valid ({kind})"
    EPHYTO_FILE_UNREADABLE = "ephyto.file_unreadable", "{file}: cannot be read: {error}"
    EPHYTO_FILE_UNWRITABLE = "ephyto.file_unwritable", "{file}: cannot be written: {error}"
    EPHYTO_TREATMENT_CERTIFICATE = (
        "ephyto.treatment_certificate",
        "a treatment certificate is not exchanged as ePhyto: only phytosanitary (851) and "
        "re-export (657) certificates are",
    )
    EPHYTO_NOT_ISSUED = (
        "ephyto.not_issued",
        "certificate {certificate} is {state}: only an issued or cancelled certificate is "
        "exported as ePhyto",
    )
    EPHYTO_NO_LINES = (
        "ephyto.no_lines",
        "certificate {certificate} certifies no line of produce: an ePhyto needs one",
    )
    EPHYTO_NOT_XML_TEXT = (
        "ephyto.not_xml_text",
        "the certificate holds a character XML cannot carry (a control character)",
    )
    EPHYTO_EXPORT_INVALID = (
        "ephyto.export_invalid",
        "the exported document does not validate: line {line}: element '{element}': {detail}",
    )
    EPHYTO_NO_RECEIVED = "ephyto.no_received", "no received ePhyto {received}"
    EPHYTO_NO_CERTIFICATE = "ephyto.no_certificate", "no issued certificate {certificate}"
    EPHYTO_IMPORTED = (
        "ephyto.imported",
        "imported as received ePhyto {received}: certificate {number} from {country}",
    )
    EPHYTO_KNOWN = (
        "ephyto.known",
        "this document was imported already, as received ePhyto {received}: not stored again",
    )
    EPHYTO_IMPORTER_ONLY = (
        "ephyto.importer_only",
        "only a port officer, an inspector or a certifying officer imports a received ePhyto",
    )
    EPHYTO_NO_FILE = "ephyto.no_file", "choose an ePhyto XML file to import"
    EPHYTO_NOT_UPLOAD = (
        "ephyto.not_upload",
        "send the file as a form upload (multipart/form-data) or as the XML body",
    )
    EPHYTO_EXPORTED = "ephyto.exported", "{file}: certificate {number} written ({kind})"

    # -- step 4, the IPPC mark for wood packaging --
    MARK_RUN_OPEN = "mark.run_open", "run {run} is still open: no mark before it is closed"
    MARK_NOT_PASS = "mark.not_pass", "run {run} is {verdict}: only a PASS run can back the mark"
    MARK_REJECTED = (
        "mark.rejected",
        "run {run} was rejected by an inspector: it cannot back the mark",
    )
    MARK_NOT_SIGNED_OFF = (
        "mark.not_signed_off",
        "run {run} is not signed off yet: only a signed-off run can back the mark",
    )
    MARK_SCHEDULE = (
        "mark.schedule",
        "run {run} ran under {schedule}, which is not an ISPM 15 treatment of wood packaging",
    )
    MARK_METHOD = (
        "mark.method",
        "schedule {schedule} is a {method} treatment: it cannot back a {wanted} mark",
    )
    MARK_NOT_REGISTERED = (
        "mark.not_registered",
        "facility {facility} is not registered for wood-packaging treatment with a treater number",
    )
    MARK_TREATER_NUMBER = (
        "mark.treater_number",
        "facility {facility}: treater number {number} is not the 3 digits a mark prints",
    )
    MARK_NO_BUREAU_CODE = "mark.no_bureau_code", "no bureau code for office {office}"
    MARK_QUANTITY = "mark.quantity", "{field}: a number above 0, at most {max}, 3 decimals at most"
    MARK_INSPECTOR_ONLY = (
        "mark.inspector_only",
        "only an inspector of an office covering the enterprise may authorise the mark",
    )
    MARK_METHOD_CHOICE = "mark.method_choice", "method: one of {choices}"
    NO_MARK = "not_found.mark", "no mark authorisation {number}"
    MARK_VERIFY_NONE = (
        "mark.verify_none",
        "no mark authorisation has this number and check code (or this address)",
    )
    MARK_VERIFY_ASK = "mark.verify_ask", "give the number and the check code, or the token"
    MARK_AUTHORISED = "mark.authorised", "mark authorised: {number} ({mark})"
    MARK_POLICY_FIELD = "mark.policy_field", "{file}: {field}: {value}: {expected}"
    MARK_CLI_CHECK = "mark.cli_check", "check code: {code}"
    MARK_CLI_REVOKED = "mark.cli_revoked", "mark authorisation {number} revoked"
    MARK_REVOKED_ALREADY = (
        "mark.revoked_already",
        "mark authorisation {number} was revoked already",
    )
    # -- step 4, the demo province issues certificates --
    DEMO_CERTIFICATES = (
        "demo.certificates",
        "· certificates: {applied} applied, {issued} issued, {printed} printed, {returned} "
        "returned for correction, {replaced} replaced, {cancelled} cancelled · IPPC marks: "
        "{marks} authorised",
    )
    DEMO_CHAIN_PAGES = (
        "demo.chain_pages",
        "  the chain  {consignments}   {inspections}   {certificates}   {marks}",
    )
    DEMO_VERIFY = (
        "demo.verify",
        "  verify     {url}   (public: a certificate's number and check code, or its QR code)",
    )
    DEMO_PRINTS = "demo.prints", "  prints     {folder}   (each certificate's original, as printed)"
    # -- step 5, e-transfer: transfers, retrieval, amendments --
    TRANSFER_MADE = (
        "transfer.made",
        "e-transfer {number} to the port of {port} (office {office})",
    )
    TRANSFER_ON_PAPER = (
        "transfer.on_paper",
        "transfer {number} on paper: the port of {port} takes no e-transfer",
    )
    NO_TRANSFER = "transfer.none", "no transfer {number}"
    TRANSFER_YEAR_FULL = (
        "transfer.year_full",
        "office {office} has used every transfer number of {year}",
    )
    TRANSFER_NO_RULE = (
        "transfer.no_rule",
        "{field} may not be changed after certification: no rule of ports.json {version} allows it",
    )
    TRANSFER_SAME = "transfer.same", "{field}: the new value is the one in force"
    TRANSFER_NO_VALUE = (
        "transfer.no_value",
        "{field}: no value was certified, so none can be changed by a percentage",
    )
    TRANSFER_OUTSIDE_PERCENT = (
        "transfer.outside_percent",
        "{field} may change by at most ±{percent} % (ports.json {version}): {before} to "
        "{after} is {change} %",
    )
    TRANSFER_NOT_DECREASE = (
        "transfer.not_decrease",
        "{field} may only be reduced (ports.json {version}): line {line}, {before} to {after}",
    )
    TRANSFER_LINES = (
        "transfer.lines",
        "{field}: give one value per line of goods ({lines})",
    )
    TRANSFER_BAD_VALUE = "transfer.bad_value", "{field}: {value} is not a valid value"
    TRANSFER_BAD_CONTAINERS = (
        "transfer.bad_containers",
        "containers: {value}: give one or more container numbers (four letters and seven "
        "digits, ISO 6346), each optionally followed by its size 20, 40 or 45",
    )
    TRANSFER_NOTHING = "transfer.nothing", "no change was asked for"
    TRANSFER_TOO_MANY = "transfer.too_many", "at most {max} changes in one request"
    TRANSFER_SET_FORM = (
        "transfer.set_form",
        "--set {value}: give a change as FIELD=VALUE, such as declared_value=10500",
    )
    TRANSFER_AMEND_REFUSED = (
        "transfer.amend_refused",
        "the amendment was refused: {count} change(s) not allowed (nothing was changed)",
    )
    TRANSFER_RELEASED = (
        "transfer.released",
        "transfer {number} can no longer be amended: the consignment was released",
    )
    TRANSFER_AMEND_FORBIDDEN = (
        "transfer.amend_forbidden",
        "only the declarant of the consignment's enterprise may ask for an amendment",
    )
    TRANSFER_RETRIEVE_FORBIDDEN = (
        "transfer.retrieve_forbidden",
        "only a port officer of the transfer's port office may take it",
    )
    TRANSFER_WRONG = (
        "transfer.wrong",
        "the transfer number or password is wrong",
    )
    TRANSFER_LOCKED = (
        "transfer.locked",
        "too many wrong passwords: try again after {until}",
    )
    TRANSFER_RETRIEVED = "transfer.retrieved", "transfer {number} taken by the port office {office}"
    TRANSFER_AMENDED = "transfer.amended", "transfer {number} amended: {fields}"
    TRANSFER_CERT_REPLACED = (
        "transfer.certificate_replaced",
        "certificate {before} replaced by {after} on the transfer",
    )
    TRANSFER_CERT_CANCELLED = (
        "transfer.certificate_cancelled",
        "certificate {before} cancelled: struck from the transfer",
    )
    # -- step 5, the outbox and the port's receiver --
    OUTBOX_NO_ANSWER = "outbox.no_answer", "no answer from the receiver: {error}"
    OUTBOX_STATUS = "outbox.status", "the receiver answered {status}: {error}"
    OUTBOX_NO_ADDRESS = (
        "outbox.no_address",
        "no address configured for {destination}: its messages wait (PHYTOWATCH_RECEIVERS)",
    )
    OUTBOX_RECEIVER_PAIR = "outbox.receiver_pair", "{setting}: {item}: expected NAME=VALUE"
    OUTBOX_RECEIVER_URL = (
        "outbox.receiver_url",
        "receiver {name}: {url} is not an http:// or https:// address with a host",
    )
    OUTBOX_RECEIVER_SECRET = (
        "outbox.receiver_secret",
        "receiver {name} has no shared secret (PHYTOWATCH_RECEIVER_SECRETS)",
    )
    OUTBOX_DELIVERED = "outbox.delivered", "{count} messages tried, {waiting} waiting"
    OUTBOX_RETRIED = "outbox.retried", "{count} refused messages to be sent again"
    OUTBOX_WORKER = "outbox.worker", "outbox: delivering to {receivers}"
    OUTBOX_STATUS_LINE = (
        "outbox.status_line",
        "{destination}: {waiting} waiting, {delivered} delivered, {refused} refused, "
        "{failing} failing; oldest undelivered since {oldest}",
    )
    OUTBOX_LAST_ERROR = "outbox.last_error", "last error ({at}): {error}"
    OUTBOX_NOTHING = "outbox.nothing", "no message in the outbox, no receiver configured"
    OUTBOX_RETRY_WHICH = "outbox.retry_which", "name a destination or a message, or all"
    RECEIVER_LISTENING = (
        "receiver.listening",
        "port receiver on {url}: messages stored in {database}",
    )
    RECEIVER_LISTEN = "receiver.listen", "listen address {value}: expected HOST:PORT"
    RECEIVER_DATABASE = (
        "receiver.database",
        "{database}: the receiver keeps its messages in SQLite: sqlite:///FILE",
    )
    RECEIVER_CANNOT_LISTEN = "receiver.cannot_listen", "cannot listen on {listen}: {error}"
    # -- step 6, port check and release --
    PORT_NO_TRANSFER = (
        "port.no_transfer",
        "consignment {consignment} has no e-transfer: it cannot be released at the port",
    )
    PORT_PAPER_TRANSFER = (
        "port.paper_transfer",
        "transfer {transfer} of consignment {consignment} went on paper (port {port} takes no "
        "e-transfer): it cannot be released here",
    )
    PORT_NOT_TAKEN = (
        "port.not_taken",
        "transfer {transfer} has not been taken by a port office yet: retrieve it with its "
        "number and password first",
    )
    PORT_OTHER_OFFICE = (
        "port.other_office",
        "transfer {transfer} was taken by port office {taken}, not by {office}",
    )
    PORT_CERT_CANCELLED = (
        "port.certificate_cancelled",
        "certificate {certificate} on transfer {transfer} is cancelled: the batch cannot be "
        "released",
    )
    PORT_CERT_REPLACED = (
        "port.certificate_replaced",
        "certificate {certificate} on transfer {transfer} was replaced by certificate "
        "{replacement}: check the batch against the new certificate before releasing it",
    )
    PORT_CHECK_OWED = (
        "port.check_owed",
        "transfer {transfer} was drawn for a port check and no conforming check is recorded",
    )
    PORT_HELD = (
        "port.held",
        "transfer {transfer} is held ({reason}): record a conforming check before releasing it",
    )
    PORT_RELEASED_ALREADY = (
        "port.released_already",
        "consignment {consignment} was released already: clearance {clearance}",
    )
    PORT_NOT_TRANSFERRED = (
        "port.not_transferred",
        "consignment {consignment} is {state}, not transferred: it cannot be released",
    )
    PORT_NO_OFFICE = (
        "port.no_office",
        "only a port officer of a port office may check, hold or release a batch",
    )
    PORT_OFFICE_NEEDED = (
        "port.office_needed",
        "give the port office that acts (--office)",
    )
    PORT_UNKNOWN_TRANSFER = "port.unknown_transfer", "no transfer numbered {number}"
    PORT_UNKNOWN_CLEARANCE = "port.unknown_clearance", "no clearance record numbered {number}"
    PORT_HOLD_REASON = "port.hold_reason", "give the reason for holding the batch"
    PORT_TEXT_TOO_LONG = "port.text_too_long", "at most {max} characters"
    PORT_YES_NO = "port.yes_no", "answer yes or no"
    PORT_RELEASED_AS = "port.released_as", "released at port {port}: clearance {clearance}"
    PORT_DRAWN = (
        "port.drawn",
        "drawn for a check: draw {draw} is below the ratio {ratio} [{confidence}] of mode {mode}",
    )
    PORT_KEY_LISTED = (
        "port.key_listed",
        "checked: the enterprise is on the key list (every batch is checked)",
    )
    PORT_NOT_DRAWN = (
        "port.not_drawn",
        "not drawn: draw {draw} is not below the ratio {ratio} [{confidence}] of mode {mode}",
    )
    PORT_CHECK_RECORDED = (
        "port.check_recorded",
        "check recorded: {verdict}",
    )
    PORT_HELD_AS = "port.held_as", "batch held: {reason}"
    PORT_QUEUE_EMPTY = "port.queue_empty", "nothing waits at port office {office}"
    # -- the six-step timeline --
    # -- the bureau's view (KPIs) --
    KPI_BAD_DATE = "kpi.bad_date", "{field}: {value} is not a date (write it as 2026-03-31)"
    KPI_PERIOD_BACKWARDS = "kpi.period_backwards", "the period ends before its first day, {first}"
    KPI_PERIOD_TOO_LONG = "kpi.period_too_long", "a period is at most {days} days long"
    KPI_NO_OFFICE = "kpi.no_office", "no office {office} whose figures you may see"
    KPI_NO_TABLE = "kpi.no_table", "no table {table} among the figures"
    # -- steps 5-6, the demo province runs the whole chain --
    DEMO_AMEND_REFUSED = (
        "demo.amend_refused",
        "a declarant asked to amend transfer {number} beyond the rules: refused, because",
    )
    DEMO_PORT = (
        "demo.port",
        "· transfers: {transferred} made ({paper} on paper), {amended} amended ({refused} refused "
        "by the rules), {retrieved} taken at the port · port: {checked} checked, {held} held, "
        "{released} released",
    )
    DEMO_PORT_PAGES = (
        "demo.port_pages",
        "  the port   {transfers}   {port}   (port officers)   figures {kpi}   outbox {outbox}",
    )
    DEMO_RECEIVER = (
        "demo.receiver",
        "  receiver   {name} {url}   (the port's own system; the outbox delivers to it, kept "
        "in {database})",
    )
    DEMO_RECEIVER_FAILED = (
        "demo.receiver_failed",
        "the port's receiver {name} did not start (see {log}); its transfers wait in the outbox",
    )


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
