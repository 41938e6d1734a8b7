"""What a DFU workunit records when its job fails in a way no job expected.

The real DFU server records the text of whatever exception stopped the job. Here an unexpected
Python exception is a bug or an environment failure, and its text (a server path, a class name,
Python's wording) must never reach a client: the workunit records the system's reason for an
I/O error (``No space left on device``), otherwise a neutral text, and the traceback goes to
the DFU server's log. The texts are the emulator's own; HPCC has no equivalent.
"""
from __future__ import annotations

from wsservices.engine.errors import DomainError, os_reason

DFU_ERROR = -1
UNEXPECTED_MESSAGE = "The DFU server could not complete this workunit (see the DFU server log)"
UNEXPECTED_IO = "The DFU server could not complete this workunit: file system error"


def unexpected_failure(exc: BaseException) -> DomainError:
    """The DomainError a workunit records for `exc` (not itself a DomainError)."""
    if isinstance(exc, OSError):
        return DomainError(f"{UNEXPECTED_IO}: {os_reason(exc)}", DFU_ERROR)
    return DomainError(UNEXPECTED_MESSAGE, DFU_ERROR)
