"""The domain's words shown by their code (an alarm's kind, a finding, a probe's role, a
facility's kind, a role, …), on pages and inside messages (``domain.messages.Word``), marked here
for the one gettext catalogue; a test checks that every value of the domain's enums is listed,
so a new one cannot go untranslated.
"""

from __future__ import annotations


def N_(message: str) -> str:  # noqa: N802 - the gettext marker: translated when shown
    return message


NAV = (N_("Wall"), N_("Runs"), N_("Alarms"), N_("Administration"), N_("Policy"))
ALARM_KINDS = (
    N_("hold_broken"), N_("approaching_limit"), N_("sensor_fault"), N_("probe_excluded"),
    N_("facility_silent"), N_("calibration_expired"), N_("calibration_due"), N_("clock_skew"),
    N_("tamper"), N_("too_few_probes"),
)  # fmt: skip
SEVERITIES = (N_("critical"), N_("major"), N_("minor"), N_("warning"))
ALARM_STATES = (N_("active"), N_("acknowledged"), N_("cleared"))
FINDINGS = (
    N_("probe_excluded"), N_("flatline"), N_("implausible_rate"), N_("tracks_air"),
    N_("duplicate_series"), N_("clock"), N_("precondition_unverified"),
    N_("too_few_probes_installed"),
)  # fmt: skip
REASONS = (
    N_("below_threshold"), N_("above_threshold"), N_("gap"), N_("fault"), N_("too_few_probes"),
    N_("tolerance_exceeded"), N_("precondition"), N_("ramp_too_fast"),
)  # fmt: skip
# a closed run's "reason" when no hold failed it: why it is indeterminate, or that no step held
VERDICT_CAUSES = (
    N_("too_few_probes_installed"), N_("no_readings"), N_("role_not_covered"),
    N_("no_step_satisfied"),
)  # fmt: skip
PROBE_ROLES = (N_("product"), N_("air"), N_("water"), N_("rh"))
FACILITY_KINDS = (
    N_("kiln"), N_("cold_room"), N_("reefer"), N_("hot_water_tank"),
    N_("vapour_heat_chamber"), N_("other"),
)  # fmt: skip
DECISIONS = (N_("signed_off"), N_("rejected"))
# a run's review state (domain/review.py): "signed_off" and "rejected" are DECISIONS' words
REVIEW_STATES = (
    N_("running"), N_("not_signable"), N_("findings_to_review"), N_("awaiting_signoff"),
    N_("signed_off"), N_("rejected"),
)  # fmt: skip
# the cities of the demo province (Jiangxi's prefecture-level cities): the registry keeps a city
# by its Chinese name (an office covers cities by it), the catalogue says it in English
CITIES = (
    N_("南昌"), N_("九江"), N_("景德镇"), N_("萍乡"), N_("新余"), N_("鹰潭"), N_("赣州"),
    N_("吉安"), N_("宜春"), N_("抚州"), N_("上饶"),
)  # fmt: skip
FAULTS = (N_("open_circuit"), N_("short_circuit"), N_("no_value"), N_("nan"), N_("out_of_range"))
VERDICTS = (N_("PASS"), N_("FAIL"), N_("INDETERMINATE"), N_("without a verdict"), N_("none"))
ROLES = (
    N_("enterprise_operator"), N_("enterprise_declarant"), N_("inspector"),
    N_("certifying_officer"), N_("port_officer"), N_("administrator"),
)  # fmt: skip
ACTIONS = (
    N_("ingest:write"), N_("snapshots:write"), N_("facilities:read"), N_("snapshots:read"),
    N_("registry:write"), N_("calibrations:write"), N_("runs:read"), N_("runs:write"),
    N_("readings:read"), N_("signoff:read"), N_("signoff:write"), N_("alarms:read"),
    N_("alarms:acknowledge"), N_("alarms:clear"), N_("events:read"), N_("users:write"),
    N_("policy:read"), N_("policy:write"), N_("consignments:read"), N_("consignments:declare"),
    N_("consignments:assess"), N_("classification:write"), N_("bases:write"),
    N_("certificates:read"), N_("certificates:apply"), N_("certificates:certify"),
    N_("certificates:print"), N_("marks:authorise"), N_("ephyto:read"), N_("ephyto:import"),
    N_("transfers:read"), N_("transfers:amend"), N_("transfers:retrieve"), N_("port:release"),
    N_("kpi:read"), N_("outbox:read"),
)  # fmt: skip
# the fields a message names (``Code.FIELD_TEXT``, ``Code.FIELD_AT_MOST``)
FIELDS = (
    N_("name"), N_("token name"), N_("Chinese name"), N_("English name"), N_("city"),
    N_("certificate"), N_("camera description"), N_("Up to entry"),
)  # fmt: skip
# what an audit entry records (``action``, services/*): said on the audit page by these codes;
# an action not listed here is shown as its code
AUDIT_ACTIONS = (
    N_("login"), N_("login.failed"), N_("login.locked"), N_("login.refused_disabled"),
    N_("logout"), N_("user.add"), N_("user.set_role"), N_("user.disable"), N_("user.enable"),
    N_("user.password_reset"), N_("user.password_change"), N_("user.password_change_refused"),
    N_("token.issue"), N_("token.revoke"), N_("office.add"), N_("enterprise.added"),
    N_("facility.added"), N_("token.issued"), N_("token.rotated"), N_("token.revoked"),
    N_("probe.calibrated"), N_("camera.added"), N_("snapshot.added"), N_("run.started"),
    N_("run.closed"), N_("run.signed_off"), N_("run.rejected"), N_("alarm.acknowledged"),
    N_("alarm.cleared"), N_("policy.edit"),
    # classification management and raw-material bases
    N_("enterprise.standing_set"), N_("classification.proposed"), N_("classification.confirmed"),
    N_("classification.dismissed"), N_("base.registered"), N_("base.suspended"),
    N_("base.reinstated"),
    # the e-supervision chain: declarations
    N_("consignment.drafted"), N_("consignment.copied"), N_("consignment.draft_saved"),
    N_("consignment.submitted"), N_("consignment.resubmitted"), N_("consignment.withdrawn"),
    N_("alarm.cleared"), N_("consignment.routed"), N_("consignment.assessed"),
    N_("consignment.returned"), N_("consignment.rejected"),
)  # fmt: skip
# the kinds of object an audit entry names (``object_type``)
AUDIT_OBJECTS = (
    N_("user"), N_("office"), N_("personal_token"), N_("enterprise"), N_("facility"),
    N_("probe"), N_("camera"), N_("run"), N_("alarm"), N_("policy"),
    N_("classification_proposal"), N_("raw_material_base"), N_("consignment"),
)  # fmt: skip
# classification management and raw-material bases (services/supervision/standing.py, bases.py)
STANDING_FIELDS = (N_("reason"), N_("class"), N_("number"), N_("products"), N_("location"))
STANDING_NAV = (N_("Bases"),)
BASE_STATUSES = (N_("valid"), N_("suspended"))
BASE_EVENTS = (N_("registered"), N_("suspended"), N_("reinstated"))
PROPOSAL_STATES = (N_("proposed"), N_("confirmed"), N_("dismissed"))
MEASURES = (
    N_("failed_runs"), N_("interceptions"), N_("returned_declarations"), N_("declarations"),
    N_("probe"), N_("camera"), N_("run"), N_("alarm"), N_("consignment"),
)  # fmt: skip
# what was done to the audit trail at its first bad row (domain.audit.Tampering)
TAMPERING = (N_("edited"), N_("removed"), N_("reordered"))
REGIMES = (N_("heat"), N_("cold"))
# a consignment's states and its timeline's steps (domain/supervision/consignment.py)
CONSIGNMENT_STATES = (
    N_("draft"), N_("submitted"), N_("routed"), N_("assessed"), N_("returned"), N_("withdrawn"),
    N_("rejected"), N_("certified"), N_("transferred"), N_("released"),
)  # fmt: skip
CONSIGNMENT_STEPS = (N_("drafted"), N_("resubmitted"))  # the others are the states' words
# the CLI's labels (``phytowatch evaluate``'s report, ``phytowatch schedules``): said by the CLI
# in the reader's language from this catalogue, as the pages say theirs
CLI = (
    N_("on paper"),
    N_("held"), N_("conforming"), N_("not_conforming"),  # phytowatch port
    N_("Source"), N_("Params"), N_("Log"), N_("Judged"), N_("Hold"), N_("Longest hold"), N_("Why"),
    N_("Criteria"), N_("met"), N_("not met"), N_("Interruptions"), N_("Findings"),
    N_("Review required: yes — an inspector must look at the findings before sign-off"),
    N_("Review required: no"),
    N_("UNVERIFIED schedule [M]: numbers not checked against an official text"),
    N_("parts from a secondary source [C2]"),
    N_("title"), N_("confidence"), N_("judged"), N_("min probes"), N_("max sample interval"),
    N_("steps"), N_("on interruption"), N_("restart the hold"), N_("fail the run"), N_("notes"),
    N_("UNVERIFIED"), N_("partly secondary"), N_("checked"), N_("schedule file refused"),
    N_("tolerance"), N_("start condition"), N_("criterion"),
    # ``audit list``'s columns
    N_("seq"), N_("at (UTC)"), N_("actor"), N_("action"), N_("object"), N_("before → after"),
    # the password prompts of ``users add``, ``users passwd`` and ``runs signoff``
    N_("Password"), N_("New password"), N_("Repeat for confirmation"),
    # the state columns of ``users list``, ``tokens list`` and ``probes list`` (the English
    # catalogue says "active" for the first two codes)
    N_("account_active"), N_("disabled"), N_("token_active"), N_("revoked"),
    N_("no calibration recorded"), N_("EXPIRED"), N_("valid"),
    # what a message shows for a ``--database-url`` that is not a URL
    N_("(not a database URL)"),
)  # fmt: skip
# official policy (domain/supervision/policy.py): said by their code, as "mode.credit"
SUPERVISION_MODES = (
    N_("mode.credit"), N_("mode.verification"), N_("mode.general"), N_("mode.strict"),
    N_("mode.special"),
)  # fmt: skip
RISK_LEVELS = (N_("risk.high"), N_("risk.elevated"), N_("risk.general"))
CONFIDENCES = (N_("confidence.C"), N_("confidence.C2"), N_("confidence.M"))
POLICY_KINDS = (
    N_("policy.products"), N_("policy.destinations"), N_("policy.routing"),
    N_("policy.classification"), N_("policy.ports"),
)  # fmt: skip
POLICY_ORIGINS = (N_("origin.shipped"), N_("origin.stored"))
CLASSES = (
    N_("class.I"), N_("class.II"), N_("class.III"), N_("class.IV"), N_("class.AA"),
    N_("class.A"), N_("class.B"), N_("class.C"), N_("class.D"),
)  # fmt: skip
MEASURE_LABELS = (
    N_("measure.failed_runs"), N_("measure.interceptions"), N_("measure.returned_declarations"),
    N_("measure.declarations"),
)  # fmt: skip
# the e-supervision chain, routing and conformity assessment (domain/supervision/routing.py,
# assessment.py): the supervision modes, the products' risk, a route's outcome, an assessment's
# kind, conformity and disposal, a pest's life stage, the hard rules by name
MODE_WORDS = (
    N_("credit"), N_("verification"), N_("general"), N_("strict"), N_("special"),
)  # fmt: skip
RISK_WORDS = (N_("high"), N_("elevated"), N_("general"))
ROUTE_OUTCOMES = (N_("documents"), N_("inspect"))
ASSESSMENT_KINDS = (N_("documents"), N_("inspection"))
CONFORMITY = (N_("conforming"), N_("not_conforming"))
DISPOSALS = (N_("re_treatment"), N_("re_sorting"), N_("return"), N_("destruction"))
LIFE_STAGES = (
    N_("egg"), N_("larva"), N_("nymph"), N_("pupa"), N_("adult"), N_("seed"), N_("spore"),
    N_("other"),
)  # fmt: skip
HARD_RULES = (
    N_("key_list"), N_("requirement_not_met"), N_("run_with_findings"), N_("base_suspended"),
    N_("not_e_supervised"), N_("inspected_before"), N_("inspection_owed"),
)  # fmt: skip
# what is done to a consignment, as a refusal names it (Code.ASSESS_STATE's ``action``) and a
# consignment's states shown by the queue
CONSIGNMENT_ACTIONS = (
    N_("assessed"), N_("returned"), N_("rejected"), N_("routed"), N_("submitted"),
    N_("withdrawn"), N_("draft"), N_("certified"), N_("transferred"), N_("released"),
)  # fmt: skip
# step 4, certificates (domain/certificates/model.py): the kinds, the states, and what is done to
# one, as a refusal names it (Code.CERT_STATE's ``action``)
CERTIFICATE_KINDS = (N_("phytosanitary"), N_("reexport"), N_("treatment"))
CERTIFICATE_STATES = (
    N_("draft"), N_("submitted"), N_("returned"), N_("approved"), N_("issued"), N_("printed"),
    N_("rejected"), N_("cancelled"), N_("replaced"),
)  # fmt: skip
CERTIFICATE_ACTIONS = (N_("edited"),)
KEY_STATES = (N_("in use"), N_("retired"))  # an office key: signs now, or kept to verify
# step 5: the transferred values an amendment names, and how a rule of ports.json allows it
TRANSFER_FIELDS = (
    N_("transfer.declared_value"), N_("transfer.conveyance"), N_("transfer.departure_date"),
    N_("transfer.containers"), N_("transfer.quantity"), N_("transfer.certificate_replaced"),
    N_("transfer.certificate_cancelled"),
)  # fmt: skip
AMENDMENT_HOWS = (N_("amend.any"), N_("amend.decrease"), N_("amend.within_percent"))
