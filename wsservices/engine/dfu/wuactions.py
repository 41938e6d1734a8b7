"""What FileSpray's workunit methods do to DFU workunits, with the real texts (filespray.md §3.7).

Each function takes the cluster and plain values, and returns plain values or raises a
DomainError with ESP's code and message.

Not emulated: Restore and Archive (they need the Sasha archiver; they answer its absence),
scheduled workunits, publisher workunits.
"""
from __future__ import annotations

from dataclasses import dataclass

from wsservices.engine import codes
from wsservices.engine.dfu import workunits as W
from wsservices.engine.errors import DomainError, InvalidArgument, MissingArgument, WorkunitNotFound
from wsservices.engine.dfu.wuid import looks_like_wuid, normalize_wuid


def get(cluster, wuid: str, code: int = codes.ECLWATCH_CANNOT_OPEN_WORKUNIT) -> W.DfuWorkunit:
    wu = cluster.workunits.get((wuid or "").strip())
    if wu is None:
        raise WorkunitNotFound.dfu(wuid, code)
    return wu


def get_for_display(cluster, wuid: str) -> W.DfuWorkunit:
    """GetDFUWorkunit's rules: an empty id, then (no Sasha archive) "Cannot read workunit"."""
    if not (wuid or "").strip():
        raise InvalidArgument("Dfu workunit ID not specified.")
    wu = cluster.workunits.get(wuid.strip())
    if wu is None:
        raise WorkunitNotFound.cannot_read(wuid)
    return wu


def get_for_progress(cluster, wuid: str) -> W.DfuWorkunit:
    if not (wuid or "").strip():
        raise InvalidArgument("Workunit ID not specified.")
    return get(cluster, wuid, codes.ECLWATCH_CANNOT_OPEN_WORKUNIT)


def create(cluster, queue: str, user: str = "") -> W.DfuWorkunit:
    return cluster.workunits.create(queue=queue or cluster.environment.default_dfu_queue, user=user)


def submit(cluster, wuid: str) -> None:
    if not (wuid or "").strip():
        raise MissingArgument("Workunit ID required")
    wu = cluster.workunits.get(wuid.strip())
    if wu is None:
        raise DomainError(f"DFU workunit {wuid} could not be opened for update",
                          codes.ECLWATCH_CANNOT_OPEN_WORKUNIT)
    if not wu.queue:
        raise DomainError("DFU no queue name specified", codes.ECLWATCH_INVALID_INPUT)
    cluster.dfu.submit(wu)


def abort(cluster, wuid: str) -> None:
    cluster.dfu.abort(get(cluster, wuid, codes.ECLWATCH_CANNOT_GET_WORKUNIT))


def update(cluster, wuid: str, state: int | None, state_orig: int | None, cluster_name: str | None,
           cluster_orig: str | None, job_name: str | None, job_name_orig: str | None,
           protected: bool | None, protected_orig: bool | None) -> None:
    wu = get(cluster, wuid, codes.ECLWATCH_CANNOT_UPDATE_WORKUNIT)
    if state is not None and state != state_orig:
        if wu.state != (state_orig or 0):
            raise DomainError(f"Cannot update DFU workunit {wuid} because its state has been changed "
                              "internally. Please refresh the page and try again.",
                              codes.ECLWATCH_CANNOT_UPDATE_WORKUNIT)
        wu.state = state
    if cluster_name is not None and cluster_name.lower() != (cluster_orig or "").lower():
        wu.cluster = cluster_name
    if job_name is not None and job_name.lower() != (job_name_orig or "").lower():
        wu.job_name = job_name
    if protected is not None and protected != bool(protected_orig):
        wu.protected = protected
    cluster.workunits.save(wu)


def delete(cluster, wuid: str) -> bool:
    """Mark failed (committed, as Dali does), then delete unless protected or still active."""
    wu = get(cluster, wuid, codes.ECLWATCH_CANNOT_UPDATE_WORKUNIT)
    if wu.state == W.STARTED:
        raise DomainError(f"Cannot delete workunit {wuid} because its state is Started.",
                          codes.ECLWATCH_CANNOT_DELETE_WORKUNIT)
    wu.state = W.FAILED
    cluster.workunits.save(wu)
    if wu.protected:
        return False
    cluster.workunits.delete(wu.wuid)
    return True


