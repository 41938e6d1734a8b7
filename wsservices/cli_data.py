"""``hpccemu reset``, ``hpccemu seed`` and ``hpccemu restore-dali``: start over, put a known state
in, or go back to the Dali backup, from the shell.

Both act on a running server when one answers (``--url``, or the configured host and port
serving the same data dir, as its ``/health`` tells), else on the data dir itself with the
server stopped: ``reset`` opens the cluster and empties it (`wsservices.engine.reset`), ``seed``
runs the emulator in-process on the data dir while it applies the file. Seed files are read by
`hpccemu.seedfile` and applied with `hpccemu.Seeder`, through the services as a script would.
"""
from __future__ import annotations

from pathlib import Path

import click
import requests

CONFIG = click.option("--config", "config_file", type=click.Path(dir_okay=False, exists=True), default=None,
                      help="A TOML file describing the environment and settings.")
DATA_DIR = click.option("--data-dir", type=click.Path(file_okay=False), default=None,
                        help="The cluster's state [default: ./hpccemu-data].")
URL = click.option("--url", default=None, help="A running emulator, e.g. http://127.0.0.1:8010.")


def _settings(config_file, data_dir):
    from wsservices.engine.config import ConfigError, load_settings

    try:
        return load_settings(config_file, {"data_dir": data_dir})
    except ConfigError as exc:
        raise click.UsageError(str(exc)) from None


def running_server(settings) -> str | None:
    """The URL of a server on the configured host and port that serves `settings.data_dir`."""
    host = "127.0.0.1" if settings.host in ("0.0.0.0", "::", "") else settings.host
    url = f"http://{host}:{settings.port}"
    try:
        health = requests.get(f"{url}/health", timeout=3).json()
    except (requests.RequestException, ValueError):
        return None
    same = Path(str(health.get("data_dir", ""))).resolve() == Path(settings.data_dir).resolve()
    return url if same else None


@click.command()
@DATA_DIR
@CONFIG
@URL
def reset(data_dir, config_file, url) -> None:
    """Empty the emulated cluster: files, workunits, package maps, queries, drop zones.

    Through the running server when there is one (--url, or the one serving this data dir),
    else directly in the data dir."""
    if url is None:
        settings = _settings(config_file, data_dir)
        url = running_server(settings)
        if url is None:
            from wsservices.engine.cluster import Cluster
            from wsservices.engine.reset import reset as reset_cluster

            if not (Path(settings.data_dir) / "dali.sqlite").is_file():
                click.echo(f"nothing to reset: no cluster in {settings.data_dir}")
                return
            cluster = Cluster.open(settings)
            try:
                reset_cluster(cluster)
            finally:
                cluster.close()
            click.echo(f"reset the cluster in {settings.data_dir}")
            return
    _reset_server(url)
    click.echo(f"reset the cluster served at {url}")


def _reset_server(url: str) -> None:
    try:
        answer = requests.post(f"{url.rstrip('/')}/hpccemu/reset", timeout=60)
    except requests.RequestException as exc:
        raise click.ClickException(f"cannot reach {url}: {exc.__class__.__name__}") from None
    if answer.status_code != 200:
        raise click.ClickException(f"{url} answered {answer.status_code} to the reset")


RESET = click.option("--reset", "reset_first", is_flag=True,
                     help="Empty the cluster first, so that the file can be applied again.")


@click.command()
@click.argument("seed_file", type=click.Path(dir_okay=False))
@RESET
@DATA_DIR
@CONFIG
@URL
def seed(seed_file, reset_first, data_dir, config_file, url) -> None:
    """Apply SEED_FILE (TOML: landing-zone files, logical files, superfiles, package maps,
    Roxie queries; see the README) to the running server, or to the data dir.

    It is applied onto what is there, so a second run meets what the first made (a file in a
    superfile cannot be overwritten, as on a real cluster): add --reset to start from empty."""
    plan = _checked(seed_file)
    if url is None:
        settings = _settings(config_file, data_dir)
        url = running_server(settings)
        if url is None:
            from hpccemu.testing import ThreadedEmulator

            with ThreadedEmulator(data_dir=settings.data_dir, config_file=config_file) as emulator:
                if reset_first:
                    emulator.reset()
                apply_plan(plan, emulator.url)
            return
    if reset_first:
        _reset_server(url)
    apply_plan(plan, url)


def _checked(seed_file):
    from hpccemu.seedfile import SeedFileError, load_seed_file

    try:
        return load_seed_file(seed_file)
    except SeedFileError as exc:
        raise click.ClickException(str(exc)) from None


def apply_plan(plan, url: str) -> None:
    """Apply a checked seed file to the server at `url`, one line per entry."""
    from hpccemu.client import HPCCClient
    from hpccemu.seed import Seeder
    from hpccemu.seedfile import SeedFileError

    with HPCCClient(url) as client:
        try:
            plan.apply(Seeder(client), lambda text: click.echo(f"seeded {text}"))
        except SeedFileError as exc:
            raise click.ClickException(str(exc)) from None


@click.command("restore-dali")
@click.argument("backup", type=click.Path(exists=True))
@DATA_DIR
@CONFIG
def restore_dali(backup, data_dir, config_file) -> None:
    """Replace the data dir's Dali store by the backup in BACKUP (the `dali_backup` folder).

    The server must be stopped; the old store is kept in dali-before-restore-<time>/."""
    from wsservices.engine.dali.backup import restore

    settings = _settings(config_file, data_dir)
    if running_server(settings) is not None:
        raise click.ClickException(f"An emulator is serving {settings.data_dir}: stop it first")
    try:
        aside = restore(backup, settings.data_dir)
    except ValueError as exc:
        raise click.ClickException(str(exc)) from None
    click.echo(f"restored {Path(settings.data_dir) / 'dali.sqlite'} from {backup}; the old store is in {aside}")
