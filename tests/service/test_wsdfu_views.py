"""Data views and layouts through zeep and hpcc4j-shaped SOAP: DFUBrowseData, DFUGetDataColumns,
DFUSearchData, DFUGetFileMetaData, DFURecordTypeInfo, EclRecordTypeInfo, DFUDefFile."""
from __future__ import annotations

import json
import uuid

import pytest
from lxml import etree

from engine.files_support import PEOPLE_ECL, make_file, make_people
from esputil import envelope, esp_error, soap_post

NS = "urn:hpccsystems:ws:wsdfu"
Q = {"d": NS}


@pytest.fixture
def scope():
    return f"wsview{uuid.uuid4().hex[:10]}"


def test_browse_data(dfu, cat, scope):
    make_people(cat, f"{scope}::p", 40, parts=3)
    r = dfu.service.DFUBrowseData(LogicalName=f" {scope}::p ", Start=38, Count=5, ShowColumns="1")
    assert (r.LogicalName, r.Start, r.PageSize, r.Count, r.Total) == (f"{scope}::p", 38, 5, 2, 40)
    assert r.Result.startswith('<XmlSchema name="myschema">')
    dataset = etree.fromstring(r.Result[r.Result.index("<Dataset"):].encode())
    assert [(row.findtext("name"), row.findtext("id"), row.findtext("__fileposition__"))
            for row in dataset] == [("n38", "38", "532"), ("n39", "39", "546")]
    assert [(c.ColumnLabel, c.ColumnType, c.ColumnSize) for c in r.ColumnsHidden.ColumnHidden] == [
        ("name", "string10", 0), ("id", "xs:integer", 1), ("__fileposition__", "xs:nonNegativeInteger", 0)]
    assert (r.ColumnCount, r.FilterForGoBack, r.SchemaOnly, r.ChooseFile) == (3, "34", False, 0)
    r = dfu.service.DFUBrowseData(LogicalName=f"{scope}::p", FilterBy="340020001id7",
                                  StartForGoback=4, CountForGoback=9, Cluster="mythor")
    assert (r.Count, r.FilterBy, r.FilterForGoBack) == (1, "id[7]", "340020001id7")
    assert (r.StartForGoback, r.CountForGoback, r.Cluster) == (4, 9, "mythor")
    assert "<id>7</id>" in r.Result


@pytest.mark.parametrize("kwargs, expected", [
    ({"LogicalName": ""}, (20052, "No LogicalName defined.")),
    ({"LogicalName": "{scope}::p", "Count": 1001}, (20063, "Browser Cannot display more than 1000 data rows.")),
    ({"LogicalName": "~{scope}::none"}, (6700, "Could not resolve file '~{scope}::none' in DFS")),
    ({"LogicalName": "{scope}::plain"}, (6701, "DFS did not contain a record description for '{scope}::plain'")),
])
def test_browse_errors(dfu, cat, scope, kwargs, expected):
    make_people(cat, f"{scope}::p", 2)
    make_file(cat, f"{scope}::plain", b"abc")
    kwargs = {k: v.format(scope=scope) if isinstance(v, str) else v for k, v in kwargs.items()}
    code, text = expected
    assert esp_error(dfu.service.DFUBrowseData(**kwargs)) == (code, text.format(scope=scope))


def test_browse_as_hpcc4j_get_file_data(http, url, cat, scope):
    make_file(cat, f"{scope}::csv", b"a,b\n1,2\n", format="csv", kind="csv")
    body = (f'<ns1:DFUBrowseDataRequest xmlns:ns1="{NS}"><ns1:LogicalName>{scope}::csv'
            "</ns1:LogicalName><ns1:Start>0</ns1:Start><ns1:Count>10</ns1:Count>"
            "</ns1:DFUBrowseDataRequest>")
    r = soap_post(http, f"{url}/WsDfu?rawxml_", envelope(body),
                  headers={"SOAPAction": '"WsDfu/DFUBrowseData?ver_=1.65"'})
    result = etree.fromstring(r.content).find(".//d:Result", Q).text
    dataset = etree.fromstring(result[result.index("<Dataset"):].encode())
    assert [row.findtext("line") for row in dataset] == ["a,b", "1,2"]
    assert etree.fromstring(r.content).find(".//d:Total", Q).text == "-1"


