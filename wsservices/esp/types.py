"""spyne building blocks shared by the generated service models.

ESP's WSDLs use a handful of XSD simple types; these are the spyne types that produce exactly
those (spyne's plain `Integer` would give xs:integer, not xs:int).
"""
from __future__ import annotations

import warnings
from dataclasses import dataclass

with warnings.catch_warnings():  # spyne 2.14 imports `cgi` and a vendored six noisily
    warnings.simplefilter("ignore")
    from spyne import Boolean, ByteArray, ComplexModel, DateTime, Double, Integer32 as Int, Long, Unicode
    from spyne.model.primitive import UnsignedInteger as NonNegativeInteger
    from spyne.model.primitive import UnsignedInteger32 as UnsignedInt

__all__ = ["Boolean", "ByteArray", "ComplexModel", "DateTime", "Double", "Int", "Long", "NonNegativeInteger",
           "Operation", "Unicode", "UnsignedInt"]


@dataclass(frozen=True)
class Operation:
    """One operation of an ESP service contract: its name and request/response models."""

    name: str
    request: type
    response: type

    @property
    def request_name(self) -> str:
        return self.request.get_type_name()

    @property
    def response_name(self) -> str:
        return self.response.get_type_name()
