"""Models of WsDfu operations newer than the 1.65 contract, served as extra operations.

DFUFileRename (ECM 1.68, `esp/scm/ws_dfu.ecm`): ``FileRenames`` of ``DFUFileRenameItem``
{OldName, NewName} in, ``Results`` of ``DFUFileRenameResult`` {OldName, NewName, Success,
Message} out (wsdfu.md §4.18). Same namespace as the generated models.
"""
# flake8: noqa
from wsservices.esp.types import Boolean, ComplexModel, Operation, Unicode
from wsservices.wsdfu.models import NAMESPACE, ArrayOfEspException


class DFUFileRenameItem(ComplexModel):
    __namespace__ = NAMESPACE
    _type_info = [
        ("OldName", Unicode),
        ("NewName", Unicode),
    ]


class ArrayOfDFUFileRenameItem(ComplexModel):
    __namespace__ = NAMESPACE
    _type_info = [
        ("DFUFileRenameItem", DFUFileRenameItem.customize(max_occurs="unbounded")),
    ]


class DFUFileRenameResult(ComplexModel):
    __namespace__ = NAMESPACE
    _type_info = [
        ("OldName", Unicode),
        ("NewName", Unicode),
        ("Success", Boolean),
        ("Message", Unicode),
    ]


class ArrayOfDFUFileRenameResult(ComplexModel):
    __namespace__ = NAMESPACE
    _type_info = [
        ("DFUFileRenameResult", DFUFileRenameResult.customize(max_occurs="unbounded")),
    ]


class DFUFileRenameRequest(ComplexModel):
    __namespace__ = NAMESPACE
    _type_info = [
        ("FileRenames", ArrayOfDFUFileRenameItem),
    ]


class DFUFileRenameResponse(ComplexModel):
    __namespace__ = NAMESPACE
    _type_info = [
        ("Exceptions", ArrayOfEspException),
        ("Results", ArrayOfDFUFileRenameResult),
    ]


EXTRA_OPERATIONS = (
    Operation("DFUFileRename", DFUFileRenameRequest, DFUFileRenameResponse),
)
