"""The `hpccemu` command: run the emulator, export its WSDLs, print its coverage."""
from __future__ import annotations

import logging
from pathlib import Path

import click

from wsservices import __version__


@click.group()
@click.version_option(__version__, prog_name="hpccemu")
def main() -> None:
    """hpccemu: HPCC Systems' FileSpray, WsDfu and WsPackageProcess, emulated."""


def _control_commands() -> None:
    from wsservices.cli_control import node

    main.add_command(node)


@main.command()
@click.option("--host", default=None, help="Address to listen on [default: 127.0.0.1].")
@click.option("--port", type=int, default=None, help="Port to listen on [default: 8010].")
@click.option("--data-dir", type=click.Path(file_okay=False), default=None,
              help="Where the cluster keeps its state [default: ./hpccemu-data].")
@click.option("--config", "config_file", type=click.Path(dir_okay=False, exists=True), default=None,
              help="A TOML file describing the environment and settings.")
def serve(host, port, data_dir, config_file) -> None:
    """Start the ESP server on the configured (or embedded default) environment."""
    from wsservices.app import make_app
    from wsservices.engine.cluster import Cluster
    from wsservices.engine.config import ConfigError, load_settings
    from wsservices.server import exposure_warning, make_server

    try:
        settings = load_settings(config_file, {"host": host, "port": port, "data_dir": data_dir})
    except ConfigError as exc:
        raise click.UsageError(str(exc)) from None
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(levelname)s %(name)s: %(message)s")
    logging.getLogger("werkzeug").setLevel(logging.WARNING)
    if settings.htpasswd is not None and not settings.htpasswd.is_file():
        raise click.UsageError(f"htpasswd file {settings.htpasswd}: not found")
    warning = exposure_warning(settings)
    if warning:
        click.secho(warning, err=True, fg="yellow")
    cluster = Cluster.open(settings)
    server = make_server(settings, make_app(cluster))
    base = f"http://{settings.host}:{server.server_port}"
    click.echo(f"hpccemu {__version__}: data in {Path(settings.data_dir).resolve()}")
    for name in ("FileSpray", "WsDfu", "WsPackageProcess"):
        click.echo(f"  {base}/{name}/")
    click.echo(f"  {base}/health")
    try:
        server.serve_forever()
    except KeyboardInterrupt:
        pass
    finally:
        server.server_close()
        cluster.close()


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
