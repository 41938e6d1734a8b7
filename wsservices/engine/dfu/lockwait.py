"""How a DFU job waits for a Dali lock on its destination (dali/dfu/dfurun.cpp).

While another holder's lock stops the job (a published Roxie query's lock, a writer's), the
workunit shows `blocked` (state 9) with the reason, the job retries, and it goes back to its
old state when the lock is gone. Supercopy (runSuperCopy withBlockedStateRetry) gives up after
5 minutes with ``Timed out: <reason>``; a spray, copy or despray that replaces a logical file
looks the old file up with an INFINITE timeout, so it waits for as long as the lock stays:
the emulator's ``dfu_lock_wait`` setting (config.py, default 0 = no bound) can bound that wait.

Deviations: the emulator retries every `RETRY_SECONDS` (the DFU server waits 5 s, then 1 min),
so that a released lock is noticed quickly; the real replace path keeps the state `started`
while it waits, the emulator shows `blocked` as supercopy does. In deterministic mode (the job
runs inside the request that queued it) an unbounded wait would hold that request for ever, so
the job fails at once with the lock's own message instead.
"""
from __future__ import annotations

import time
from typing import Callable

from wsservices.engine.dfu import workunits as W
from wsservices.engine.errors import DomainError, FileLocked

RETRY_SECONDS = 0.2
SUPERCOPY_TIMEOUT_SECONDS = 5 * 60
DFU_ERROR = -1


def replace_timeout(ctx) -> float | None:
    """The bound on a replacing job's wait: the ``dfu_lock_wait`` setting, None for none, and 0
    (no wait) for an unbounded wait in deterministic mode."""
    bound = ctx.cluster.settings.dfu_lock_wait
    if bound:
        return bound
    return 0.0 if ctx.server.deterministic else None


def while_blocked(ctx, reason: str, attempt: Callable[[], object], timeout: float | None) -> None:
    """Run `attempt` until no lock stops it; meanwhile the workunit shows `blocked`.
    ``timeout``: seconds before ``Timed out: <reason>`` (None: wait as long as the lock stays;
    0: no wait, the lock's own error)."""
    wu = ctx.wu
    old_state = wu.state
    deadline = None if timeout is None else time.monotonic() + timeout
    while True:
        try:
            attempt()
            break
        except FileLocked:
            if timeout == 0:
                raise
            if deadline is not None and time.monotonic() >= deadline:
                raise DomainError(f"Timed out: {reason}", DFU_ERROR) from None
            if wu.state != W.BLOCKED:
                wu.state, wu.state_reason = W.BLOCKED, reason
                ctx.save()
            ctx.pause(RETRY_SECONDS)
    if wu.state == W.BLOCKED:
        wu.state, wu.state_reason = old_state, ""
        ctx.save()
