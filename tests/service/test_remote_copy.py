"""Remote copy between two emulators (FileSpray Copy with ``sourceDali``): B copies a file of A
through A's dafilesrv routes, with B's partitioning, the source recorded in the history; the real
errors for a remote that is missing, down, slow or refusing; undeclared hosts never contacted."""
from __future__ import annotations

import socket
import threading

import pytest

from esputil import envelope, soap_post, zeep_client
from hpccemu.testing import ThreadedEmulator
from security.conftest import write_config
from service.drills import Drill, records, unique


def remote_config(tmp, name: str, url: str, extra: str = "") -> str:
    host_port = url.split("//")[1]
    path = tmp / f"{name}.toml"
    path.write_text(f'outbound_timeout = 2\n[[remote]]\nname = "{name}"\nurl = "{url}"\n'
                    f'addresses = ["{host_port.split(":")[0]}", "prod-dali"]\n' + extra)
    return str(path)


def two_environments(tmp):
    """Emulator A, and emulator B declaring A as its remote ``envA``: yields their Drills."""
    with ThreadedEmulator(data_dir=tmp / "a", deterministic=True) as a:
        with ThreadedEmulator(data_dir=tmp / "b", deterministic=True,
                              config_file=remote_config(tmp, "envA", a.url)) as b:
            da, db = Drill(a), Drill(b)
            yield da, db
            da.close()
            db.close()


@pytest.fixture(scope="module")
def pair(tmp_path_factory):
    yield from two_environments(tmp_path_factory.mktemp("remote"))


def dali(drill) -> str:
    return drill.url.split("//")[1]


def test_remote_targets_lists_the_declared_environments(pair):
    _, b = pair
    reply = b.fs.service.GetRemoteTargets()
    assert list(reply.TargetNames.Item) == ["envA"] and reply.AllowForeign is True


def test_copy_from_another_environment(pair):
    a, b = pair
    lfn = unique("rc::src::f")
    data = records(50)
    a.finished(a.spray(data, lfn, replicate=True))
    wuid = b.fs.service.Copy(sourceLogicalName=lfn, sourceDali=dali(a), destGroup="mythor",
                             destLogicalName=lfn + "_b").result
    wu = b.finished(wuid)
    assert wu.DestLogicalName == lfn + "_b"
    out_wuid, out = b.despray(lfn + "_b")
    b.finished(out_wuid)
    assert b.landed(out) == data
    history = b.dfu.service.ListHistory(Name=lfn + "_b").History.Origin
    last = history[-1]
    a_ip = a.copies(lfn)[0][2]
    assert (last.Operation, last.IP, last.Path, last.Name) == (
        "DFUcopy", a_ip, "/var/lib/HPCCSystems/hpcc-data/thor/rc/src/", lfn.split("::")[-1])
    assert not list((b.emu.data_dir / "nodes").rglob("*.tmp"))


def test_copy_by_a_declared_alias_over_raw_soap(pair):
    a, b = pair
    lfn = unique("rc::alias::f")
    a.finished(a.spray(records(12), lfn))
    port = dali(a).split(":")[1]
    body = (f'<Copy xmlns="urn:hpccsystems:ws:filespray"><sourceLogicalName>{lfn}</sourceLogicalName>'
            f'<destGroup>mythor</destGroup><destLogicalName>{lfn}_b</destLogicalName>'
            f'<sourceDali>prod-dali:{port}</sourceDali></Copy>')
    r = soap_post(b.http, f"{b.url}/FileSpray/", envelope(body))
    assert r.status_code == 200 and "<result>" in r.text, r.text
    wuid = r.text.split("<result>")[1].split("<")[0]
    b.finished(wuid)


