"""``phytowatch outbox …``: deliver (the worker), status, retry; ``phytowatch port-receiver``
(the reference receiver, receiver/server.py)."""

from __future__ import annotations

import signal
import threading
from typing import Annotated

import typer

from phytowatch.cli.messages import say
from phytowatch.cli.options import DatabaseOption, cli_context, open_services
from phytowatch.cli.output import fail, refused
from phytowatch.domain.messages import Code, Instant, Refused
from phytowatch.domain.messages import say as message

outbox_app = typer.Typer(
    help="The outbox: messages to other systems (transfers to the ports). 发件箱。",
    no_args_is_help=True,
)


@outbox_app.command("deliver")
def outbox_deliver(
    once: Annotated[
        bool, typer.Option("--once", help="deliver what is due now, then stop")
    ] = False,
    idle: Annotated[
        float, typer.Option(metavar="SECONDS", help="pause when nothing is due", min=0.05)
    ] = 1.0,
    database_url: DatabaseOption = None,
) -> None:
    """Deliver the outbox's messages until stopped (SIGTERM, Ctrl-C). 投递发件箱消息。"""
    with open_services(database_url) as services:
        deliveries = services.deliveries
        names = ", ".join(sorted(deliveries.receivers)) or "-"
        typer.echo(say(message(Code.OUTBOX_WORKER, receivers=names)), err=True)
        if once:
            tried = deliveries.drain()
            waiting = sum(s.waiting for s in deliveries.status())
            typer.echo(say(message(Code.OUTBOX_DELIVERED, count=tried, waiting=waiting)))
            return
        stop = threading.Event()
        previous = signal.signal(signal.SIGTERM, lambda *_: stop.set())
        try:
            deliveries.run(stop, idle_s=idle, on_error=_report)
        except KeyboardInterrupt:
            stop.set()
        finally:
            signal.signal(signal.SIGTERM, previous)


def _report(error: BaseException) -> None:
    typer.echo(f"phytowatch outbox: {type(error).__name__}: {error}", err=True)


@outbox_app.command("status")
def outbox_status(database_url: DatabaseOption = None) -> None:
    """Per destination: waiting, delivered, refused, failing, oldest wait, last error.
    每个接收方的投递状态。"""
    with open_services(database_url) as services:
        found = services.deliveries.status()
    if not found:
        typer.echo(say(message(Code.OUTBOX_NOTHING)))
        return
    for s in found:
        oldest = "-" if s.oldest_undelivered_since is None else Instant(s.oldest_undelivered_since)
        flag = "! " if s.flagged else "  "
        line = message(
            Code.OUTBOX_STATUS_LINE,
            destination=s.destination,
            waiting=s.waiting,
            delivered=s.delivered,
            refused=s.refused,
            failing=s.failing,
            oldest=oldest,
        )
        typer.echo(flag + say(line))
        if s.last_error is not None:
            at = "-" if s.last_error_at is None else Instant(s.last_error_at)
            last = message(Code.OUTBOX_LAST_ERROR, at=at, error=say(s.last_error))
            typer.echo("    " + say(last))


@outbox_app.command("retry")
def outbox_retry(
    destination: Annotated[
        str | None, typer.Option(metavar="NAME", help="the refused messages to this receiver")
    ] = None,
    message_id: Annotated[
        int | None, typer.Option("--message", metavar="ID", help="one refused message")
    ] = None,
    all_: Annotated[bool, typer.Option("--all", help="every refused message")] = False,
    database_url: DatabaseOption = None,
) -> None:
    """Send refused messages again, once the receiver or its settings are fixed (audited).
    重新投递被拒收的消息。"""
    if destination is None and message_id is None and not all_:
        raise fail(message(Code.OUTBOX_RETRY_WHICH))
    with open_services(database_url) as services:
        try:
            count = services.deliveries.retry(
                cli_context(services), destination=destination, message_id=message_id
            )
        except Refused as error:
            raise refused(error) from None
    typer.echo(say(message(Code.OUTBOX_RETRIED, count=count)))


def port_receiver(
    listen: Annotated[
        str, typer.Option(metavar="HOST:PORT", help="where to listen")
    ] = "127.0.0.1:8900",
    database: Annotated[
        str, typer.Option(metavar="URL", help="sqlite:///FILE the received messages are kept in")
    ] = "sqlite:///port-receiver.db",
    secret: Annotated[
        str,
        typer.Option(
            metavar="SECRET",
            envvar="PHYTOWATCH_RECEIVER_SECRET",
            help="the shared secret (or PHYTOWATCH_RECEIVER_SECRET)",
            show_default=False,
        ),
    ] = "",
) -> None:
    """The port's reference receiver of the outbox: checks, stores each key once.
    口岸参考接收端（校验签名，按键幂等存储）。"""
    from phytowatch.receiver.server import database_path, parse_listen, serve

    try:
        host, port = parse_listen(listen)
    except ValueError:
        raise fail(message(Code.RECEIVER_LISTEN, value=listen[:100])) from None
    if not secret:
        raise fail(message(Code.OUTBOX_RECEIVER_SECRET, name="port-receiver"))
    try:
        path = database_path(database)
    except ValueError:
        raise fail(message(Code.RECEIVER_DATABASE, database=database[:100])) from None
    stop = threading.Event()
    signal.signal(signal.SIGTERM, lambda *_: stop.set())
    typer.echo(
        say(message(Code.RECEIVER_LISTENING, url=f"http://{host}:{port}", database=path)), err=True
    )
    try:
        serve(listen, database, secret, stop=stop)
    except OSError as error:
        raise fail(
            message(Code.RECEIVER_CANNOT_LISTEN, listen=listen, error=str(error.strerror or error))
        ) from None
    except KeyboardInterrupt:
        pass
