"""Options and helpers shared by several commands: the database to open, the language."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from typing import TYPE_CHECKING, Annotated

import typer

from phytowatch.cli.messages import LANGS, default_lang

if TYPE_CHECKING:
    from phytowatch.bootstrap import Services

DatabaseOption = Annotated[
    str | None,
    typer.Option(
        "--database-url",
        metavar="URL",
        help="sqlite:///FILE or postgresql+psycopg://USER@HOST/DB "
        "(default: PHYTOWATCH_DATABASE_URL, else sqlite:///phytowatch.db)",
        show_default=False,
    ),
]

LangOption = Annotated[
    str | None,
    typer.Option(
        "--lang", metavar="LANG", help="en or zh (default: from the locale)", show_default=False
    ),
]


def language_of(lang: str | None) -> str:
    if lang is not None and lang not in LANGS:
        raise typer.BadParameter(f"--lang must be one of {', '.join(LANGS)}")
    return lang or default_lang()


def _masked(url: str) -> str:
    """The URL without its password, for messages."""
    from sqlalchemy.engine import make_url
    from sqlalchemy.exc import ArgumentError

    try:
        return repr(make_url(url).render_as_string(hide_password=True))
    except (ArgumentError, ValueError):
        return "(not a database URL)"


@contextmanager
def open_services(database_url: str | None) -> Iterator[Services]:
    """Bootstrap against the database (migrated to the newest schema), and close it after."""
    from sqlalchemy.exc import ArgumentError, OperationalError

    from phytowatch.bootstrap import bootstrap
    from phytowatch.config import load_settings

    settings = load_settings(database_url=database_url)
    try:
        services = bootstrap(settings)
    except OperationalError as error:
        first = str(error.orig).strip().splitlines()[0] if str(error.orig).strip() else "no answer"
        typer.echo(f"phytowatch: cannot open the database: {first}", err=True)
        raise typer.Exit(2) from None
    except (ArgumentError, ValueError) as error:
        typer.echo(
            f"phytowatch: --database-url {_masked(settings.database_url)}: {error} "
            "(write sqlite:///FILE or postgresql+psycopg://USER@HOST/DB)",
            err=True,
        )
        raise typer.Exit(2) from None
    try:
        yield services
    finally:
        services.close()
