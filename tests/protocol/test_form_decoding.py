"""ESP's form and query-string field encoding (esp-protocol.md A.5, B.3), on the contract models."""
from __future__ import annotations

import time
from urllib.parse import parse_qsl

import pytest

from wsservices.esp.formpath import MAX_ITEMS, decode_params
from wsservices.filespray import models as fs
from wsservices.packageprocess import models as pp
from wsservices.wsdfu import models as dfu


def form(query: str, model: type):
    return decode_params(parse_qsl(query, keep_blank_values=True), model)


@pytest.mark.parametrize("query", [
    "LogicalFiles.0=a::b&LogicalFiles.1=c::d&LogicalFiles.itemcount=2",  # hpcc-js {Item: [...]}
    "LogicalFiles_i0=a::b&LogicalFiles_i1=c::d",  # hpcc-js plain array
    "LogicalFiles.itemlist=3%2B7&LogicalFiles.3=a::b&LogicalFiles.7=c::d",
    "LogicalFiles.itemlist=3+7&LogicalFiles.3=a::b&LogicalFiles.7=c::d",
    "LogicalFiles=a::b%0D%0Ac::d%0A%0A",  # the form page's textarea
    "LogicalFiles_va::b=1&LogicalFiles_vc::d=2&LogicalFiles_vx::y=0&LogicalFiles_vz::z=on",  # atoi != 0
    "LogicalFiles_rd_1=a::b&LogicalFiles_i9=c::d",
    "LogicalFiles.itemcount=0&LogicalFiles_i0=a::b&LogicalFiles_i1=c::d",  # a zero count falls through
])
def test_string_arrays(query):
    req = form(query + "&Type=Delete", dfu.DFUArrayActionRequest)
    assert req.LogicalFiles.Item == ["a::b", "c::d"]
    assert req.Type == "Delete"


def test_raw_array_forms_win_and_missing_items_are_empty():
    req = form("LogicalFiles.itemcount=3&LogicalFiles.0=a&LogicalFiles.2=c&LogicalFiles_i0=zzz",
               dfu.DFUArrayActionRequest)
    assert req.LogicalFiles.Item == ["a", "", "c"]


def test_hpcc_js_indexed_items_keep_their_order():
    query = "&".join(f"names_i{i}=f{i}" for i in range(12))
    assert form(query, dfu.AddtoSuperfileRequest).names.Item == [f"f{i}" for i in range(12)]


def test_custom_item_tag_form_of_hpcc_js_is_not_recognised():
    """`SubfileNames.SubfileName_i0=a` style keys fill nothing, as on a real ESP (B.3)."""
    assert form("names.Item_i0=a&names.Item.0=b", dfu.AddtoSuperfileRequest).names is None


def test_struct_arrays_name_the_struct_type():
    req = form("PackageMaps.PackageMapEntry.0.Id=a&PackageMaps.PackageMapEntry.0.Target=roxie"
               "&PackageMaps.PackageMapEntry.1.Id=b&PackageMaps.PackageMapEntry.itemcount=2&Target=roxie",
               pp.DeletePackageRequest)
    assert [(e.Id, e.Target) for e in req.PackageMaps.PackageMap] == [("a", "roxie"), ("b", None)]
    sparse = form("PackageMaps.PackageMapEntry.itemlist=5&PackageMaps.PackageMapEntry.5.Id=z", pp.DeletePackageRequest)
    assert [e.Id for e in sparse.PackageMaps.PackageMap] == ["z"]
    # the item tag alone (what hpcc-js sends for {PackageMap: [...]}) is not ESP's key
    assert form("PackageMaps.PackageMap.0.Id=a&PackageMaps.PackageMap.itemcount=1", pp.DeletePackageRequest).PackageMaps is None


def test_nested_structs_use_dots():
    req = form("wu.ID=D20240101-000000&wu.JobName=j&wu.isProtected=1&wu.State=3&StateOrig=1", fs.UpdateDFUWorkunit)
    assert (req.wu.ID, req.wu.JobName, req.wu.isProtected, req.wu.State, req.StateOrig) == (
        "D20240101-000000", "j", True, 3, 1)
    access = form("RequestBase.Name=a::b&RequestBase.ExpirySeconds=5", dfu.DFUFileAccessRequest)
    assert (access.RequestBase.Name, access.RequestBase.ExpirySeconds) == ("a::b", 5)
    assert form("Name=x", dfu.DFUFileAccessRequest).RequestBase is None


@pytest.mark.parametrize("text, expected", [("1", True), ("true", True), ("on", True), ("True", False),
                                            ("TRUE", False), ("yes", False), ("0", False), ("", None)])
def test_booleans_are_case_sensitive(text, expected):
    assert form(f"NoDelete={text}", dfu.DFUArrayActionRequest).NoDelete is expected


def test_numbers_strings_and_repeats():
    req = form("PageSize=12abc&PageStartFrom=&LogicalName=&Owner=a&Owner=b&Unknown=1&FileSizeFrom=-5",
               dfu.DFUQueryRequest)
    assert req.PageSize == 12  # atoi
    assert req.PageStartFrom is None  # an empty value leaves a number unset
    assert req.LogicalName == ""  # and sets a string to ""
    assert req.Owner == "b"  # the last of a repeated name
    assert req.FileSizeFrom == -5
    assert form("PageSize=junk", dfu.DFUQueryRequest).PageSize == 0


def test_hpcc_js_undefined_and_null_fields():
    # undefined gives `key` (no "="), null an empty segment
    req = decode_params(parse_qsl("LogicalName&&Owner=x&ver_=1.67", keep_blank_values=True), dfu.DFUQueryRequest)
    assert (req.LogicalName, req.Owner) == ("", "x")


def test_counts_are_bounded():
    started = time.monotonic()
    req = form("LogicalFiles.itemcount=999999999999&LogicalFiles.0=a", dfu.DFUArrayActionRequest)
    assert len(req.LogicalFiles.Item) == MAX_ITEMS and req.LogicalFiles.Item[0] == "a"
    many = form("PackageMaps.PackageMapEntry.itemcount=99999999", pp.DeletePackageRequest)
    assert len(many.PackageMaps.PackageMap) == MAX_ITEMS
    assert time.monotonic() - started < 10


def test_many_long_dotted_names_stay_cheap():
    names = [("a." * 2000 + str(i), "x") for i in range(2000)] + [("wu.ID", "D1")]
    started = time.monotonic()
    assert decode_params(names, fs.UpdateDFUWorkunit).wu.ID == "D1"
    assert time.monotonic() - started < 5