def test_get_data_columns_and_search_data(dfu, cat, scope):
    make_people(cat, f"{scope}::p", 5)
    r = dfu.service.DFUGetDataColumns(OpenLogicalName=f"{scope}::p", FilterBy="340040002namen1")
    cols = [(c.ColumnLabel, c.ColumnType, c.ColumnSize, c.MaxSize, c.ColumnValue)
            for c in r.DFUDataNonKeyedColumns1.DFUDataColumn]
    assert cols == [("name", "String", 13, 13, "n1"), ("id", "Integer", 20, 20, None),
                    ("__fileposition__", "Integer", 20, 20, None)]
    assert (r.LogicalName, r.RowCount, r.StartIndex, r.EndIndex) == (f"{scope}::p", 5, 1, 100)
    assert r.DFUDataKeyedColumns1 is None and r.DFUDataNonKeyedColumns2 is None
    assert dfu.service.DFUGetDataColumns(OpenLogicalName="").LogicalName is None
    assert esp_error(dfu.service.DFUGetDataColumns(OpenLogicalName=f"{scope}::x")) == (
        6700, f"Could not resolve file '{scope}::x' in DFS")
    s = dfu.service.DFUSearchData(OpenLogicalName=f"{scope}::p", Key="k", Cluster="mythor")
    assert (s.OpenLogicalName, s.LogicalName, s.RowCount, s.SelectedKey) == (f"{scope}::p", f"{scope}::p", 5, "k")
    assert s.SchemaOnly is True and "<Dataset" not in s.Result and s.AutoUppercaseTranslation is True
    s = dfu.service.DFUSearchData(LogicalName=f"{scope}::p", SchemaOnly=0, Count=2)
    assert s.Count == 2 and "<id>1</id>" in s.Result
    s = dfu.service.DFUSearchData(OpenLogicalName=f"{scope}::x")
    assert s.MsgToDisplay == f"Could not resolve file '{scope}::x' in DFS" and s.Exceptions is None


def test_file_metadata(dfu, cat, scope):
    make_people(cat, f"{scope}::p", 3)
    r = dfu.service.DFUGetFileMetaData(LogicalFileName=f"{scope}::p", IncludeXmlSchema=1)
    cols = [(c.ColumnID, c.ColumnLabel, c.ColumnEclType, c.ColumnType, c.IsKeyedColumn, c.IsNaturalColumn)
            for c in r.DataColumns.DFUDataColumn]
    assert cols == [(1, "name", "string10", "String", False, True), (2, "id", "integer4", "Integer", False, True),
                    (3, "__fileposition__", "unsigned8", "Unsigned Integer", False, False)]
    assert (r.TotalColumnCount, r.KeyedColumnCount, r.TotalResultRows) == (3, 0, 3)
    assert r.XmlSchema.startswith("<xs:schema") and r.XmlXPathSchema is None
    assert esp_error(dfu.service.DFUGetFileMetaData(LogicalFileName="")) == (
        20052, "CWsDfuEx::onDFUGetFileMetaData: LogicalFileName not set")


def test_record_type_info_and_def_file(dfu, cat, scope):
    make_people(cat, f"{scope}::p", 1)
    r = dfu.service.DFURecordTypeInfo(Name=f"{scope}::p")
    assert json.loads(r.jsonInfo)["fields"][0] == {"name": "name", "type": "ty1", "flags": 4}
    r = dfu.service.EclRecordTypeInfo(Ecl=PEOPLE_ECL)
    assert json.loads(r.jsonInfo)["length"] == 14
    d = dfu.service.DFUDefFile(Name=f"{scope}::p", Format="xml").defFile
    assert d.startswith(b"<Table>") and b"<filename>p</filename>" in d
    assert esp_error(dfu.service.DFUDefFile(Name=f"{scope}::p")) == (20052, "Invalid format")
    assert esp_error(dfu.service.DFUDefFile(Name="", Format="def")) == (20051, "File name required")
    make_file(cat, f"{scope}::noecl", b"1")
    assert esp_error(dfu.service.DFUDefFile(Name=f"{scope}::noecl", Format="def")) == (
        20051, f"No record definition for file {scope}::noecl.")


def test_ecl_type_info_parse_error_through_soap(http, url):
    """EclRecordTypeInfoResponse has no Exceptions field in the WSDL; the error is written anyway."""
    body = f'<EclRecordTypeInfoRequest xmlns="{NS}"><Ecl>RECORD foo x; END;</Ecl></EclRecordTypeInfoRequest>'
    r = soap_post(http, f"{url}/WsDfu", envelope(body))
    assert r.status_code == 200
    assert f'<EclRecordTypeInfoResponse xmlns="{NS}"><Exceptions><Exception><Code>' in r.text
    from lxml import etree
    message = etree.fromstring(r.content).findtext(f".//{{{NS}}}Message")
    assert message.endswith("Failed in parsing ECL record definition: unknown type 'foo' @ 8:1.")
