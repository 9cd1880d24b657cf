"""How every command says a refusal: one line on stderr in the CLI's language, exit code 2."""

from __future__ import annotations

import typer

from phytowatch.cli.messages import say
from phytowatch.domain.messages import Message, Refused

REFUSED_EXIT = 2  # bad input or a refusal, whatever its kind (docs/cli.md)


def fail(message: Message | str, *, prefix: str = "phytowatch") -> typer.Exit:
    """Print why, and the exit to raise: ``raise fail(...) from None``."""
    text = say(message) if isinstance(message, Message) else message
    typer.echo(f"{prefix}: {text}", err=True)
    return typer.Exit(REFUSED_EXIT)


def refused(error: Refused) -> typer.Exit:
    return fail(error.message)
