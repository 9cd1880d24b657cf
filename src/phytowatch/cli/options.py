"""Options and helpers shared by several commands: the database to open, the language."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from typing import TYPE_CHECKING, Annotated

import typer

from phytowatch.cli.messages import LANGS, default_lang, say

if TYPE_CHECKING:
    from phytowatch.services.app import App
    from phytowatch.services.context import Context

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


@contextmanager
def open_services(database_url: str | None, *, create: bool = False) -> Iterator[App]:
    """Bootstrap against the database (migrated to the newest schema), and close it after.

    A database that does not exist is said so (exit 2) and never created, unless ``create``
    (``db upgrade``; ``serve`` and ``demo`` build their own)."""
    from phytowatch.bootstrap import bootstrap, describe_database
    from phytowatch.cli.output import fail
    from phytowatch.config import load_settings
    from phytowatch.domain.messages import Code, Invalid
    from phytowatch.domain.messages import say as message
    from phytowatch.services.ports import (
        DatabaseMissingError,
        DatabaseUrlError,
        StorageUnavailableError,
    )

    settings = load_settings(database_url=database_url)

    def bad_url(error: str) -> typer.Exit:
        bad = message(
            Code.CLI_DATABASE_URL_BAD,
            option="--database-url",
            url=describe_database(settings.database_url),
            error=error,
            sqlite="sqlite:///FILE",
            postgresql="postgresql+psycopg://USER@HOST/DB",
        )
        return fail(bad)

    try:
        services = bootstrap(settings, create=create)
    except DatabaseMissingError:
        missing = message(
            Code.CLI_DATABASE_MISSING,
            database=describe_database(settings.database_url),
            # a SQLite file is created by `db upgrade`; a PostgreSQL database by its server
            command="phytowatch db upgrade"
            if settings.database_url.startswith("sqlite")
            else "createdb",
        )
        raise fail(missing) from None
    except StorageUnavailableError as error:
        # the driver's own words, or that it said nothing
        first = str(error).strip() or say(message(Code.CLI_DATABASE_NO_ANSWER))
        raise fail(message(Code.CLI_DATABASE_UNREACHABLE, error=first)) from None
    except DatabaseUrlError as error:  # the URL, as the storage layer says why it is refused
        raise bad_url(say(error.message)) from None
    except Invalid as error:  # the notification rules or their settings, before the database
        raise fail(error.message) from None
    except ValueError as error:  # the URL, in the driver's words
        raise bad_url(str(error)) from None
    try:
        yield services
    finally:
        services.close()


def operator() -> str:
    """The operating-system user who runs the command (``uid-<n>`` when it has no name)."""
    import getpass

    try:
        return getpass.getuser()
    except (OSError, KeyError):  # no user name in the environment nor in the password database
        import os

        return f"uid-{os.getuid()}" if hasattr(os, "getuid") else "unknown"


def cli_context(services: App) -> Context:
    """Who acts and when, for the use cases one command calls: the audit trail says
    ``cli:<operating-system user>``; now is the application's one clock."""
    from phytowatch.services.context import Context

    return Context.cli(operator(), services.clock)
