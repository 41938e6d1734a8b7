"""What a workunit records for an unexpected error: no server path, class name or Python text."""
from __future__ import annotations

import errno

from wsservices.engine.dfu.failures import UNEXPECTED_MESSAGE, unexpected_failure


def test_an_os_error_records_only_the_system_reason():
    exc = OSError(errno.ENAMETOOLONG, "File name too long", "/srv/hpccemu-data/nodes/n1/hpcc-data/thor/x")
    err = unexpected_failure(exc)
    assert err.message.endswith(": File name too long")
    assert "/srv" not in err.message and "OSError" not in err.message and "Errno" not in err.message
    assert err.code == -1


def test_any_other_error_records_a_neutral_text():
    for exc in (ValueError("/secret/path has no local directory"), KeyError("k"), TypeError("bad")):
        err = unexpected_failure(exc)
        assert err.message == UNEXPECTED_MESSAGE
        assert type(exc).__name__ not in err.message


def test_an_os_error_without_a_reason_says_io_error():
    assert unexpected_failure(OSError("/secret")).message.endswith(": I/O error")
