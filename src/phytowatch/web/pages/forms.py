"""What the administration pages' forms share: the answer a refusal gets, the fields kept for
retyping, a calendar day as the CLI reads one, and a temporary password shown once."""

from __future__ import annotations

import secrets
from collections.abc import Awaitable, Callable, Mapping, Sequence
from typing import Any

from fastapi.responses import HTMLResponse
from starlette.concurrency import run_in_threadpool

from phytowatch.domain.accounts import password_problem
from phytowatch.domain.instants import parse_instant
from phytowatch.domain.messages import Code, Invalid, Message, Refused, Word, say
from phytowatch.web.errors import STATUS
from phytowatch.web.templating import PageError

# What a page shows again after a refusal, so nothing typed is lost (never a password).
SECRET_FIELDS = frozenset({"csrf_token", "password"})
# Letters and digits a person reads aloud without confusing them (no 0/O, 1/l/I).
_READABLE = "23456789ABCDEFGHJKLMNPQRSTUVWXYZabcdefghijkmnpqrstuvwxyz"


class FormInputError(Invalid):
    """Input a page itself refuses before calling a service; the message is a code."""


Shown = Callable[..., Awaitable[HTMLResponse]]


def kept(form_name: str, fields: Mapping[str, str]) -> dict[str, str]:
    """The fields of a refused form, to fill it again (``kept.form`` names which form; empty
    for a button that has no form of its own to show the refusal beside)."""
    return {
        **{k: v for k, v in fields.items() if k not in SECRET_FIELDS and k != "form"},
        "form": form_name,
    }


def unstorable(text: str) -> bool:
    """A NUL: no database text holds one (PostgreSQL refuses it), and no name needs one."""
    return "\x00" in text


def named_in_path(*names: str) -> None:
    """What the path names (a facility, a login) and no database could hold is not found."""
    if any(unstorable(name) for name in names):
        raise PageError(404, say(Code.NOT_FOUND))


async def attempt(
    show: Shown,
    action: Callable[[], Any],
    form_name: str,
    fields: Mapping[str, str],
    *,
    path: Sequence[str] = (),
    **notice: Any,
) -> HTMLResponse:
    """Run a service call off the event loop; show the page with its result, or with the
    refusal said and the typed fields kept."""
    named_in_path(*path)
    if any(unstorable(value) for value in fields.values()):
        clean = {k: v.replace("\x00", "") for k, v in fields.items()}
        field = next(k for k, v in fields.items() if unstorable(v))
        problem = say(Code.FORM_NUL, field=Word(field))
        return await show(422, error=problem, kept=kept(form_name, clean))
    try:
        result = await run_in_threadpool(action)
    except Refused as refused:
        status = STATUS[refused.kind]
        return await show(status, error=refused.message, kept=kept(form_name, fields))
    except FormInputError as problem:
        return await show(422, error=problem.message, kept=kept(form_name, fields))
    return await show(200, result=result, **notice)


def calendar_day(text: str, problem: Message) -> int:
    """A date as the CLI and the JSON API read it (``2026-03-01`` is 00:00 UTC that day);
    ``problem`` is said otherwise."""
    if not text.strip():
        raise FormInputError(problem)
    try:
        return parse_instant(text, naive_is_utc=True)
    except (ValueError, ArithmeticError):
        raise FormInputError(problem) from None


def temporary_password(login: str) -> str:
    """16 readable random characters (about 92 bits), grouped by four for reading aloud."""
    while True:
        raw = "".join(secrets.choice(_READABLE) for _ in range(16))
        password = "-".join(raw[i : i + 4] for i in range(0, 16, 4))
        if password_problem(password, login) is None:
            return password
