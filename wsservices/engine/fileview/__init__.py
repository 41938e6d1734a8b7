"""HPCC's file-view library (``common/fileview2``): what WsDfu shows of a file's data.

* ``eclrecord`` - ECL record definitions: the model and the parser
* ``eclrows``   - decoding rows of Thor's flat layout by a record
* ``ecltypes``  - RTL type information, XML schemas and def files of a record
* ``source``    - opening a logical file for viewing and reading its rows in pages
* ``views``     - DFUBrowseData, DFUGetDataColumns and DFUGetFileMetaData
* ``layouts``   - DFUDefFile, DFURecordTypeInfo and EclRecordTypeInfo
"""
