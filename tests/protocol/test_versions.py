"""Client version tables: ecmgen reads an ECM's ranges, and the writers leave out what a
client version does not see (hidl's write_mapinfo_check: [min_ver, depr_ver) or [min_ver, max_ver])."""
from __future__ import annotations

from wsservices.esp import clientversion, compiled, ecmgen
from wsservices.wsdfu import models as dfu
from wsservices.wsdfu import service as _registers_wsdfu_versions


ECM = '''
ESPStruct [nil_remove] Base { [min_ver("1.02")] string Inherited; };
ESPStruct Thing : Base
{
    string Always;           // no range
    [min_ver("1.06")] string Newer;
    [depr_ver("1.23")] string Gone;
    [min_ver("1.60"), max_ver("1.61")] double Cost;
    [min_ver("1.03"), depr_ver("1.29")] string Type;
    [min_ver("1.01")] ESParray<ESPStruct History, Origin> History;
    /* [min_ver("9.9")] string Commented; */
};
ESPservice [auth_feature("NONE"), version("1.29"), default_client_version("1.28")] Svc
{
    ESPmethod [min_ver("1.13")] Search(ThingRequest, ThingResponse);
    ESPmethod Plain(ThingRequest, ThingResponse);
};
'''


def test_ecmgen_reads_every_range_and_the_default_version():
    parsed = ecmgen.parse(ECM)
    assert (parsed["service"], parsed["version"], parsed["default"]) == ("Svc", "1.29", "1.28")
    assert parsed["methods"] == {"Search": ("1.13", None)}
    assert parsed["fields"]["Thing"] == {
        "Inherited": ("1.02", None, None), "Newer": ("1.06", None, None), "Gone": (None, None, "1.23"),
        "Cost": ("1.60", "1.61", None), "Type": ("1.03", None, "1.29"), "History": ("1.01", None, None)}
    text = ecmgen.render(parsed, "esp/scm/svc.ecm")
    assert 'DEFAULT_CLIENT_VERSION = "1.28"' in text and '"Cost": (\'1.60\', \'1.61\', None),' in text


def test_ranges_are_hidls():
    assert clientversion.in_range((1.06, None, None), 1.06) and not clientversion.in_range((1.06, None, None), 1.05)
    assert clientversion.in_range((None, None, 1.23), 1.22) and not clientversion.in_range((None, None, 1.23), 1.23)
    assert clientversion.in_range((1.60, 1.61, None), 1.61) and not clientversion.in_range((1.60, 1.61, None), 1.62)
    assert not clientversion.in_range((1.60, 1.61, None), 1.59)
    assert clientversion.in_range((1.03, None, 1.29), 1.28) and not clientversion.in_range((1.03, None, 1.29), 1.29)
    assert clientversion.in_range((1.06, None, None), None)  # ESP's -1: every field


def _xml(inst, version):
    out: list[str] = []
    compiled.writer(dfu.DFUSpaceItem, frozenset({"DFUSpaceItem"}), version).xml(inst, "DFUSpaceItem", out)
    return "".join(out)


def test_an_old_client_does_not_see_newer_fields():
    assert _registers_wsdfu_versions.WsDfu.versions is not None
    # ws_dfu.ecm DFUSpaceItem: [min_ver("1.38")] int64 NumOfFilesInt64 ...
    item = dfu.DFUSpaceItem(Name="x", NumOfFiles="1", NumOfFilesInt64=1)
    assert "<NumOfFilesInt64>1</NumOfFilesInt64>" in _xml(item, 1.38)
    assert "<NumOfFilesInt64>1</NumOfFilesInt64>" in _xml(item, None)
    assert "NumOfFilesInt64" not in _xml(item, 1.37)
    assert "<Name>x</Name>" in _xml(item, 1.37)
