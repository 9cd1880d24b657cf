"""``phytowatch ingest-mqtt``: one MQTT ingest worker (device protocol v1 over MQTT)."""

from __future__ import annotations

from typing import Annotated

import typer

from phytowatch.cli.options import DatabaseOption


def _default_client_id() -> str:
    import socket

    return f"phytowatch-ingest-{socket.gethostname()}"


def ingest_mqtt(
    database_url: DatabaseOption = None,
    client_id: Annotated[
        str | None,
        typer.Option(
            "--client-id",
            metavar="ID",
            help="this worker's fixed MQTT client id: its persistent session keeps the messages "
            "published while it is down; give each worker its own "
            "(default: phytowatch-ingest-<hostname>)",
            show_default=False,
        ),
    ] = None,
    log_level: Annotated[str, typer.Option(metavar="LEVEL", help="info, warning, …")] = "info",
) -> None:
    """Store readings that devices publish over MQTT, until SIGINT/SIGTERM. MQTT 数据接入。

    Subscribes to $share/<PHYTOWATCH_MQTT_SHARE_GROUP>/phytowatch/v1/+/readings on
    PHYTOWATCH_MQTT_HOST:PHYTOWATCH_MQTT_PORT; answers go to phytowatch/v1/<facility>/results.
    Run several workers (each with its own --client-id) to share the load.
    """
    import asyncio
    import logging
    import signal

    from phytowatch.cli.messages import say
    from phytowatch.cli.options import open_services
    from phytowatch.config import load_settings
    from phytowatch.domain.messages import Code
    from phytowatch.domain.messages import say as message
    from phytowatch.ingest.mqtt import MqttIngest

    logging.basicConfig(
        level=log_level.upper(), format="%(asctime)s %(levelname)s %(name)s: %(message)s"
    )
    worker_id = client_id or _default_client_id()
    settings = load_settings(database_url=database_url)  # the worker's own: the broker's address
    with open_services(database_url) as services:
        worker = MqttIngest(services, settings, client_id=worker_id)

        async def main() -> None:
            loop = asyncio.get_running_loop()
            for sig in (signal.SIGINT, signal.SIGTERM):
                loop.add_signal_handler(sig, worker.stop)
            await worker.run()

        command = "phytowatch ingest-mqtt"
        listening = message(
            Code.CLI_MQTT_LISTENING,
            command=command,
            worker=worker_id,
            broker=f"{settings.mqtt_host}:{settings.mqtt_port}",
            database=settings.database_url.split("@")[-1],
        )
        typer.echo(say(listening), err=True)
        asyncio.run(main())
        typer.echo(say(message(Code.CLI_MQTT_STOPPED, command=command, worker=worker_id)), err=True)
