"""The numeric error codes of ESP, Dali and the DFU server, in one table.

Every value here is taken from the research notes in ``shared/reference`` (the section is given
next to each group). The names follow HPCC's own constants where the notes name them
(``esp/smc/SMCLib/eclwatch_errorlist.hpp``, ``dali/dfu/dfuerror.hpp``, ``dali/base/dadfs.hpp``,
``dali/base/dasds.hpp``, ``packageprocess_errors.h``). Where the notes give only a number, the
name is descriptive and says so.

Codes the notes mention without a name are deliberately absent (20014, 20049, 20068,
20102); add them here, with their real name, when a feature needs them.
"""
from __future__ import annotations

# --- Generic -------------------------------------------------------------------------------
#: Errors raised with ``MakeStringException(-1, ...)`` by jlib/Dali (wsdfu.md §0.3) and by the
#: SOAP layer for an unknown enum value.
GENERIC_ERROR = -1

# --- ECL Watch / ESP service codes (wsdfu.md §0.3, filespray.md §2.2, packageprocess.md §2) ---
ECLWATCH_ERROR_START = 20000
ECLWATCH_INTERNAL_ERROR = 20000
ECLWATCH_SUPER_USER_ACCESS_DENIED = 20002
ECLWATCH_DFU_ACCESS_DENIED = 20011
ECLWATCH_DFU_XREF_ACCESS_DENIED = 20012
ECLWATCH_DFU_WU_ACCESS_DENIED = 20013
ECLWATCH_FILE_SPRAY_ACCESS_DENIED = 20015
ECLWATCH_FILE_DESPRAY_ACCESS_DENIED = 20016
ECLWATCH_FILE_NOT_EXIST = 20038
ECLWATCH_CANNOT_OPEN_FILE = 20039
ECLWATCH_CANNOT_READ_FILE = 20040
ECLWATCH_NOT_SUPERFILE = 20041
ECLWATCH_FILE_ALREADY_EXISTS = 20042
ECLWATCH_INVALID_CLUSTER_INFO = 20048
ECLWATCH_MISSING_PARAMS = 20051
ECLWATCH_INVALID_INPUT = 20052
ECLWATCH_CANNOT_GET_FILE_ITERATOR = 20061
ECLWATCH_TOO_MANY_DATA_ROWS = 20063
ECLWATCH_CANNOT_PARSE_ECL_QUERY = 20066
ECLWATCH_DROP_ZONE_NOT_FOUND = 20070
ECLWATCH_PROGRESS_INFO_NOT_FOUND = 20072
ECLWATCH_ACCESS_TO_FILE_DENIED = 20073
ECLWATCH_INVALID_DIRECTORY = 20074
ECLWATCH_CANNOT_GET_WORKUNIT = 20080
ECLWATCH_CANNOT_OPEN_WORKUNIT = 20081
ECLWATCH_CANNOT_UPDATE_WORKUNIT = 20082
ECLWATCH_CANNOT_DELETE_WORKUNIT = 20085

# --- DFU helper errors, dali/dfu/dfuerror.hpp (wsdfu.md §0.3) --------------------------------
DFUERR_DFileNotFound = 8294
DFUERR_DSuperFileNotFound = 8300
DFUERR_DSuperFileContainsSub = 8302
DFUERR_DSuperFileDoesntContainSub = 8303
DFUERR_DNoSubfileToAddToSuperFile = 8304

# --- Dali DFS exceptions: code = enum index in dali/base/dadfs.hpp (wsdfu.md §0.3) ------------
DFSERR_LogicalNameAlreadyExists = 1
DFSERR_LookupAccessDenied = 3
DFSERR_CreateAccessDenied = 4
DFSERR_ClusterNotFound = 9
DFSERR_FailedToDeleteFile = 12
DFSERR_RestrictedFileAccessDenied = 14

# --- Dali SDS exceptions: enum positions in dali/base/dasds.hpp (wsdfu.md §6) -----------------
SDSExcpt_LockTimeout = 1
SDSExcpt_LockHeld = 30

# --- DFT (file transfer) errors, dali/ft/fterror.hpp (filespray.md §5.1, §6.2, §4.5) ---------
# The notes give only the numbers; the names are descriptive.
DFTERR_OVERWRITE_NOT_SUPPLIED = 8089   # "OVERWRITE not supplied and physical file %s exists"
DFTERR_USER_ABORT = 8196               # "Copy failed - User Abort"
DFTERR_FORBIDDEN_RELATIVE_PATH = 8111  # "Invalid file path: '%s'. For security reason ..."
DFTERR_NO_DROP_ZONE = 8112             # "No Drop Zone on '%s' configured at '%s'."

# --- WsPackageProcess, packageprocess_errors.h (packageprocess.md §2 "Error codes") ----------
PKG_PROCESS_ERROR_START = 11000
PKG_NAME_EXISTS = 11000
PKG_MISSING_PARAM = 11001
PKG_DALI_LOOKUP_ERROR = 11002
PKG_TARGET_NOT_DEFINED = 11004
PKG_ACTIVATE_NOT_FOUND = 11005
PKG_DELETE_NOT_FOUND = 11007
PKG_NONE_DEFINED = 11008
PKG_CREATE_PACKAGESET_FAILED = 11009
PKG_PACKAGEMAP_NOT_FOUND = 11010
PKG_LOAD_PACKAGEMAP_FAILED = 11011
PKG_INVALID_CLUSTER_TYPE = 11012
PKG_INVALID_QUERY_NAME = 11013
PKG_INFO_NOT_DEFINED = 11014
PKG_INVALID_DFU_TARGET_PLANE = 11016

# --- Package model, common/pkgfiles/package.h (packageprocess.md §2) -------------------------
PACKAGE_ERROR_START = 5200
PACKAGE_TARGET_NOT_FOUND = 5200
PACKAGE_MISSING_ID = 5201
PACKAGE_NO_SUBFILES = 5202
PACKAGE_NOT_FOUND = 5203
PACKAGE_QUERY_NOT_FOUND = 5204

# --- Roxie, roxie/roxie/roxie.hpp (packageprocess.md §5; ROXIE_ERROR_START + n) ---------------
ROXIE_ERROR_START = 1400
ROXIE_QUERY_SUSPENDED = 1402      # "Query <id> is suspended[ because <reason>]"
ROXIE_UNKNOWN_QUERY = 1403        # "Unknown query <name>[, in target <t>]"
ROXIE_DATA_ERROR = 1409           # "Malformed request", "Malformed SOAP request (missing Body)"
ROXIE_FILE_ERROR = 1410           # "Could not resolve filename <name>[ (Package is compulsory)]"
ROXIE_NO_PACKAGES_ACTIVE = 1450   # "Unknown query <name> (no packages active)"