@dataclass
class ActionResult:
    wuid: str
    action: str
    result: str


ACTIONS = ("Delete", "Protect", "Unprotect", "Restore", "SetToFailed", "Archive")


def action(cluster, kind: str, wuids: list[str]) -> list[ActionResult]:
    """DFUWorkunitsAction: one result per workunit, "Success" or "Failed: <why>"."""
    if not kind:
        raise InvalidArgument("Action not defined.")
    if not wuids:
        raise InvalidArgument("Workunit not defined.")
    if kind in ("Restore", "Archive"):
        for i, wuid in enumerate(wuids):
            if not wuid.strip():
                raise InvalidArgument(f"Empty Workunit ID at {i}. ")
        raise DomainError("Sasha (the workunit archiver) is not emulated.", codes.ECLWATCH_CANNOT_GET_WORKUNIT)
    results = []
    for wuid in wuids:
        results.append(ActionResult(wuid, kind, _one_action(cluster, kind, wuid)))
    return results


def _one_action(cluster, kind: str, wuid: str) -> str:
    wu = cluster.workunits.get(wuid.strip())
    if kind == "Delete":
        if wu is None:
            return f"Failed: Dfu workunit {wuid} not found."
        if wu.state == W.STARTED:
            return "Failed: Failed in deleting workunit."
        return "Success" if delete(cluster, wu.wuid) else "Failed: Failed in deleting workunit."
    if wu is None:
        return "Failed: Failed in calling updateWorkUnit()."
    if kind in ("Protect", "Unprotect"):
        wu.protected = kind == "Protect"
    elif kind == "SetToFailed":
        wu.state = W.FAILED
    else:
        return f"Failed: Unknown action type {kind}"
    cluster.workunits.save(wu)
    return "Success"


@dataclass
class ListRequest:
    wuid: str = ""
    owner: str = ""
    cluster: str = ""
    state: str = ""
    type: str = ""
    jobname: str = ""
    page_size: int = 0
    page_start_from: int = -1
    sortby: str = ""
    descending: bool = False


@dataclass
class ListPage:
    workunits: list[W.DfuWorkunit]
    total: int
    page_size: int
    offset: int
    single: bool = False


def search(cluster, req: ListRequest) -> ListPage:
    """GetDFUWorkunits: one complete WUID, or filters + sort + a page (filespray.md §4.6)."""
    wuid = normalize_wuid(req.wuid)
    if wuid and looks_like_wuid(wuid):
        wu = cluster.workunits.get(wuid)
        if wu is None:
            raise WorkunitNotFound.dfu(wuid, codes.ECLWATCH_CANNOT_OPEN_WORKUNIT)
        return ListPage([wu], 1, req.page_size, 0, single=True)
    page_size = req.page_size if req.page_size >= 1 else 100
    offset = req.page_start_from if req.page_start_from > 0 else 0
    if req.type.lower() == "archived workunits":
        return ListPage([], 0, page_size, offset)
    group = _group_of_target(cluster, req.cluster)
    page = cluster.workunits.search(wuid_pattern=wuid, owner=req.owner, cluster=group, state=req.state,
                                    jobname=req.jobname, sortby=req.sortby, descending=req.descending,
                                    offset=offset, limit=page_size)
    return ListPage(page.workunits, page.total, page_size, offset)


def _group_of_target(cluster, name: str) -> str:
    for thor in cluster.environment.thor_clusters:
        if name and name == thor.target:
            return thor.group
    return name


def target_of_group(cluster, group: str) -> str:
    """Bare metal shows a workunit's cluster as its topology target (`mythor` -> `thor`)."""
    for thor in cluster.environment.thor_clusters:
        if group and group.lower() in (thor.group.lower(), thor.name.lower()):
            return thor.target
    return group
