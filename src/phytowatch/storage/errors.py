"""The database's errors said in the services' words, so that no adapter sees SQLAlchemy.

:func:`translating` wraps every public method of a store: a value the database cannot hold or
compare (PostgreSQL: a NUL in text; a number past its column) becomes a refusal of the input
(``Refused``, kind invalid, ``Code.UNSTORABLE``); a database out of reach (connection refused or
lost, a lock not granted) becomes ``StorageUnavailableError``. What a store handles itself (a
duplicate code, say) never gets here. The SQLite and PostgreSQL writers keep their own handling:
they retry and answer each batch's future.
"""

from __future__ import annotations

import functools
import inspect
import logging
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import Any, TypeVar

from sqlalchemy.exc import DataError, DBAPIError, IntegrityError

from phytowatch.domain.messages import Code, Kind, refused
from phytowatch.services.ports import StorageUnavailableError

log = logging.getLogger(__name__)
T = TypeVar("T")


@contextmanager
def storage_errors() -> Iterator[None]:
    try:
        yield
    except (DataError, IntegrityError) as error:
        # logged without the statement's parameters: they are what a client typed
        log.warning("a value refused by the database: %s", type(error.orig).__name__)
        raise refused(Kind.INVALID, Code.UNSTORABLE) from None
    except DBAPIError as error:
        log.warning("database unavailable: %s", type(error.orig).__name__)
        lines = str(error.orig).strip().splitlines()  # the driver's words, for an operator
        raise StorageUnavailableError(lines[0] if lines else type(error.orig).__name__) from None


def _wrapped(method: Callable[..., Any]) -> Callable[..., Any]:
    @functools.wraps(method)
    def call(*args: Any, **kwargs: Any) -> Any:
        with storage_errors():
            return method(*args, **kwargs)

    return call


def _wrapped_stream(method: Callable[..., Iterator[Any]]) -> Callable[..., Iterator[Any]]:
    @functools.wraps(method)
    def call(*args: Any, **kwargs: Any) -> Iterator[Any]:
        with storage_errors():
            yield from method(*args, **kwargs)

    return call


def translating(cls: type[T]) -> type[T]:
    """Every public method of the store, its database errors translated (see the module)."""
    for name, member in list(vars(cls).items()):
        if name.startswith("_") or not inspect.isfunction(member):
            continue
        if inspect.isgeneratorfunction(member):  # read as a stream: errors come while iterating
            setattr(cls, name, _wrapped_stream(member))
        else:
            setattr(cls, name, _wrapped(member))
    return cls
