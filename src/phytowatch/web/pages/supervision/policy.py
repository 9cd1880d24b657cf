"""The official policy's pages: ``/rules`` (``policy:read``: everyone signed in) shows the
documents in force; ``/admin/rules`` (``policy:write``: administrators) edits the routing matrix
and its ratios in a form, takes a whole document of any kind pasted as JSON, gives the current
one to download, and lists each kind's versions (who, when, why), each one viewable.

Every value is shown with its confidence; an unverified one ([M]) is marked so, in words
(docs/supervision-rules.md). A change is the service's ``edit`` (validated, numbered,
audited); the page answers it with a redirect (303), or shows the refusal beside the form with
what was typed kept.
"""

from __future__ import annotations

import json
from typing import Any
from urllib.parse import quote

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from starlette.concurrency import run_in_threadpool

from phytowatch.domain.accounts import Action
from phytowatch.domain.messages import Code, Message, Refused, say
from phytowatch.domain.supervision.policy import PolicyKind, RiskLevel, SupervisionMode
from phytowatch.rules import PolicyFileError, file_name, parse_json
from phytowatch.services.supervision.policy import PolicyService
from phytowatch.web.deps import context_of
from phytowatch.web.errors import STATUS
from phytowatch.web.pages.forms import kept, named_in_path, unstorable
from phytowatch.web.templating import PageError, page, page_form, render, services_of

router = APIRouter()
READ = [page(Action.POLICY_READ)]
WRITE = [page(Action.POLICY_WRITE)]
RISKS = [r.value for r in RiskLevel]
MODES = [m.value for m in SupervisionMode]
KINDS = [k.value for k in PolicyKind]


def _service(request: Request) -> PolicyService:
    return services_of(request).policy


def _kind(kind: str) -> PolicyKind:
    try:
        return PolicyKind(kind)
    except ValueError:
        raise PageError(404, say(Code.POLICY_NO_KIND, kind=kind[:40])) from None


def _matches(product: Any, q: str) -> bool:
    if not q:
        return True
    needle = q.casefold()
    return any(
        needle in str(value).casefold()
        for value in (
            product.code, product.name_zh, product.name_en, product.botanical_name,
            product.hs_code, product.eppo_code,
        )
    )  # fmt: skip


@router.get("/rules", dependencies=READ, include_in_schema=False)
async def rules(request: Request, q: str = "") -> HTMLResponse:
    """Products (searchable), destination requirements, the routing matrix with each mode's
    ratio, the classification schemes and rules; each document's version, source, confidence."""
    q = q.replace("\x00", "").strip()[:100]
    policy = await run_in_threadpool(_service(request).policy)
    products = [p for p in policy.products.values() if _matches(p, q)]
    return await render(
        request, "supervision/rules.html", active="rules", policy=policy, products=products,
        q=q, risks=RISKS, modes=MODES, kinds=list(PolicyKind),
    )  # fmt: skip


# -- administration -------------------------------------------------------------------------------


async def _admin(
    request: Request,
    status: int = 200,
    *,
    error: Message | None = None,
    kept_fields: dict[str, str] | None = None,
) -> HTMLResponse:
    service = _service(request)

    def load() -> dict[str, Any]:
        return {
            "policy": service.policy(),
            "routing_doc": service.document(PolicyKind.ROUTING),
            "history": {kind: service.history(kind) for kind in PolicyKind},
            "shipped": {
                kind: str(doc.get("version", "")) for kind, doc in service.shipped().items()
            },
        }

    loaded = await run_in_threadpool(load)
    return await render(
        request, "supervision/rules_admin.html", status=status, active="admin", error=error,
        kept=kept_fields or {}, done=request.query_params.get("done", "")[:40],
        risks=RISKS, modes=MODES, kinds=list(PolicyKind), **loaded,
    )  # fmt: skip


@router.get("/admin/rules", dependencies=WRITE, include_in_schema=False)
async def rules_admin(request: Request) -> HTMLResponse:
    return await _admin(request)


def _routing_from_form(current: dict[str, Any], fields: dict[str, str]) -> dict[str, Any]:
    """The routing document in force with the form's cells and ratios put in (a value that
    carries its own confidence keeps it)."""
    document = json.loads(json.dumps(current))
    for klass, row in document.get("matrix", {}).items():
        if not isinstance(row, dict):
            continue
        for risk in RISKS:
            typed = fields.get(f"m.{klass}.{risk}")
            if typed is None:
                continue
            if isinstance(row.get(risk), dict):
                row[risk]["mode"] = typed
            else:
                row[risk] = typed
    ratios = document.setdefault("ratios", {})
    for mode in MODES:
        typed = fields.get(f"r.{mode}")
        if typed is None:
            continue
        if isinstance(ratios.get(mode), dict):
            ratios[mode]["ratio"] = typed.strip()
        else:
            ratios[mode] = typed.strip()
    return document


