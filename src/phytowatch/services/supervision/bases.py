"""Raw-material bases (orchards, plantations: "company + base + standardization"): registered,
suspended with a reason, reinstated. Each change is one row of the base, one entry of its
append-only history and one audit entry, in one transaction.

Who may (``bases:write``): an inspector whose office covers the base's enterprise, or an
administrator. Who sees: an enterprise its own bases, bureau staff their office's, an
administrator all; a base out of reach is answered as one that does not exist.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Protocol

from phytowatch.domain.accounts import Action, Jurisdiction
from phytowatch.domain.messages import Code, Kind, Word, refused
from phytowatch.domain.supervision.registry import (
    BaseEvent,
    BaseEventKind,
    BaseStatus,
    RawMaterialBase,
)
from phytowatch.domain.text import plain_text
from phytowatch.services.audit import AuditRecorder
from phytowatch.services.context import Context
from phytowatch.services.paging import Found
from phytowatch.services.supervision.ports import PolicySource
from phytowatch.services.supervision.standing import Places, visible_place

BASE_NUMBER = re.compile(r"^[A-Za-z0-9][A-Za-z0-9_./-]{0,31}\Z")
MAX_NAME = 200
MAX_LOCATION = 200
MAX_REASON = 2000


@dataclass(frozen=True)
class BaseQuery:
    """Which bases the list shows: those within ``reach``, each other field narrowing it."""

    reach: Jurisdiction
    text: str = ""
    enterprise: str = ""
    status: BaseStatus | None = None
    product: str = ""


class BaseStore(Places, Protocol):
    def base(self, number: str) -> RawMaterialBase | None: ...

    def add_base(self, base: RawMaterialBase, event: BaseEvent) -> None: ...

    def set_base_status(self, number: str, status: BaseStatus, event: BaseEvent) -> bool:
        """Compare-and-set the status (from the other one) and add the event; ``False`` when
        it was that status already."""
        ...

    def base_history(self, number: str) -> list[BaseEvent]: ...

    def find_bases(
        self, query: BaseQuery, *, offset: int, limit: int
    ) -> Found[RawMaterialBase]: ...


def _may_write(ctx: Context) -> None:
    if not ctx.principal.may(Action.BASES_WRITE):
        raise refused(Kind.FORBIDDEN, Code.BASES_FORBIDDEN)


def _text(value: str, field: str, most: int) -> str:
    text = value.strip()
    if not text or len(text) > most or not plain_text(text):
        raise refused(Kind.INVALID, Code.FIELD_TEXT, field=Word(field), max=most)
    return text


def visible_base(store: BaseStore, ctx: Context, number: str) -> RawMaterialBase:
    """The base if it exists and its enterprise is within the caller's reach; 404 alike."""
    base = store.base(number)
    place = None if base is None else store.place(base.enterprise)
    if base is None or place is None or not ctx.principal.covers(place.code, place.city):
        raise refused(Kind.NOT_FOUND, Code.NO_BASE, base=number)
    return base


def _json(base: RawMaterialBase) -> dict[str, object]:
    return {
        "enterprise": base.enterprise,
        "name": base.name,
        "products": list(base.products),
        "location": base.location,
        "status": base.status.value,
    }


def register_base(
    store: BaseStore,
    policy: PolicySource,
    audit: AuditRecorder,
    *,
    ctx: Context,
    number: str,
    enterprise: str,
    name: str,
    products: list[str],
    location: str,
) -> RawMaterialBase:
    """A new base, valid from now; its products are codes of the catalogue in force."""
    _may_write(ctx)
    number = number.strip()
    if not BASE_NUMBER.match(number):
        raise refused(Kind.INVALID, Code.BASE_NUMBER, field=Word("number"), number=number)
    visible_place(store, ctx.principal, enterprise.strip())
    catalogue = policy.policy().products
    chosen: list[str] = []
    for product in products:
        code = product.strip()
        if code not in catalogue:
            raise refused(Kind.INVALID, Code.BASE_PRODUCT, field=Word("products"), product=code)
        if code not in chosen:
            chosen.append(code)
    if not chosen:
        raise refused(Kind.INVALID, Code.FIELD_REQUIRED, field=Word("products"))
    base = RawMaterialBase(
        number=number,
        enterprise=enterprise.strip(),
        name=_text(name, "name", MAX_NAME),
        products=tuple(chosen),
        location=_text(location, "location", MAX_LOCATION),
        status=BaseStatus.VALID,
        updated_at=ctx.now,
    )
    if store.base(number) is not None:
        raise refused(Kind.CONFLICT, Code.BASE_EXISTS, base=number)
    with audit.atomic():
        store.add_base(base, BaseEvent(number, BaseEventKind.REGISTERED, ctx.now, ctx.actor))
        audit.record(
            actor=ctx.actor,
            action="base.registered",
            object_type="raw_material_base",
            object_id=number,
            before=None,
            after=_json(base),
            now=ctx.now,
        )
    return base


def _change(
    store: BaseStore,
    audit: AuditRecorder,
    number: str,
    *,
    ctx: Context,
    to: BaseStatus,
    kind: BaseEventKind,
    reason: str,
    required: bool,
) -> RawMaterialBase:
    _may_write(ctx)
    why = reason.strip()
    if required and not why:
        raise refused(Kind.INVALID, Code.FIELD_REQUIRED, field=Word("reason"))
    if len(why) > MAX_REASON or not plain_text(why):
        raise refused(Kind.INVALID, Code.FIELD_AT_MOST, field=Word("reason"), max=MAX_REASON)
    base = visible_base(store, ctx, number.strip())
    if base.status is to:
        raise refused(Kind.CONFLICT, Code.BASE_STATUS_ALREADY, base=base.number, status=Word(to))
    event = BaseEvent(base.number, kind, ctx.now, ctx.actor, why)
    with audit.atomic():
        if not store.set_base_status(base.number, to, event):
            raise refused(
                Kind.CONFLICT, Code.BASE_STATUS_ALREADY, base=base.number, status=Word(to)
            )
        audit.record(
            actor=ctx.actor,
            action=f"base.{kind.value}",
            object_type="raw_material_base",
            object_id=base.number,
            before={"status": base.status.value},
            after={"status": to.value, "reason": why},
            now=ctx.now,
        )
    return RawMaterialBase(
        base.number, base.enterprise, base.name, base.products, base.location, to, ctx.now
    )


def suspend_base(
    store: BaseStore, audit: AuditRecorder, number: str, *, ctx: Context, reason: str
) -> RawMaterialBase:
    """Suspend a valid base (a reason is required): routing then inspects what it supplies."""
    return _change(
        store, audit, number, ctx=ctx, to=BaseStatus.SUSPENDED,
        kind=BaseEventKind.SUSPENDED, reason=reason, required=True,
    )  # fmt: skip


def reinstate_base(
    store: BaseStore, audit: AuditRecorder, number: str, *, ctx: Context, reason: str = ""
) -> RawMaterialBase:
    """Make a suspended base valid again."""
    return _change(
        store, audit, number, ctx=ctx, to=BaseStatus.VALID,
        kind=BaseEventKind.REINSTATED, reason=reason, required=False,
    )  # fmt: skip


def base_history(
    store: BaseStore, number: str, *, ctx: Context
) -> tuple[RawMaterialBase, list[BaseEvent]]:
    base = visible_base(store, ctx, number.strip())
    return base, store.base_history(base.number)
