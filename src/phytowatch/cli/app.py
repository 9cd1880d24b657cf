"""The Typer app, assembled from the command modules. ``evaluate``'s fast path skips it."""

from __future__ import annotations

import typer

from phytowatch import __version__
from phytowatch.cli.accounts_cmds import offices_app, runs_signoff, tokens_app, users_app
from phytowatch.cli.alarms_cmds import alarms_app
from phytowatch.cli.audit_cmds import audit_app
from phytowatch.cli.certificates_cmds import certificates_app
from phytowatch.cli.consignments_cmds import consignments_app
from phytowatch.cli.demo_cmd import demo
from phytowatch.cli.inspections_cmds import inspections_app
from phytowatch.cli.marks_cmds import marks_app
from phytowatch.cli.mqtt_cmd import ingest_mqtt
from phytowatch.cli.registry_cmds import (
    cameras_app,
    db_app,
    enterprises_app,
    facilities_app,
    probes_app,
)
from phytowatch.cli.rules_cmds import rules_app
from phytowatch.cli.runs_cmds import runs_app
from phytowatch.cli.schedules_cmds import schedules_app
from phytowatch.cli.serve_cmd import serve
from phytowatch.cli.simulate_cmd import simulate
from phytowatch.cli.standing_cmds import bases_app, classify_app
from phytowatch.cli.verify_qr_cmd import verify_qr

app = typer.Typer(
    name="phytowatch",
    help="phytowatch: remote monitoring of phytosanitary treatments. 植物检疫除害处理远程监控。",
    no_args_is_help=True,
    add_completion=False,
    rich_markup_mode=None,
)
app.add_typer(schedules_app, name="schedules")
app.add_typer(enterprises_app, name="enterprises")
app.add_typer(facilities_app, name="facilities")
app.add_typer(db_app, name="db")
app.add_typer(probes_app, name="probes")
app.add_typer(cameras_app, name="cameras")
app.add_typer(runs_app, name="runs")
app.add_typer(alarms_app, name="alarms")
app.add_typer(audit_app, name="audit")
app.add_typer(users_app, name="users")
app.add_typer(offices_app, name="offices")
app.add_typer(tokens_app, name="tokens")
app.add_typer(rules_app, name="rules")
app.add_typer(classify_app, name="classify")
app.add_typer(bases_app, name="bases")
app.add_typer(consignments_app, name="consignments")
app.add_typer(inspections_app, name="inspections")
# -- step 4, certificates: the lifecycle, numbers, keys --
app.add_typer(certificates_app, name="certificates")
# -- step 4, certificates: pages and forms --
# -- step 4, certificates: the printed certificate, QR, public verification --
certificates_app.command("verify-qr")(verify_qr)
# -- step 4, IPPC ePhyto: export, validate, import --
from phytowatch.cli.ephyto_cmds import ephyto_app  # noqa: E402 (under its part's marker)

app.add_typer(ephyto_app, name="ephyto")
# -- step 4, the IPPC mark for wood packaging --
app.add_typer(marks_app, name="marks")
# -- step 5, e-transfer: transfers, retrieval, amendments --
from phytowatch.cli.transfers_cmds import transfers_app  # noqa: E402 (under its part's marker)

app.add_typer(transfers_app, name="transfers")
# -- step 5, the outbox and the port's receiver --
# -- step 6, port check and release --
from phytowatch.cli.port_cmds import clearances_app, port_app  # noqa: E402 (under its marker)

app.add_typer(port_app, name="port")
app.add_typer(clearances_app, name="clearances")
# -- the six-step timeline --
# -- the bureau's view (KPIs) --
# -- steps 5-6, the demo province runs the whole chain --
runs_app.command("signoff")(runs_signoff)
app.command("serve")(serve)
app.command("simulate")(simulate)
app.command("ingest-mqtt")(ingest_mqtt)


@app.command(
    context_settings={"allow_extra_args": True, "ignore_unknown_options": True},
    add_help_option=False,
)
def evaluate(ctx: typer.Context) -> None:
    """Judge a treatment log (CSV) against its schedule. 离线判定处理记录。

    phytowatch evaluate LOG.csv --schedule ID [--param NAME=VALUE ...] [--offset PROBE=DELTA ...]
    [--json] [--lang en|zh]. Exit code 0 PASS, 1 FAIL, 3 INDETERMINATE, 2 bad input.
    """
    from phytowatch.cli.evaluate import run

    raise typer.Exit(run(ctx.args))


@app.command()
def version() -> None:
    """Print the version. 显示版本。"""
    typer.echo(f"phytowatch {__version__}")


app.command("demo")(demo)
