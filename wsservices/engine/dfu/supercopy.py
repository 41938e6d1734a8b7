"""The DFU server's `supercopy` job (command 15): Copy of a superfile keeping its structure.

What the DFU server does (dfurun runSuperCopy / doSuperForeignCopy), for a source in this
environment:

* the destination superfile gets the destination name; each subfile of the source is "copied"
  to a file of the **same name** as the source subfile — which, with a local source, is the
  subfile itself, so nothing is copied ("File copy of <name> not done as file local") and the
  new superfile lists the source's own subfiles, nested superfiles included, in order;
* an existing destination: without `overwrite` → ``Destination file <name> already exists``;
  a superfile is reused in place (its subfiles replaced), anything else is deleted first, all in
  one transaction (a crash or a lock leaves the old destination as it was);
* while the destination is locked by someone else, the workunit is `blocked` (state 9) with
  the reason ``looking up destination file: <name>`` or ``acquiring write lock on superfile:
  <name>``, retries, and goes back to `started` when the lock is gone; after 5 minutes it
  fails with ``Timed out: <reason>``;
* a source that vanished: ``Source file <name> could not be found in Dali (local)``;
  copying a superfile onto itself does nothing.

The wait is lockwait.py's (it retries more often than the DFU server). Not emulated: remote Dalis (Copy answers "not
implemented" at request time), Roxie prefixes (``destGroupRoxie``).
"""
from __future__ import annotations

from wsservices.engine.dfu.destination import check_destination
from wsservices.engine.dfu.lockwait import SUPERCOPY_TIMEOUT_SECONDS, while_blocked
from wsservices.engine.errors import DomainError
from wsservices.engine.dali.catalog import catalog

DFU_ERROR = -1


def supercopy(ctx) -> None:
    files = catalog(ctx.cluster)
    source, target = ctx.wu.source["logical_name"], ctx.wu.destination["logical_name"]
    check_destination(target)
    _copy(ctx, files, target, source)
    ctx.report(1, 1, 1, 1, force=True)


def _copy(ctx, files, target: str, source: str) -> None:
    info = files.get(source)
    if info is None:
        raise DomainError(f"Source file {source} could not be found in Dali (local)", DFU_ERROR)
    if source == target:
        return   # a local file copied onto its own name: nothing to do
    while_blocked(ctx, f"looking up destination file: {target}",
                   lambda: files.exists(target) and files.locks.check_writable(
                       target, is_superfile=files.is_superfile(target)), SUPERCOPY_TIMEOUT_SECONDS)
    existing = files.get(target)
    if existing is not None and not ctx.wu.options.get("overwrite"):
        raise DomainError(f"Destination file {target} already exists", DFU_ERROR)
    if not info.is_superfile:
        # only reached for a nested source whose name differs: a remote copy, not emulated
        raise DomainError(f"File {target} could not be copied - see unknown", DFU_ERROR)
    for sub in info.subfiles:   # a local subfile is "copied" onto its own name
        _copy(ctx, files, sub, sub)
        ctx.check_abort()
    while_blocked(ctx, f"acquiring write lock on superfile: {target}",
                  lambda: _replace_superfile(files, target, info.subfiles), SUPERCOPY_TIMEOUT_SECONDS)


def _replace_superfile(files, target: str, members: list[str]) -> None:
    """In one transaction: the destination becomes a superfile of ``members`` (an existing file
    of that name replaced, an existing superfile emptied first), or nothing changes."""
    supers = files.superfiles
    with files.store.transaction():
        existing = files.get(target)
        if existing is not None:
            files.locks.check_writable(target, is_superfile=existing.is_superfile)
            if not existing.is_superfile:
                files.delete(target)
        supers.create(target, exist_ok=True)
        current = files.get(target).subfiles
        if current:
            supers.remove(target, current)
        if members:
            supers.add(target, members)
