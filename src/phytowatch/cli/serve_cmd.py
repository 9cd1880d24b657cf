"""``phytowatch serve``: the API (device protocol v1) on SQLite or PostgreSQL."""

from __future__ import annotations

from typing import TYPE_CHECKING, Annotated

import typer

from phytowatch.cli.options import DatabaseOption

if TYPE_CHECKING:
    from collections.abc import Callable

    from phytowatch.bootstrap import Services
    from phytowatch.config import Settings


def serve(
    database_url: DatabaseOption = None,
    host: Annotated[
        str | None, typer.Option(metavar="HOST", help="listen address (default 127.0.0.1)")
    ] = None,
    port: Annotated[
        int | None, typer.Option(metavar="PORT", help="listen port (default 8000)")
    ] = None,
    log_level: Annotated[str, typer.Option(metavar="LEVEL", help="info, warning, …")] = "info",
) -> None:
    """Run the API: devices post readings and stills here. 启动服务（设备数据接入）。"""
    import uvicorn

    from phytowatch.bootstrap import bootstrap
    from phytowatch.cli.messages import say
    from phytowatch.config import load_settings
    from phytowatch.domain.messages import Code
    from phytowatch.domain.messages import say as message
    from phytowatch.web.app import create_app

    settings = load_settings(database_url=database_url, host=host, port=port)
    _check_notify_rules(settings)
    serving = message(
        Code.CLI_SERVING,
        command="phytowatch",
        url=f"http://{settings.host}:{settings.port}",
        database=settings.database_url.split("@")[-1],
    )
    typer.echo(say(serving), err=True)
    build = with_outbox(bootstrap) if settings.outbox_in_serve else bootstrap
    uvicorn.run(
        create_app(settings, build=build),
        host=settings.host,
        port=settings.port,
        log_level=log_level,
        access_log=False,
        timeout_graceful_shutdown=10,  # a client holding a half-sent body cannot block a stop
    )


def _check_notify_rules(settings: Settings) -> None:
    """Refuse bad notification rules (or the settings they need) before the server starts: one
    line in the reader's language, not a traceback from the server's start-up."""
    from phytowatch.cli.output import fail
    from phytowatch.domain.messages import Invalid
    from phytowatch.notify import make_notifier

    try:
        make_notifier(settings).close()
    except Invalid as error:
        raise fail(error.message) from None


def with_outbox(build: Callable[[Settings], Services]) -> Callable[[Settings], Services]:
    """``build``, and the outbox's delivery in a thread of the server's process, stopped (and
    waited for) before the services close."""

    def built(settings: Settings) -> Services:
        import logging
        import threading

        services = build(settings)
        stop = threading.Event()
        log = logging.getLogger("phytowatch.outbox")
        worker = threading.Thread(
            target=services.deliveries.run,
            args=(stop,),
            kwargs={"on_error": lambda error: log.warning("outbox delivery: %s", error)},
            name="phytowatch-outbox",
            daemon=True,
        )
        close = services.close

        def stop_then_close() -> None:
            stop.set()
            worker.join(timeout=30)
            close()

        services.close = stop_then_close
        worker.start()
        return services

    return built
