"""The DFU engine's partitioning logic: how sprays, copies and desprays cut and join files.

Pure planning over seekable binary files, independent of storage and workunits:

* ``formats``  - the DFU format-code table and the source-format descriptor.
* ``plan``     - part counts, split-point arithmetic, part names, node placement.
* ``fixedlen``, ``csvsplit``, ``xmlsplit``, ``jsonsplit``, ``varlen`` - boundary rules per
  format family (filespray.md §6.4); ``blob`` - prefixes and split prefixes.
* ``spray``    - ``plan_spray``: the segments of every target part.
* ``despray``  - ``plan_despray``: the segments of every destination file.
* ``metadata`` - attributes the new logical file records (§6.5), ECL from a CSV header.
* ``stream``   - writes a planned file (kernel copies for unchanged ranges).
* ``partfile`` - reading parts (`open_part`, expanded) and writing block-compressed parts.
"""
from .despray import DesprayTarget, PartFile, plan_despray
from .errors import TransferError
from .formats import (FileFormat, Kind, SourceFormat, spray_fixed_format,
                      spray_variable_format)
from .metadata import (crc32_combine, csv_ecl_record, ecl_record, file_attributes,
                       part_attributes, signed_crc32)
from .partfile import CompressedFileError, PartWriter, open_part, part_size
from .plan import (deal_whole_files, num_target_parts, part_mask, part_name, part_node,
                   placement, replica_node, split_points, wrap_destination)
from .segments import CopyRange, Literal
from .spray import PartPlan, SourceFile, SprayPlan, plan_spray
from .stream import OpenFiles, write_segments

__all__ = [
    "CompressedFileError", "CopyRange", "DesprayTarget", "FileFormat", "Kind", "Literal", "OpenFiles", "PartFile",
    "PartPlan", "PartWriter", "open_part", "part_size",
    "SourceFile", "SourceFormat", "SprayPlan", "TransferError", "crc32_combine",
    "csv_ecl_record", "deal_whole_files", "ecl_record", "file_attributes",
    "num_target_parts", "part_attributes", "part_mask", "part_name", "part_node",
    "placement", "plan_despray", "plan_spray", "replica_node", "signed_crc32",
    "split_points", "spray_fixed_format", "spray_variable_format", "wrap_destination",
    "write_segments",
]
