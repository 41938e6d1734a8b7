"""ESP's JSON writer and reader (esp-protocol.md A.4, A.6.1), on the real contract models."""
from __future__ import annotations

import json

import pytest

from wsservices.esp import jsoncodec
from wsservices.filespray import models as fs
from wsservices.packageprocess import models as pp
from wsservices.wsdfu import models as dfu

NONE: frozenset[str] = frozenset()


def test_layout_typed_values_and_nulls():
    resp = dfu.DFUQueryResponse(
        DFULogicalFiles=dfu.ArrayOfDFULogicalFile(DFULogicalFile=[
            dfu.DFULogicalFile(Name="a::b", IntSize=1024, isSuperfile=False)]),
        PageSize=20, NumFiles=1, Descending=False)
    text = jsoncodec.document(resp, dfu.DFUQueryResponse, "DFUQueryResponse", NONE)
    assert text.startswith('{"DFUQueryResponse": {"DFULogicalFiles": {"DFULogicalFile": [{"Prefix": null, ')
    assert '"Name": "a::b", ' in text and '"IntSize": 1024, ' in text and '"isSuperfile": false' in text
    assert '"PageSize": 20, ' in text and '"Descending": false' in text and '"Prefix": null' in text
    assert "\n" not in text and ",\"" not in text  # ", " between members, no newlines
    body = json.loads(text)["DFUQueryResponse"]
    assert body["NumFiles"] == 1 and body["FileSizeFrom"] == -1  # a declared default is a value, not null
    assert "Exceptions" not in body


def test_one_item_is_still_a_list_and_custom_item_tags():
    resp = fs.DFUWUSearchResponse(ClusterNames=fs.DFUWUSearchResponse_ClusterNames(ClusterName=["mythor"]))
    assert jsoncodec.document(resp, fs.DFUWUSearchResponse, "DFUWUSearchResponse", NONE) == \
        '{"DFUWUSearchResponse": {"ClusterNames": {"ClusterName": ["mythor"]}}}'


def test_empty_arrays_and_nil_remove():
    # an empty struct array is always left out; an empty string array only under nil_remove
    resp = pp.GetPackageMapSelectOptionsResponse(Targets=pp.ArrayOfTargetData(TargetData=[]))
    tag = "GetPackageMapSelectOptionsResponse"
    assert jsoncodec.document(resp, type(resp), tag, NONE) == f'{{"{tag}": {{"ProcessFilters": {{"Item": []}}}}}}'
    assert jsoncodec.document(resp, type(resp), tag, frozenset({tag})) == f'{{"{tag}": {{}}}}'


def test_field_level_nil_remove():
    resp = pp.GetPackageMapSelectOptionsResponse()
    tag = "GetPackageMapSelectOptionsResponse"
    nil = frozenset({f"{tag}.ProcessFilters", "BasePackageStatus.Description"})
    assert jsoncodec.document(resp, type(resp), tag, nil) == f'{{"{tag}": {{}}}}'
    resp.status = pp.BasePackageStatus(Code=0)
    assert jsoncodec.document(resp, type(resp), tag, nil) == f'{{"{tag}": {{"status": {{"Code": 0}}}}}}'


def test_nested_struct_with_nothing_to_write_is_left_out():
    resp = pp.ListPackagesResponse(status=pp.BasePackageStatus())
    nil = frozenset({"BasePackageStatus"})
    assert jsoncodec.document(resp, pp.ListPackagesResponse, "ListPackagesResponse", nil) == '{"ListPackagesResponse": {}}'
    assert jsoncodec.document(resp, pp.ListPackagesResponse, "ListPackagesResponse", NONE) == \
        '{"ListPackagesResponse": {"status": {"Code": null, "Description": null}}}'


def test_inline_exceptions_replace_every_other_field():
    exc = dfu.ArrayOfEspException(Exception=[dfu.EspException(Code="20038", Audience="user", Source="x",
                                                               Message='Cannot find "f"')])
    resp = dfu.DFUInfoResponse(Exceptions=exc, FileDetail=dfu.DFUFileDetail(Name="n"))
    assert jsoncodec.document(resp, dfu.DFUInfoResponse, "DFUInfoResponse", NONE) == (
        '{"DFUInfoResponse": {"Exceptions": {"Exception": [{"Code": 20038,"Audience": "user",'
        '"Message": "Cannot find \\"f\\""}]}}}')


