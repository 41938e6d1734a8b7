"""`hpccemu node ...` and `hpccemu backupnode`: failure drills and their repair on a running
emulator, through its control routes (`/hpccemu/nodes/...`, `/hpccemu/backupnode`)."""
from __future__ import annotations

import click
import requests

_url = click.option("--url", default="http://127.0.0.1:8010", show_default=True, envvar="HPCCEMU_URL",
                    help="The running emulator.")
_user = click.option("--user", "-u", default=None, envvar="HPCCEMU_USER", help="An administrator's name.")
_password = click.option("--password", "-p", default=None, envvar="HPCCEMU_PASSWORD", help="Its password.")


def call(url: str, name: str, body: dict | None, user: str | None, password: str | None) -> dict:
    """POST (or GET, without `body`) a control route; a refusal becomes a ClickException."""
    auth = (user, password or "") if user else None
    target = f"{url.rstrip('/')}/hpccemu/{name}"
    try:
        r = requests.post(target, json=body, auth=auth, timeout=600) if body is not None \
            else requests.get(target, auth=auth, timeout=60)
    except requests.RequestException as exc:
        raise click.ClickException(f"{target}: {exc}") from None
    try:
        answer = r.json()
    except ValueError:
        raise click.ClickException(f"{target}: HTTP {r.status_code}") from None
    if r.status_code != 200:
        errors = answer.get("Exceptions", {}).get("Exception", [{}])
        raise click.ClickException("; ".join(str(e.get("Message")) for e in errors))
    return answer


def _print_nodes(answer: dict) -> None:
    for node in answer["Nodes"]:
        click.echo(f"{node['Name']:<12} {node['Ip']:<16} {node['State']}")


@click.group()
def node() -> None:
    """List the nodes, take one offline, bring it back, or swap it for an empty one."""


@node.command("list")
@_url
@_user
@_password
def list_nodes(url, user, password) -> None:
    """Every node and whether it is online."""
    _print_nodes(call(url, "nodes", None, user, password))


def _action(verb: str, help_text: str):
    @node.command(verb, help=help_text)
    @click.argument("name")
    @_url
    @_user
    @_password
    def command(name, url, user, password) -> None:
        _print_nodes(call(url, f"nodes/{verb}", {"node": name}, user, password))
    return command


_action("offline", "Make NAME's primary and mirror folders unreachable.")
_action("online", "Bring NAME's folders back.")
_action("swap", "Replace NAME by an empty node (its folders exist and are empty).")


@click.command()
@click.argument("cluster")
@_url
@_user
@_password
def backupnode(cluster, url, user, password) -> None:
    """Make every part's backup copy on Thor CLUSTER match its primary (start_backupnode)."""
    answer = call(url, "backupnode", {"cluster": cluster}, user, password)
    for line in answer["Lines"]:
        click.echo(line, err=line.startswith("ERROR: "))