@pytest.mark.parametrize("source, group, code, message", [
    ("rc::none::missing", "mythor", 20038, "Failed to find file: foreign::{dali}::rc::none::missing"),
    ("x::y", "", 20052, "Destination node group not specified. And no default node group found."),
])
def test_request_time_errors(pair, source, group, code, message):
    a, b = pair
    reply = b.fs.service.Copy(sourceLogicalName=source, sourceDali=dali(a), destGroup=group,
                              destLogicalName=unique("rc::dst::f"))
    e = reply.Exceptions.Exception[0]
    assert (int(e.Code), e.Message.split("GMT: ", 1)[-1]) == (code, message.format(dali=dali(a)))


def test_an_undeclared_dali_is_never_contacted(pair):
    _, b = pair
    seen = []
    listener = socket.socket()
    listener.bind(("127.0.0.1", 0))
    listener.listen(1)
    listener.settimeout(0.5)

    def accept():
        try:
            seen.append(listener.accept())
        except OSError:
            pass

    t = threading.Thread(target=accept)
    t.start()
    port = listener.getsockname()[1]
    reply = b.fs.service.Copy(sourceLogicalName="a::b", sourceDali=f"127.0.0.9:{port}", destGroup="mythor",
                              destLogicalName=unique("rc::dst::f"), srcusername="u", srcpassword="secret")
    t.join()
    listener.close()
    assert seen == []
    assert reply.Exceptions.Exception[0].Message.endswith(
        f"Cannot copy from 127.0.0.9:{port}: not a remote environment declared in this emulator's "
        "configuration ([[remote]]).")


def test_a_remote_that_is_down_or_slow(tmp_path):
    silent = socket.socket()          # accepts nothing: connections hang until the timeout
    silent.bind(("127.0.0.1", 0))
    silent.listen(0)
    port = silent.getsockname()[1]
    down = socket.socket()
    down.bind(("127.0.0.1", 0))
    down_port = down.getsockname()[1]
    down.close()                      # nothing listens there: refused
    config = tmp_path / "c.toml"
    config.write_text(f'outbound_timeout = 1\n[[remote]]\nname = "slow"\nurl = "http://127.0.0.1:{port}"\n'
                      f'[[remote]]\nname = "down"\nurl = "http://127.0.0.1:{down_port}"\n')
    try:
        with ThreadedEmulator(data_dir=tmp_path / "d", config_file=str(config)) as emu:
            fs = zeep_client(emu.url, "FileSpray")
            for p in (port, down_port):
                reply = fs.service.Copy(sourceLogicalName="a::b", sourceDali=f"127.0.0.1:{p}", destGroup="mythor",
                                        destLogicalName="c::d")
                e = reply.Exceptions.Exception[0]
                assert (int(e.Code), e.Message.split("GMT: ", 1)[-1]) == (
                    7, f"DFS Exception: 7: Timeout connecting to Dali Server on 127.0.0.1:{p}")
    finally:
        silent.close()


def test_a_remote_that_refuses_the_credentials(tmp_path):
    with ThreadedEmulator(data_dir=tmp_path / "a", config_file=write_config(tmp_path)) as a:
        with ThreadedEmulator(data_dir=tmp_path / "b", config_file=remote_config(tmp_path, "secure", a.url)) as b:
            fs = zeep_client(b.url, "FileSpray")
            reply = fs.service.Copy(sourceLogicalName="secret::data", sourceDali=dali(a), destGroup="mythor",
                                    destLogicalName="c::d", srcusername="admin", srcpassword="wrong")
            e = reply.Exceptions.Exception[0]
            assert (int(e.Code), e.Message.split("GMT: ", 1)[-1]) == (
                3, "DFS Exception: 3 Lookup access denied for scope secret at Dali 127.0.0.1")
            reply = fs.service.Copy(sourceLogicalName="secret::data", sourceDali=dali(a), destGroup="mythor",
                                    destLogicalName="c::d", srcusername="admin", srcpassword="s3cret-admin")
            e = reply.Exceptions.Exception[0]   # the right credentials reach the lookup
            assert e.Message.endswith(f"Failed to find file: foreign::{dali(a)}::secret::data")