@pytest.mark.parametrize("text, expected", [
    ('say "hi"\\', '"say \\"hi\\"\\\\"'),
    ("a/b é ✓ 😀", '"a/b é ✓ 😀"'),
    ("\b\f\n\r\t", '"\\b\\f\\n\\r\\t"'),
    ("\x00\x01\x1f\x7f", '"\\u0000\\u0001\\u001F\\u007f"'),
    ("lone \ud800", '"lone \\ud800"'),
])
def test_strings_are_escaped_like_jlib(text, expected):
    assert jsoncodec.quote(text) == expected
    json.loads(expected)  # still valid JSON


@pytest.mark.parametrize("value, expected", [
    (5, "5.0"), (0.1, "0.1"), (-2.5, "-2.5"), (1e20, "1e+20"), (1 / 3, "0.3333333333333333"),
    (float("nan"), '"nan"'), (float("inf"), '"inf"'), (float("-inf"), '"-inf"')])
def test_doubles(value, expected):
    assert jsoncodec.real(value) == expected


def test_reading_a_call():
    name, value = jsoncodec.read_call(b'{"DFUArrayActionRequest": {"Type": "Delete", "NoDelete": true, '
                                      b'"LogicalFiles": {"Item": ["a::b", "c::d"]}, "Protect": 2, "x:Restrict": "1"}}')
    assert name == "DFUArrayActionRequest"
    req = jsoncodec.decode(value, dfu.DFUArrayActionRequest)
    assert (req.Type, req.NoDelete, req.Protect, req.Restrict) == ("Delete", True, 2, 1)
    assert req.LogicalFiles.Item == ["a::b", "c::d"]


@pytest.mark.parametrize("names, expected", [
    ('{"Item": ["a", "b"]}', ["a", "b"]),
    ('{"Item": "a"}', ["a"]),
    ('{"Anything": ["a"], "Else": "b"}', ["a", "b"]),  # a wrapper takes every child
    ('["a", "b"]', []),  # a bare list does not fill the array
])
def test_arrays_in_a_json_body(names, expected):
    _, value = jsoncodec.read_call(f'{{"AddtoSuperfile": {{"names": {names}}}}}'.encode())
    assert jsoncodec.decode(value, dfu.AddtoSuperfileRequest).names.Item == expected


def test_values_are_text_like_esp_reads_them():
    _, value = jsoncodec.read_call(b'{"DFUQuery": {"PageSize": "12abc", "Descending": "TRUE", "FirstN": 7.9, '
                                   b'"LogicalName": 5, "Owner": null, "NodeGroup": {"x": 1}, "Prefix": ["p", "q"],'
                                   b' "PageSize": "3"}}')
    req = jsoncodec.decode(value, dfu.DFUQueryRequest)
    assert req.PageSize == 12  # duplicate keys are repeated elements: the first one counts
    assert req.Descending is True and req.FirstN == 7
    assert req.LogicalName == "5" and req.Prefix == "p"
    assert req.Owner == "" and req.NodeGroup == ""  # null and an object read as an empty element


def test_struct_arrays_in_a_json_body():
    _, value = jsoncodec.read_call(b'{"DeletePackageRequest": {"PackageMaps": {"PackageMap": '
                                   b'[{"Id": "a", "Target": "roxie"}, {"Id": "b"}]}}}')
    req = jsoncodec.decode(value, pp.DeletePackageRequest)
    assert [(e.Id, e.Target) for e in req.PackageMaps.PackageMap] == [("a", "roxie"), ("b", None)]


@pytest.mark.parametrize("body, code, start", [
    (b"", -1, "Content read is empty"),
    (b"  \n", -1, "Content read is empty"),
    (b'{"EchoRequest": {', 1, "Error - end of stream"),
    (b'{"EchoRequest": x}', 2, "Error - syntax error"),
    (b"[1, 2]", 2, "Error - syntax error"),
    (b'"text"', 2, "Error - syntax error"),
    (b'{"a": "\xff\xfe"}', 2, "Error - syntax error"),
    (b"[" * 100_000 + b"]" * 100_000, 2, "Error - syntax error"),
])
def test_bodies_that_do_not_parse(body, code, start):
    with pytest.raises(jsoncodec.ReadError) as info:
        jsoncodec.read_call(body)
    assert info.value.code == code and info.value.message.startswith(start)


def test_pipeline_error_document_and_status():
    assert jsoncodec.error_document(400, "Bad Request [x]") == \
        '{"Exceptions": {"Exception": [{"Code": 400,"Audience": "user","Message": "Bad Request [x]"}]}}'
    assert [jsoncodec.error_status(c) for c in (400, 401, 404, 501, -1, 2, 20038)] == [400, 401, 404, 501, 500, 500, 500]
