from wsservices.engine import codes
from wsservices.engine.errors import (DomainError, DropZoneNotFound, FileExists, FileLocked,
                                      FileNotFound, FileProtected, ForeignFileOperation,
                                      InvalidArgument, MissingArgument, NotASuperfile,
                                      PermissionDenied, WorkunitNotFound)


def test_base_signature_kept():
    err = DomainError("text", 5)
    assert (err.code, err.message, str(err)) == (5, "text", "5: text")
    assert InvalidArgument("Action not defined.").code == codes.ECLWATCH_INVALID_INPUT == 20052
    assert MissingArgument("File name required").code == 20051


def test_texts_and_codes():
    cases = [
        (FileNotFound.cannot_find("a::b"), 20038, "Cannot find file a::b."),
        (FileNotFound.cannot_find("a::b", "thor2"), 20038, "Cannot find file a::b on thor2."),
        (FileNotFound.failed_to_find("a::b"), 20038, "Failed to find file: a::b"),
        (FileNotFound.dfile("x"), 8294, "DFile x not found"),
        (FileNotFound.superfile("s"), 8300, "SuperFile s not found"),
        (NotASuperfile.named("s"), 20041, "s is not a superfile."),
        (FileExists.already_exists("s"), 20042, "The file s already exists."),
        (FileExists.dfs("a::b"), 1, "DFS Exception: 1: logical name a::b already exists"),
        (FileProtected.protected_by("a::b", ["hpcc", "bob"]), -1, "file a::b protected by hpcc, bob"),
        (ForeignFileOperation.cannot_remove("foreign::h::a"), -1, "foreign::h::a is foreign"),
        (ForeignFileOperation.cannot_rename(), -1, "rename: cannot rename foreign files"),
        (DropZoneNotFound.not_in_environment(), 20070,
         "Dropzone is not found in the environment settings."),
        (DropZoneNotFound.for_host_path("", "/x"), 20052,
         "DropZone not found for host 'unspecified' path '/x'."),
        (WorkunitNotFound.dfu("D20240101-000000"), 20081, "Dfu workunit D20240101-000000 not found."),
        (WorkunitNotFound.dfu("D1", codes.ECLWATCH_CANNOT_GET_WORKUNIT), 20080, "Dfu workunit D1 not found."),
        (WorkunitNotFound.cannot_read("D1"), 20080, "Cannot read workunit D1."),
        (PermissionDenied.dfu_access("DFUQuery"), 20011, "WsDfu::DFUQuery: Permission denied."),
    ]
    for err, code, message in cases:
        assert isinstance(err, DomainError)
        assert (err.code, err.message) == (code, message)


def test_lock_held_text():
    err = FileLocked.lock_held('Files/Scope[@name="thor"]/File[@name="f"]', "query roxie/q.1")
    assert err.code == codes.SDSExcpt_LockHeld == 30
    assert err.message == (
        "SDS: Lock held - SDS Reply Error  : SDS: Lock held - Lock is held performing changeMode "
        'on connection to : Files/Scope[@name="thor"]/File[@name="f"], existing lock info: '
        "query roxie/q.1")
    assert FileLocked.lock_timeout("x", "y").code == 1
