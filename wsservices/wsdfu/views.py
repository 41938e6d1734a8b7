"""WsDfu's data-view and layout methods (wsdfu.md §4.8-4.13)."""
from __future__ import annotations

from wsservices.engine.fileview import layouts, source, views
from wsservices.engine.errors import DomainError
from wsservices.wsdfu import models


def _columns(cols) -> models.ArrayOfDFUDataColumn | None:
    if not cols:
        return None
    return models.ArrayOfDFUDataColumn(DFUDataColumn=[
        models.DFUDataColumn(ColumnLabel=c.label, ColumnType=c.column_type,
                             ColumnSize=c.column_size, MaxSize=c.max_size,
                             ColumnValue=c.value or None) for c in cols])


def _meta_column(c) -> models.DFUDataColumn:
    col = models.DFUDataColumn(ColumnID=c.id, ColumnLabel=c.label, ColumnType=c.column_type,
                               ColumnEclType=c.ecl_type, IsKeyedColumn=c.keyed,
                               IsNaturalColumn=c.natural)
    if c.raw_size is not None:
        col.ColumnRawSize = c.raw_size
    if c.children:
        col.DataColumns = models.ArrayOfDFUDataColumn(
            DFUDataColumn=[_meta_column(child) for child in c.children])
    return col


class ViewMethods:
    """DFUBrowseData, DFUGetDataColumns, DFUSearchData, DFUGetFileMetaData, DFURecordTypeInfo,
    EclRecordTypeInfo, DFUDefFile."""

    # -- rows --------------------------------------------------------------------------------
    def DFUBrowseData(self, req):
        r = views.browse(self.files, req.LogicalName, req.Start, req.Count, req.FilterBy,
                            schema_only=bool(req.SchemaOnly),
                            disable_uppercase=bool(req.DisableUppercaseTranslation))
        return self._browse_response(models.DFUBrowseDataResponse(), r, req)

    def _browse_response(self, resp, r, req):
        shown = source.parse_show_columns(req.ShowColumns)
        hidden = [models.DFUDataColumn(ColumnLabel=label, ColumnType=kind,
                                       ColumnSize=1 if shown is None or i in shown else 0)
                  for i, (label, kind) in enumerate(r.column_labels)]
        filters = source.parse_filter_by(req.FilterBy)
        filter_by, go_back = source.filter_echo(filters)
        resp.LogicalName = r.logical_name
        resp.Start = r.start
        resp.PageSize = r.requested
        resp.Count = r.count
        resp.Total = r.total
        resp.Result = r.result
        resp.ColumnCount = len(r.column_labels)
        resp.ColumnsHidden = type(resp)._type_info["ColumnsHidden"](ColumnHidden=hidden)
        resp.FilterForGoBack = go_back
        if filter_by:
            resp.FilterBy = filter_by
        if req.StartForGoback:
            resp.StartForGoback = req.StartForGoback
        if req.CountForGoback:
            resp.CountForGoback = req.CountForGoback
        resp.SchemaOnly = bool(req.SchemaOnly)
        resp.ChooseFile = 1 if req.ChooseFile else 0
        if req.Cluster:
            resp.Cluster = req.Cluster
        if req.ClusterType:
            resp.ClusterType = req.ClusterType
        if req.ParentName:
            resp.ParentName = req.ParentName
        if r.timed_out:
            resp.MsgToDisplay = source.TIMED_OUT
        return resp

    def DFUGetDataColumns(self, req):
        name = (req.OpenLogicalName or "").strip()
        resp = models.DFUGetDataColumnsResponse(ChooseFile=req.ChooseFile or 0)
        if not name:
            return resp
        return self._columns_response(resp, views.data_columns(self.files, name, req.FilterBy),
                                      req)

    def _columns_response(self, resp, r, req):
        resp.LogicalName = r.logical_name
        resp.StartIndex = req.StartIndex if req.StartIndex and req.StartIndex >= 1 else 1
        resp.EndIndex = req.EndIndex if req.EndIndex and req.EndIndex >= 1 else 100
        resp.RowCount = r.row_count
        for i in range(20):
            setattr(resp, f"DFUDataKeyedColumns{i + 1}", _columns(r.keyed[i]))
            setattr(resp, f"DFUDataNonKeyedColumns{i + 1}", _columns(r.non_keyed[i]))
        if req.ShowColumns:
            resp.ShowColumns = req.ShowColumns
        resp.ChooseFile = req.ChooseFile or 0
        if getattr(req, "Cluster", None):
            resp.Cluster = req.Cluster
        if getattr(req, "ClusterType", None):
            resp.ClusterType = req.ClusterType
        return resp

    def DFUSearchData(self, req):
        resp = models.DFUSearchDataResponse(
            Cluster=req.Cluster, ClusterType=req.ClusterType, File=req.File, Key=req.Key,
            SelectedKey=req.SelectedKey or req.Key, ParentName=req.ParentName,
            RoxieSelections=req.RoxieSelections,
            DisableUppercaseTranslation=req.DisableUppercaseTranslation)
        open_name = req.OpenLogicalName or ""
        if open_name:
            try:
                columns = views.data_columns(self.files, open_name.strip(), req.FilterBy)
            except DomainError as exc:  # shown to the user, not raised (ESP >= 1.08)
                resp.MsgToDisplay = exc.message
                return resp
            resp.OpenLogicalName = open_name
            self._columns_response(resp, columns, req)
        name = req.LogicalName or open_name
        if name:
            schema_only = True if req.SchemaOnly is None else bool(req.SchemaOnly)
            r = views.browse(self.files, name, req.Start, req.Count, req.FilterBy,
                                schema_only=schema_only,
                                disable_uppercase=bool(req.DisableUppercaseTranslation))
            req.SchemaOnly = schema_only
            self._browse_response(resp, r, req)
            resp.AutoUppercaseTranslation = True
        return resp

    # -- layouts -----------------------------------------------------------------------------
    def DFUGetFileMetaData(self, req):
        r = views.file_metadata(self.files, req.LogicalFileName,
                                   include_schema=bool(req.IncludeXmlSchema),
                                   schema_header=bool(req.AddHeaderInXmlSchema),
                                   include_xpath_schema=bool(req.IncludeXmlXPathSchema),
                                   xpath_header=bool(req.AddHeaderInXmlXPathSchema))
        resp = models.DFUGetFileMetaDataResponse(
            TotalColumnCount=len(r.columns), KeyedColumnCount=r.keyed_count,
            DataColumns=models.ArrayOfDFUDataColumn(
                DFUDataColumn=[_meta_column(c) for c in r.columns]),
            TotalResultRows=r.total_rows)
        if r.xml_schema:
            resp.XmlSchema = r.xml_schema
        if r.xpath_schema:
            resp.XmlXPathSchema = r.xpath_schema
        return resp

    def DFURecordTypeInfo(self, req):
        include_json = True if req.IncludeJsonTypeInfo is None else bool(req.IncludeJsonTypeInfo)
        info = layouts.file_type_info(self.files, req.Name, include_json)
        return models.DFURecordTypeInfoResponse(jsonInfo=info)

    def EclRecordTypeInfo(self, req):
        include_json = True if req.IncludeJsonTypeInfo is None else bool(req.IncludeJsonTypeInfo)
        return models.EclRecordTypeInfoResponse(jsonInfo=layouts.ecl_type_info(req.Ecl, include_json))

    def DFUDefFile(self, req):
        data, _mime = layouts.record_def_file(self.files, req.Name, req.Format)
        return models.DFUDefFileResponse(defFile=[data])
