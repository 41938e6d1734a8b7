"""The DFU server's `supercopy` job (command 15): Copy of a superfile keeping its structure.

What the DFU server does (dfurun runSuperCopy / doSuperForeignCopy):

* the destination superfile gets the destination name; each subfile of the source is copied
  to a file of the **same name** as the source subfile. With a local source that is the
  subfile itself, so nothing is copied ("File copy of <name> not done as file local") and the
  new superfile lists the source's own subfiles; with a source on a foreign Dali (Copy with
  ``sourceDali``) each plain subfile is copied by a Copy workunit of its own, run at once
  (doSubFileCopy -> runWU: same job name, queue, user and destination group, the options of
  the supercopy), and a nested superfile becomes a local superfile of the same name, its
  subfiles copied the same way; the destination lists the subfiles in the source's order;
* an existing destination: without `overwrite` -> ``Destination file <name> already exists``;
  a superfile is reused in place (its subfiles replaced), anything else is deleted first, all in
  one transaction (a crash or a lock leaves the old destination as it was);
* while the destination is locked by someone else, the workunit is `blocked` (state 9) with
  the reason ``looking up destination file: <name>`` or ``acquiring write lock on superfile:
  <name>``, retries, and goes back to `started` when the lock is gone; after 5 minutes it
  fails with ``Timed out: <reason>``;
* a source that vanished: ``Source file <name> could not be found in Dali (local)`` (or ``in
  Dali <host:port>`` for a foreign one); a subfile copy that did not finish: ``File <name>
  could not be copied - see <its wuid>``; copying a local superfile onto itself does nothing.

The wait is lockwait.py's (it retries more often than the DFU server). Each superfile's
members are set once its subfiles are copied (the real server creates and locks it first, then
fills it): a failed subfile copy leaves a new destination superfile uncreated, while subfiles
already copied stay; an existing destination superfile of a foreign copy is emptied before its
subfiles are copied (so that they can be replaced), as the real server does. Not emulated:
Roxie prefixes (``destGroupRoxie``), ``ifModified``, the workunit's SubInProgress/SubDone lists, a plain foreign subfile replacing a local superfile of
the same name (the subfile's Copy workunit decides).
"""
from __future__ import annotations

from wsservices.engine.dfu import workunits as W
from wsservices.engine.dfu.destination import check_destination
from wsservices.engine.dfu.lockwait import SUPERCOPY_TIMEOUT_SECONDS, while_blocked
from wsservices.engine.errors import DomainError
from wsservices.engine.dali.catalog import catalog

DFU_ERROR = -1


class _LocalSource:
    """The superfile's own Dali: subfiles are not copied."""
    foreign = False
    where = "(local)"

    def __init__(self, files):
        self.files = files

    def find(self, name: str) -> tuple[bool, list[str]] | None:
        info = self.files.get(name)
        return None if info is None else (info.is_superfile, list(info.subfiles))


class _ForeignSource:
    """A foreign Dali (dfu/foreign.py): every plain subfile is copied."""
    foreign = True

    def __init__(self, dali):
        self.dali, self.where = dali, dali.endpoint

    def find(self, name: str) -> tuple[bool, list[str]] | None:
        info = self.dali.lookup(name)
        return None if info is None else (bool(info.get("IsSuperfile")), list(info.get("Subfiles") or []))


def supercopy(ctx) -> None:
    files = catalog(ctx.cluster)
    src = ctx.wu.source
    source, target = src["logical_name"], ctx.wu.destination["logical_name"]
    check_destination(target)
    origin = _LocalSource(files) if not src.get("foreign_dali") else _ForeignSource(ctx.cluster.foreign_dali(
        src["foreign_dali"], src.get("foreign_user", ""), src.get("foreign_password", "")))
    _copy(ctx, files, origin, target, source, top=True)
    ctx.report(1, 1, 1, 1, force=True)


def _copy(ctx, files, origin, target: str, source: str, top: bool = False) -> None:
    found = origin.find(source)
    if found is None:
        raise DomainError(f"Source file {source} could not be found in Dali {origin.where}", DFU_ERROR)
    is_superfile, subfiles = found
    if source == target and not origin.foreign:
        return   # a local file copied onto its own name: nothing to do
    while_blocked(ctx, f"looking up destination file: {target}",
                  lambda: files.exists(target) and files.locks.check_writable(
                      target, is_superfile=files.is_superfile(target)), SUPERCOPY_TIMEOUT_SECONDS)
    existing = files.get(target)
    if existing is not None and not ctx.wu.options.get("overwrite"):
        raise DomainError(f"Destination file {target} already exists", DFU_ERROR)
    if not is_superfile:
        if not origin.foreign:   # a nested local source whose name differs: cannot happen
            raise DomainError(f"File {target} could not be copied - see unknown", DFU_ERROR)
        _subfile_copy(ctx, target, source)
        return
    if origin.foreign and existing is not None and existing.is_superfile:
        # emptied first, as the real server does, so that its old subfiles can be replaced
        while_blocked(ctx, f"acquiring write lock on superfile: {target}",
                      lambda: _replace_superfile(files, target, []), SUPERCOPY_TIMEOUT_SECONDS)
    for done, sub in enumerate(subfiles, 1):   # each subfile lands on its own name
        _copy(ctx, files, origin, sub, sub)
        ctx.check_abort()
        if top:
            ctx.report(done, len(subfiles), 0, 0)
    while_blocked(ctx, f"acquiring write lock on superfile: {target}",
                  lambda: _replace_superfile(files, target, subfiles), SUPERCOPY_TIMEOUT_SECONDS)


def _subfile_copy(ctx, target: str, source: str) -> None:
    """doSubFileCopy: a Copy workunit for one foreign subfile, run now; it must finish."""
    sup = ctx.wu
    keep = ("foreign_dali", "foreign_user", "foreign_password")
    child = ctx.server.workunits.create(
        command=W.COPY, user=sup.user, cluster=sup.cluster, job_name=sup.job_name, queue=sup.queue,
        source={"logical_name": source, **{k: sup.source.get(k, "") for k in keep}},
        destination={"logical_name": target, "group": sup.destination.get("group", ""), "compress": False,
                     "num_parts_override": 0},
        options=dict(sup.options))
    ended = ctx.server.run_child(child, ctx)
    ctx.check_abort()
    if ended is None or ended.state != W.FINISHED:
        raise DomainError(f"File {target} could not be copied - see {child.wuid}", DFU_ERROR)


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