async def _change(
    request: Request, form_name: str, fields: dict[str, str], kind: PolicyKind, body: Any
) -> Response:
    service = _service(request)
    ctx = context_of(request)
    try:
        row = await run_in_threadpool(
            lambda: service.edit(kind, body, note=fields.get("note", ""), ctx=ctx)
        )
    except Refused as refusal:
        return await _admin(
            request, STATUS[refusal.kind], error=refusal.message,
            kept_fields=kept(form_name, fields),
        )  # fmt: skip
    done = quote(f"{row.kind.value} {row.version}")
    return RedirectResponse(f"/admin/rules?done={done}#history-{row.kind.value}", status_code=303)


def _clean(fields: dict[str, str]) -> dict[str, str] | None:
    return None if any(unstorable(v) for v in fields.values()) else fields


@router.post("/admin/rules/routing", dependencies=WRITE, include_in_schema=False)
async def edit_routing(request: Request) -> Response:
    """The matrix's cells and the ratios as typed, put into the routing document in force."""
    fields = await page_form(request)
    if _clean(fields) is None:
        clean = {k: v.replace("\x00", "") for k, v in fields.items()}
        return await _admin(request, 422, error=say(Code.FORM_NUL, field="note"),
                            kept_fields=kept("routing", clean))  # fmt: skip
    current = await run_in_threadpool(_service(request).document, PolicyKind.ROUTING)
    body = _routing_from_form(dict(current.body), fields)
    return await _change(request, "routing", fields, PolicyKind.ROUTING, body)


@router.post("/admin/rules/upload", dependencies=WRITE, include_in_schema=False)
async def upload(request: Request) -> Response:
    """A whole document of any kind, pasted as JSON (its ``kind`` says which)."""
    fields = await page_form(request)
    if _clean(fields) is None:
        clean = {k: v.replace("\x00", "") for k, v in fields.items()}
        return await _admin(request, 422, error=say(Code.FORM_NUL, field="document"),
                            kept_fields=kept("upload", clean))  # fmt: skip
    kind_text = fields.get("kind", "")
    if kind_text not in KINDS:
        problem = say(
            Code.POLICY_FILE_NO_KIND, file="document", value=json.dumps(kind_text),
            options=", ".join(KINDS),
        )  # fmt: skip
        return await _admin(request, 422, error=problem, kept_fields=kept("upload", fields))
    kind = PolicyKind(kind_text)
    try:
        body = parse_json(fields.get("document", ""), file_name(kind))
    except PolicyFileError as error:
        return await _admin(request, 422, error=error.message, kept_fields=kept("upload", fields))
    return await _change(request, "upload", fields, kind, body)


def _json_answer(body: Any, filename: str, download: bool) -> Response:
    text = json.dumps(body, ensure_ascii=False, indent=2, sort_keys=False) + "\n"
    headers = {"Cache-Control": "no-store", "X-Content-Type-Options": "nosniff"}
    if download:
        headers["Content-Disposition"] = f'attachment; filename="{filename}"'
    return Response(text, media_type="application/json; charset=utf-8", headers=headers)


@router.get("/admin/rules/{kind}.json", dependencies=WRITE, include_in_schema=False)
async def download(request: Request, kind: str) -> Response:
    """The document of ``kind`` in force, as a file to edit and upload again."""
    named_in_path(kind)
    chosen = _kind(kind)
    document = await run_in_threadpool(_service(request).document, chosen)
    return _json_answer(document.body, f"{chosen.value}-{document.version}.json", download=True)


@router.get("/admin/rules/{kind}/versions/{version}", dependencies=WRITE, include_in_schema=False)
async def old_version(request: Request, kind: str, version: str) -> HTMLResponse:
    """One version of a document, stored or shipped, as it was."""
    named_in_path(kind, version)
    chosen = _kind(kind)
    service = _service(request)
    try:
        document = await run_in_threadpool(service.old, chosen, version[:40])
    except Refused as refusal:
        raise PageError(STATUS[refusal.kind], refusal.message) from None
    return await render(
        request, "supervision/policy_version.html", active="admin", document=document,
        text=json.dumps(document.body, ensure_ascii=False, indent=2),
    )  # fmt: skip
