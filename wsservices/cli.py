"""The `hpccemu` command: run the emulator, export its WSDLs, print its coverage."""
from __future__ import annotations

import logging
import os
import threading
from pathlib import Path

import click

from wsservices import __version__
from wsservices.cli_data import reset, restore_dali, seed


@click.group()
@click.version_option(__version__, prog_name="hpccemu")
def main() -> None:
    """hpccemu: HPCC Systems' FileSpray, WsDfu and WsPackageProcess, emulated."""


def _control_commands() -> None:
    from wsservices.cli_control import backupnode, node

    main.add_command(node)
    main.add_command(backupnode)


LOG_LEVELS = ("debug", "info", "warning", "error")


@main.command()
@click.option("--host", default=None, help="Address to listen on [default: 127.0.0.1].")
@click.option("--port", type=int, default=None, help="Port to listen on [default: 8010].")
@click.option("--data-dir", type=click.Path(file_okay=False), default=None,
              help="Where the cluster keeps its state [default: ./hpccemu-data].")
@click.option("--config", "config_file", type=click.Path(dir_okay=False, exists=True), default=None,
              help="A TOML file describing the environment and settings.")
@click.option("--log-level", type=click.Choice(LOG_LEVELS, case_sensitive=False), default="info",
              envvar="HPCCEMU_LOG_LEVEL", show_default=True,
              help="info logs one line per request (the access log); warning and error only problems.")
@click.option("--log-requests", is_flag=True, envvar="HPCCEMU_LOG_REQUESTS",
              help="Also log request and response bodies (cut after 4 KB, passwords masked).")
@click.option("--seed", "seed_file", type=click.Path(dir_okay=False, exists=True), default=None,
              help="A seed file (TOML) to apply once the server is up (see `hpccemu seed`).")
@click.option("--reset", "reset_first", is_flag=True,
              help="Empty the cluster in the data dir before serving (and seeding).")
@click.option("--workers", type=click.IntRange(min=1), default=None, envvar="HPCCEMU_WORKERS",
              help="ESP worker processes (gunicorn), with the DFU server as a process of its own; "
                   "1 serves everything from this process [default: the number of cores; 1 with "
                   "deterministic DFU workunits].")
def serve(host, port, data_dir, config_file, log_level, log_requests, seed_file, reset_first, workers) -> None:
    """Start the ESP server on the configured (or embedded default) environment."""
    from wsservices.app import make_app
    from wsservices.cli_data import _checked, apply_plan
    from wsservices.engine.cluster import Cluster
    from wsservices.engine.config import ConfigError, load_settings
    from wsservices.esp.accesslog import AccessLog
    from wsservices.server import exposure_warning, make_server

    try:
        settings = load_settings(config_file, {"host": host, "port": port, "data_dir": data_dir})
    except ConfigError as exc:
        raise click.UsageError(str(exc)) from None
    plan = _checked(seed_file) if seed_file else None
    logging.basicConfig(level=log_level.upper(), format="%(asctime)s %(levelname)s %(name)s: %(message)s")
    logging.getLogger("werkzeug").setLevel(logging.DEBUG if log_level == "debug" else logging.WARNING)
    if settings.htpasswd is not None and not settings.htpasswd.is_file():
        raise click.UsageError(f"htpasswd file {settings.htpasswd}: not found")
    warning = exposure_warning(settings)
    if warning:
        click.secho(warning, err=True, fg="yellow")
    if workers is None:
        workers = 1 if settings.deterministic else (os.cpu_count() or 1)
    elif workers > 1 and settings.deterministic:
        raise click.UsageError("--workers above 1 needs deterministic DFU workunits off "
                               "(they finish inside the request, in one process)")
    if workers > 1:
        _serve_prefork(settings, workers, plan, log_requests, reset_first)
        return
    cluster = Cluster.open(settings)
    if reset_first:
        from wsservices.engine.reset import reset as reset_cluster

        reset_cluster(cluster)
    server = make_server(settings, AccessLog(make_app(cluster), bodies=log_requests))
    base = f"http://{settings.host}:{server.server_port}"
    thread = threading.Thread(target=server.serve_forever, name="hpccemu-serve", daemon=True)
    thread.start()
    try:
        if plan is not None:
            local = "127.0.0.1" if settings.host in ("0.0.0.0", "::") else settings.host
            apply_plan(plan, f"http://{local}:{server.server_port}")
        click.echo(f"hpccemu {__version__}: data in {Path(settings.data_dir).resolve()}")
        for name in ("FileSpray", "WsDfu", "WsPackageProcess"):
            click.echo(f"  {base}/{name}/")
        click.echo(f"  {base}/health")
        while thread.is_alive():
            thread.join(0.5)
    except KeyboardInterrupt:
        pass
    finally:
        server.shutdown()
        server.server_close()
        cluster.close()


def _serve_prefork(settings, workers: int, plan, log_requests: bool, reset_first: bool) -> None:
    """`serve` with several ESP worker processes and a DFU server process (prefork.py)."""
    from wsservices import prefork
    from wsservices.cli_data import apply_plan

    def ready(port: int) -> None:
        base = f"http://{settings.host}:{port}"
        if plan is not None:
            local = "127.0.0.1" if settings.host in ("0.0.0.0", "::") else settings.host
            apply_plan(plan, f"http://{local}:{port}")
        click.echo(f"hpccemu {__version__}: data in {Path(settings.data_dir).resolve()} "
                   f"({workers} ESP workers and a DFU server process)")
        for name in ("FileSpray", "WsDfu", "WsPackageProcess"):
            click.echo(f"  {base}/{name}/")
        click.echo(f"  {base}/health")

    prefork.serve(settings, workers, log_requests=log_requests, reset_first=reset_first, on_ready=ready)


main.add_command(reset)
main.add_command(seed)
main.add_command(restore_dali)


@main.command("export-wsdl")
@click.argument("directory", type=click.Path(file_okay=False), default="wsdl")
@click.option("--address", default="http://127.0.0.1:8010", show_default=True,
              help="The server address written into soap:address.")
def export_wsdl(directory, address) -> None:
    """Write the WSDL each service serves into DIRECTORY (the project keeps them in wsdl/)."""
    from wsservices.app import SERVICE_CLASSES
    from wsservices.esp import wsdl

    out = Path(directory)
    out.mkdir(parents=True, exist_ok=True)
    for cls in SERVICE_CLASSES:
        path = out / f"{cls.contract.SERVICE}.wsdl"
        path.write_bytes(wsdl.document(cls, address))
        click.echo(f"wrote {path}")


@main.command()
@click.option("--readme", type=click.Path(dir_okay=False, exists=True), default=None,
              help="Rewrite the coverage section of this README instead of printing.")
def coverage(readme) -> None:
    """Print the implementation-coverage table (Markdown) generated from the code."""
    from wsservices.coverage import coverage_markdown, replace_section

    if readme:
        path = Path(readme)
        path.write_text(replace_section(path.read_text(), coverage_markdown()))
        click.echo(f"updated {path}")
    else:
        click.echo(coverage_markdown(), nl=False)


_control_commands()
