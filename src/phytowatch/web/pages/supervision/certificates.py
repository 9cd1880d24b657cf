"""The certificates' pages: the list within reach (filters, pages of 50, CSV) with the certifying
officer's queue above it, the certificate (every ISPM 12 field under the model certificate's
labels, the treatment box from the run, history, prints, signature, replacement chain, the acts
the caller may take), the edit form of a draft's free fields, and the application for a
certificate from a consignment assessed conforming.

A refused act shows the certificate again with the message beside the act's form and the reason
typed kept; a refused edit shows the form again with every field typed kept. Done acts redirect
(303), so a reload never acts twice.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from typing import Any

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response, StreamingResponse
from starlette.concurrency import run_in_threadpool

from phytowatch.domain.accounts import Action, Principal
from phytowatch.domain.certificates.model import (
    Certificate,
    CertificateKind,
    CertificateState,
    ReexportDetails,
)
from phytowatch.domain.messages import Code, Kind, Message, Refused, Word, code_of, say
from phytowatch.domain.supervision.assessment import Assessment, Conformity
from phytowatch.domain.supervision.consignment import Consignment, ConsignmentState
from phytowatch.services.app import App
from phytowatch.services.certificates.views import (
    CertificateFilter,
    acts_for,
    every_within_reach,
    find_within_reach,
    queue_of,
    within_reach,
)
from phytowatch.services.context import Context
from phytowatch.web.auth import principal_of
from phytowatch.web.deps import RowId, context_of
from phytowatch.web.errors import STATUS
from phytowatch.web.listing import PAGE_SIZES, Filters, csv_response, iso, pager
from phytowatch.web.pages.supervision import certificate_words as words
from phytowatch.web.templating import PageError, page, page_form, render, services_of

router = APIRouter()
STATES = tuple(s.value for s in CertificateState)
KINDS = tuple(k.value for k in CertificateKind)
MAX_TEXT = 2000
MAX_REASON = 2000
FREE_FIELDS = (
    "consignee.name", "consignee.address", "marks", "point_of_entry", "conveyance",
    "additional_declaration", "remarks",
)  # fmt: skip
REEXPORT_FLAGS = ("certified_copy", "repacked", "new_containers", "additional_inspection")
APPLY_FIELDS = ("kind", "origin_country", "original_certificate", *REEXPORT_FLAGS)
TENANT = "certificate"


def _rule(action: Action) -> Any:
    return page(action, tenant=TENANT)


# -- the list and the queue ------------------------------------------------------------------------


def _filter(filters: Filters) -> CertificateFilter:
    state = filters.choice("state", STATES)
    kind = filters.choice("kind", KINDS)
    return CertificateFilter(
        states=None if state is None else frozenset({CertificateState(state)}),
        kind=None if kind is None else CertificateKind(kind),
        enterprise=filters.text("enterprise", 32) or "",
        number=filters.text("number", 64) or "",
        nothing=filters.impossible,
    )


@router.get("/certificates", dependencies=[page(Action.CERTIFICATES_READ)], include_in_schema=False)
async def certificates_page(request: Request) -> HTMLResponse:
    """The queue (for the certifying officer) and the certificates within reach, newest first."""
    services = services_of(request)
    filters = Filters(request)
    wanted = _filter(filters)
    size, number = filters.size(), filters.page()
    principal = principal_of(request)

    def load() -> Any:
        found = find_within_reach(
            services.certificates, principal, wanted, offset=(number - 1) * size, limit=size
        )
        at = pager(found.total, number, size, request.url.path, filters.link_params())
        if at.page != number:
            found = find_within_reach(
                services.certificates, principal, wanted, offset=at.offset, limit=size
            )
        return at, found.items, queue_of(services.certificates, principal)

    at, rows, queue = await run_in_threadpool(load)
    return await render(
        request,
        "supervision/certificates.html",
        active="certificates",
        rows=rows,
        queue=queue,
        pager=at,
        given=filters.given,
        impossible=filters.impossible,
        sizes=PAGE_SIZES,
        states=STATES,
        kinds=KINDS,
        state_words=words.STATES,
        kind_words=words.KINDS,
    )


CSV_COLUMNS = (
    "id", "number", "kind", "state", "consignment", "enterprise", "city", "office",
    "destination", "created_at", "created_by", "issued_at", "officer", "replaces", "replaced_by",
)  # fmt: skip


@router.get(
    "/certificates.csv", dependencies=[page(Action.CERTIFICATES_READ)], include_in_schema=False
)
async def certificates_csv(request: Request) -> StreamingResponse:
    """The filtered list, every page, newest first, as CSV (UTF-8 with a BOM; English column
    names)."""
    services = services_of(request)
    filters = Filters(request)
    wanted = _filter(filters)
    filters.size(), filters.page()
    principal = principal_of(request)

    def rows() -> Iterator[list[Any]]:
        for c in every_within_reach(services.certificates, principal, wanted):
            issue = c.issue
            yield [
                c.id, issue.number if issue else "", c.kind.value, c.state.value,
                c.content.consignment, c.enterprise, c.city, c.office, c.content.destination,
                iso(c.created_at), c.created_by, iso(issue.issued_at) if issue else "",
                issue.officer if issue else "", c.replaces or "", c.replaced_by or "",
            ]  # fmt: skip

    return csv_response("certificates.csv", CSV_COLUMNS, rows())


# -- the certificate -------------------------------------------------------------------------------


def _visible(services: App, request: Request, certificate_id: int) -> Certificate:
    found = services.certificates.certificate(certificate_id)
    if found is None or not within_reach(principal_of(request), found):
        raise PageError(404, say(Code.CERT_NOT_FOUND, certificate=certificate_id))
    return found


def _said(detail: dict[str, object]) -> Message | str:
    """An event's detail as the history says it: its message (``{"code", "params"}``), else
    the reason typed."""
    code, params = detail.get("code"), detail.get("params")
    if isinstance(code, str) and isinstance(params, dict):
        try:
            return Message(code_of(code), {k: v for k, v in params.items() if _param(v)})
        except KeyError:
            pass
    reason = detail.get("reason")
    return reason if isinstance(reason, str) else ""


def _param(value: object) -> bool:
    return isinstance(value, str | int | float) and not isinstance(value, bool)


def _view(services: App, request: Request, certificate_id: int) -> dict[str, Any]:
    store = services.certificates
    certificate = _visible(services, request, certificate_id)
    replaces = store.certificate(certificate.replaces) if certificate.replaces else None
    replaced_by = store.certificate(certificate.replaced_by) if certificate.replaced_by else None
    consignment = (
        services.consignments.consignment(certificate.consignment_id)
        if certificate.consignment_id is not None
        else None
    )
    return {
        "c": certificate,
        "history": [(event, _said(event.detail)) for event in store.history(certificate_id)],
        "prints": store.prints(certificate_id),
        "signature": store.check_signature(certificate) if certificate.issue else None,
        "replaces": replaces,
        "replaced_by": replaced_by,
        "consignment": consignment,
        "acts": acts_for(principal_of(request), certificate),
    }


async def _certificate_page(
    request: Request,
    certificate_id: int,
    status: int = 200,
    *,
    failed: str = "",
    error: Message | None = None,
    typed_reason: str = "",
    notice: str = "",
) -> HTMLResponse:
    services = services_of(request)
    view = await run_in_threadpool(_view, services, request, certificate_id)
    return await render(
        request,
        "supervision/certificate.html",
        status,
        active="certificates",
        labels=words.LABELS,
        state_words=words.STATES,
        kind_words=words.KINDS,
        failed=failed,
        error=error,
        typed_reason=typed_reason,
        notice=notice,
        **view,
    )


@router.get(
    "/certificates/{certificate_id}",
    dependencies=[_rule(Action.CERTIFICATES_READ)],
    include_in_schema=False,
)
async def certificate_page(request: Request, certificate_id: RowId, done: str = "") -> HTMLResponse:
    """The certificate; ``done=<act>`` says what was just done."""
    notice = done if done in ACTS or done in {"drafted", "saved"} else ""
    return await _certificate_page(request, certificate_id, notice=notice)


# -- the acts --------------------------------------------------------------------------------------


def field_problems(refusal: Refused) -> dict[str, Message]:
    """A refusal's messages by field: several fields at once (``wrong`` or ``problems``), or
    the one its message names."""
    wrong = getattr(refusal, "wrong", None)
    if isinstance(wrong, list):
        return {str(name): message for name, message in wrong}
    problems = getattr(refusal, "problems", None)
    if isinstance(problems, tuple):
        return {p.field: p.message for p in problems}
    field = refusal.message.params.get("field")
    return {str(field): refusal.message} if field is not None else {}


def _act(services: App, act: str, certificate_id: int, reason: str, ctx: Context) -> Certificate:
    store = services.certificates
    calls: dict[str, Callable[[], Certificate]] = {
        "submit": lambda: store.submit(certificate_id, ctx=ctx),
        "return": lambda: store.send_back(certificate_id, reason, ctx=ctx),
        "approve": lambda: store.approve(certificate_id, ctx=ctx),
        "reject": lambda: store.reject(certificate_id, reason, ctx=ctx),
        "issue": lambda: store.issue(certificate_id, ctx=ctx),
        "cancel": lambda: store.cancel(certificate_id, reason, ctx=ctx),
        "replace": lambda: store.replace(certificate_id, reason, {}, ctx=ctx),
    }
    return calls[act]()


ACTS: dict[str, Action] = {
    "submit": Action.CERTIFICATES_APPLY,
    "return": Action.CERTIFICATES_CERTIFY,
    "approve": Action.CERTIFICATES_CERTIFY,
    "reject": Action.CERTIFICATES_CERTIFY,
    "issue": Action.CERTIFICATES_CERTIFY,
    "cancel": Action.CERTIFICATES_CERTIFY,
    "replace": Action.CERTIFICATES_APPLY,
}
WITH_REASON = frozenset({"return", "reject", "cancel", "replace"})


async def _acted(request: Request, certificate_id: int, act: str) -> Response:
    """Do ``act``: 303 to the certificate (the replacement's edit form for ``replace``); a
    refusal shown beside the act's form, the reason typed kept."""
    services = services_of(request)
    fields = await page_form(request)
    reason = fields.get("reason", "").strip() if act in WITH_REASON else ""
    await run_in_threadpool(_visible, services, request, certificate_id)
    problem: Message | None = None
    if act in WITH_REASON and not reason:
        problem = say(Code.CERT_PAGE_REASON_NEEDED, field="reason")
    elif len(reason) > MAX_REASON:
        problem = say(Code.FIELD_AT_MOST, field="reason", max=MAX_REASON)
    if problem is not None:
        return await _certificate_page(
            request, certificate_id, 422, failed=act, error=problem, typed_reason=reason
        )
    ctx = context_of(request)
    try:
        made = await run_in_threadpool(_act, services, act, certificate_id, reason, ctx)
    except Refused as refused:
        if refused.kind is Kind.NOT_FOUND:
            raise PageError(404, refused.message) from None
        return await _certificate_page(
            request, certificate_id, STATUS[refused.kind], failed=act, error=refused.message,
            typed_reason=reason,
        )  # fmt: skip
    if act == "replace":
        return RedirectResponse(f"/certificates/{made.id}/edit?drafted=1", status_code=303)
    return RedirectResponse(f"/certificates/{certificate_id}?done={act}", status_code=303)


def _act_route(act: str, action: Action) -> None:
    async def posted(request: Request, certificate_id: RowId) -> Response:
        return await _acted(request, certificate_id, act)

    posted.__name__ = f"certificate_{act}"
    posted.__doc__ = f"The certificate's act {act!r} (a form's post)."
    router.post(
        f"/certificates/{{certificate_id}}/{act}",
        dependencies=[_rule(action)],
        include_in_schema=False,
    )(posted)


for _name, _action in ACTS.items():
    _act_route(_name, _action)


# -- the edit form ---------------------------------------------------------------------------------


REEXPORT_FIELDS = (
    "reexport.origin_country", "reexport.original_certificate",
    *(f"reexport.{flag}" for flag in REEXPORT_FLAGS),
)  # fmt: skip


def _reexport_typed(details: ReexportDetails | None) -> dict[str, str]:
    if details is None:
        return dict.fromkeys(REEXPORT_FIELDS, "")
    return {
        "reexport.origin_country": details.origin_country,
        "reexport.original_certificate": details.original_certificate,
        **{f"reexport.{f}": "on" if getattr(details, f) else "" for f in REEXPORT_FLAGS},
    }


def _typed_of(certificate: Certificate) -> dict[str, str]:
    content = certificate.content
    return {
        **(
            _reexport_typed(content.reexport)
            if certificate.kind is CertificateKind.REEXPORT
            else {}
        ),
        "consignee.name": content.consignee.name,
        "consignee.address": content.consignee.address,
        "marks": content.marks,
        "point_of_entry": content.point_of_entry,
        "conveyance": content.conveyance,
        "additional_declaration": content.additional_declaration,
        "remarks": content.remarks,
    }


def _changes_of(typed: dict[str, str]) -> dict[str, object]:
    reexport: dict[str, object] = {}
    if "reexport.origin_country" in typed:
        reexport = {
            "reexport": {
                "origin_country": typed["reexport.origin_country"].upper(),
                "original_certificate": typed["reexport.original_certificate"],
                **{f: typed.get(f"reexport.{f}") == "on" for f in REEXPORT_FLAGS},
            }
        }
    return {
        **reexport,
        "consignee": {"name": typed["consignee.name"], "address": typed["consignee.address"]},
        "marks": typed["marks"],
        "point_of_entry": typed["point_of_entry"],
        "conveyance": typed["conveyance"],
        "additional_declaration": typed["additional_declaration"],
        "remarks": typed["remarks"],
    }


async def _form_page(
    request: Request,
    certificate_id: int,
    typed: dict[str, str] | None = None,
    status: int = 200,
    *,
    wrong: dict[str, Message] | None = None,
    error: Message | None = None,
    notice: str = "",
) -> HTMLResponse:
    services = services_of(request)
    certificate = await run_in_threadpool(_visible, services, request, certificate_id)
    if "edit" not in acts_for(principal_of(request), certificate):
        raise PageError(
            409,
            say(
                Code.CERT_PAGE_NOT_EDITABLE,
                certificate=certificate_id,
                state=Word(words.STATES[certificate.state.value]),
            ),
        )
    return await render(
        request,
        "supervision/certificate_form.html",
        status,
        active="certificates",
        c=certificate,
        typed=typed or _typed_of(certificate),
        wrong=wrong or {},
        error=error,
        notice=notice,
        labels=words.LABELS,
        state_words=words.STATES,
        kind_words=words.KINDS,
    )


@router.get(
    "/certificates/{certificate_id}/edit",
    dependencies=[_rule(Action.CERTIFICATES_APPLY)],
    include_in_schema=False,
)
async def edit_page(request: Request, certificate_id: RowId, drafted: int = 0) -> HTMLResponse:
    """The free fields of a draft or returned certificate."""
    return await _form_page(request, certificate_id, notice="drafted" if drafted else "")


@router.post(
    "/certificates/{certificate_id}/edit",
    dependencies=[_rule(Action.CERTIFICATES_APPLY)],
    include_in_schema=False,
)
async def edit_post(request: Request, certificate_id: RowId) -> Response:
    """Save the free fields (``do=save``) or save and submit (``do=submit``); every refusal
    beside its field, what was typed kept."""
    services = services_of(request)
    fields = await page_form(request)
    certificate = await run_in_threadpool(_visible, services, request, certificate_id)
    names = FREE_FIELDS + (REEXPORT_FIELDS if certificate.kind is CertificateKind.REEXPORT else ())
    typed = {name: fields.get(name, "").strip() for name in names}
    wrong = {
        name: say(Code.FIELD_AT_MOST, field=name, max=MAX_TEXT)
        for name, value in typed.items()
        if len(value) > MAX_TEXT
    }
    if wrong:
        return await _form_page(request, certificate_id, typed, 422, wrong=wrong)
    ctx = context_of(request)
    submit = fields.get("do") == "submit"
    store = services.certificates

    def save() -> None:
        store.edit(certificate_id, _changes_of(typed), ctx=ctx)
        if submit:
            store.submit(certificate_id, ctx=ctx)

    try:
        await run_in_threadpool(save)
    except Refused as refused:
        if refused.kind is Kind.NOT_FOUND:
            raise PageError(404, refused.message) from None
        wrong = field_problems(refused)
        beside = {k: v for k, v in wrong.items() if k in names or k == "consignee"}
        elsewhere = [v for k, v in wrong.items() if k not in beside]
        error = elsewhere[0] if elsewhere else (None if beside else refused.message)
        return await _form_page(
            request, certificate_id, typed, STATUS[refused.kind], wrong=beside, error=error
        )
    done = "submit" if submit else "saved"
    return RedirectResponse(f"/certificates/{certificate_id}?done={done}", status_code=303)


# -- the application, from the consignment ---------------------------------------------------------


def _blank_application() -> dict[str, str]:
    return {"kind": "phytosanitary", "origin_country": "", "original_certificate": ""}


async def _apply_page(
    request: Request,
    consignment_id: int,
    typed: dict[str, str] | None = None,
    status: int = 200,
    *,
    wrong: dict[str, Message] | None = None,
    error: Message | None = None,
) -> HTMLResponse:
    services = services_of(request)
    consignment = await run_in_threadpool(services.consignments.consignment, consignment_id)
    if consignment is None:
        raise PageError(404, say(Code.NO_CONSIGNMENT, consignment=consignment_id))
    return await render(
        request,
        "supervision/certificate_apply.html",
        status,
        active="certificates",
        consignment=consignment,
        typed=typed or _blank_application(),
        wrong=wrong or {},
        error=error,
        kinds=KINDS,
        kind_words=words.KINDS,
        labels=words.LABELS,
        flags=REEXPORT_FLAGS,
    )


@router.get(
    "/consignments/{consignment_id}/certificates/new",
    dependencies=[page(Action.CERTIFICATES_APPLY, tenant="consignment")],
    include_in_schema=False,
)
async def apply_page(request: Request, consignment_id: RowId) -> HTMLResponse:
    """The application: the kind, and for a re-export where the produce came from."""
    return await _apply_page(request, consignment_id)


def _reexport_of(typed: dict[str, str]) -> ReexportDetails:
    """The re-export box as typed; the service checks it (and names its fields)."""
    flags = {flag: typed.get(flag) == "on" for flag in REEXPORT_FLAGS}
    country = typed["origin_country"].upper()
    return ReexportDetails(country, typed["original_certificate"], **flags)


@router.post(
    "/consignments/{consignment_id}/certificates/new",
    dependencies=[page(Action.CERTIFICATES_APPLY, tenant="consignment")],
    include_in_schema=False,
)
async def apply_post(request: Request, consignment_id: RowId) -> Response:
    """Draft the certificate: 303 to its edit form; a refusal shown on the form, kept typed."""
    services = services_of(request)
    fields = await page_form(request)
    typed = {
        "kind": fields.get("kind", "").strip(),
        "origin_country": fields.get("origin_country", "").strip(),
        "original_certificate": fields.get("original_certificate", "").strip(),
        **{flag: fields.get(flag, "") for flag in REEXPORT_FLAGS},
    }
    if typed["kind"] not in KINDS:
        wrong = {"kind": say(Code.FIELD_CHOICE, field="kind", choices=", ".join(KINDS))}
        return await _apply_page(request, consignment_id, typed, 422, wrong=wrong)
    kind = CertificateKind(typed["kind"])
    reexport = _reexport_of(typed) if kind is CertificateKind.REEXPORT else None
    ctx = context_of(request)
    try:
        made = await run_in_threadpool(
            lambda: services.certificates.draft(consignment_id, kind, ctx=ctx, reexport=reexport)
        )
    except Refused as refused:
        if refused.kind is Kind.NOT_FOUND:
            raise PageError(404, refused.message) from None
        wrong = {k.removeprefix("reexport."): v for k, v in field_problems(refused).items()}
        beside = {k: v for k, v in wrong.items() if k in APPLY_FIELDS}
        return await _apply_page(
            request, consignment_id, typed, STATUS[refused.kind], wrong=beside,
            error=None if beside else refused.message,
        )  # fmt: skip
    return RedirectResponse(f"/certificates/{made.id}/edit?drafted=1", status_code=303)


def consignment_certificates(
    services: App, request: Request, consignment_id: int
) -> list[Certificate]:
    """The consignment's certificates the caller may see (its page's section)."""
    principal = principal_of(request)
    # a port officer sees those of a consignment whose transfer their office took
    port = services.port.reaches(principal, consignment_id)
    return [
        c
        for c in services.certificates.of_consignment(consignment_id)
        if port or within_reach(principal, c)
    ]


APPLICABLE = frozenset(
    {ConsignmentState.ASSESSED, ConsignmentState.CERTIFIED, ConsignmentState.TRANSFERRED}
)


def may_apply(
    principal: Principal, consignment: Consignment, assessment: Assessment | None
) -> bool:
    """Whether the consignment's page offers "Apply for a certificate": to its enterprise's
    declarant, once it was assessed conforming (or released on documents)."""
    conforming = assessment is not None and assessment.conformity is Conformity.CONFORMING
    return (
        principal.may(Action.CERTIFICATES_APPLY)
        and principal.enterprise == consignment.enterprise
        and consignment.state in APPLICABLE
        and conforming
    )
