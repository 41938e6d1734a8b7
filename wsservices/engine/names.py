"""Logical file names: the one place that knows Dali's naming rules.

Emulated (wsdfu.md §3, filespray.md §7.1, §6.2):
* leading whitespace is skipped and **one** leading ``~`` is dropped (WsDfu adds no default
  scope, so ``~a::b`` and ``a::b`` are the same name); a ``~`` anywhere else is an error;
* scopes are separated by ``::`` and spaces around each scope are trimmed; an empty scope
  (``a::::b``, a leading or trailing ``::``) is an error;
* valid characters are ASCII 32..126 except ``* " / : < > ? \\ |``; a single ``:`` is only legal
  inside the host part of ``foreign::``/``file::`` names (e.g. ``ip:port``); ``*``/``?`` give the
  wildcard error;
* everything is lower-cased; a name without ``::`` gets the root self scope (``x`` -> ``.::x``)
  and self scopes ``.`` elsewhere are squeezed out (``.::.::a::.::b`` -> ``a::b``); a name whose
  last part is ``.`` is an error;
* a ``@cluster`` suffix after the last ``::`` is split off (``@@`` and ``@^`` are escapes for a
  literal ``@`` and stay in the name as written);
* ``foreign::<host>::...`` names (another Dali) and the external ``file::``, ``plane::``,
  ``remote::`` forms are recognised and flagged; brace lists ``{a,b}`` are flagged as *multi*
  names and not parsed further.

Not emulated: resolving the ``foreign::`` host to its endpoint text (it is only trimmed and
lower-cased), the ECL default scope (WsDfu never applies one), ``#n`` subfile references.

Which error wins when a name breaks several rules: the segments between ``::`` are checked left
to right (characters, then blankness), then the ``.`` tail rule.

Physical layout (filespray.md §6.2): one directory per scope below the cluster's base directory,
and part files named ``<tail>._<p>_of_<N>`` (also ``._1_of_1``). A scope or tail that would be a
special directory name (``..``) is written as ``%2E%2E`` so that no name can leave the base
directory (Dali's ``translateLFNToPath`` escapes only characters invalid in file names and would
climb out); as every name is lower-cased and escapes are upper-case, the mapping from names to
paths is one-to-one.
"""
from __future__ import annotations

from dataclasses import dataclass

from .errors import InvalidLogicalName

#: Characters that may not appear in a scope or tail (`dautils` ``invalids``).
INVALID_CHARS = '*"/:<>?\\|'
#: Wildcard characters (reported with their own text).
WILDCARDS = "*?"
SEPARATOR = "::"
SELF_SCOPE = "."
_LEADING_WS = " \t\r\n\f\v"
_EXTERNAL_KINDS = ("file", "plane", "remote")


@dataclass(frozen=True)
class LogicalName:
    """A parsed, normalised logical file name.

    ``name`` is the full normalised text without the ``@cluster`` qualifier; ``scopes`` and
    ``tail`` describe the local part (for ``foreign::h::a::b`` that is ``("a",)`` / ``"b"``).
    """

    name: str
    scopes: tuple[str, ...]
    tail: str
    cluster: str | None = None
    foreign_host: str | None = None
    external_kind: str | None = None   # "file", "plane" or "remote"
    external_host: str | None = None   # host, plane name or remote service
    is_multi: bool = False

    @property
    def is_foreign(self) -> bool:
        return self.foreign_host is not None

    @property
    def is_external(self) -> bool:
        return self.external_kind is not None

    @property
    def scope(self) -> str:
        """The scope part, ``a::b`` for ``a::b::c``; empty for root-scope names."""
        return SEPARATOR.join(self.scopes)

    @property
    def local_name(self) -> str:
        """The name inside its Dali: without a ``foreign::<host>::`` prefix."""
        return _join(self.scopes, self.tail)

    @property
    def dali_xpath(self) -> str:
        """The file's node path in Dali, used in lock messages (wsdfu.md §6), e.g.
        ``Files/Scope[@name="thor"]/File[@name="myfile"]``. Root-scope names get no Scope step."""
        steps = "".join(f'/Scope[@name="{s}"]' for s in self.scopes)
        return f'Files{steps}/File[@name="{self.tail}"]'

    @property
    def directory(self) -> str:
        """Relative directory of the parts below the base directory (``a/b``; ``""`` at root)."""
        return logical_directory(self)

    @property
    def physical_path(self) -> str | None:
        """For ``file::<host>::a::b`` names: ``/a/b`` with ``^x`` decoded to ``X``."""
        if self.external_kind != "file":
            return None
        return "/" + "/".join(_decode_caret(p) for p in (*self.scopes, self.tail))

    def __str__(self) -> str:
        return self.name


def normalize_logical_name(name: str | None) -> str:
    """The normalised name (lower case, no ``~``, no ``@cluster``); raises InvalidLogicalName."""
    return parse_logical_name(name).name


def parse_logical_name(name: str | None) -> LogicalName:
    """Parse and validate ``name``; raises `InvalidLogicalName` with Dali's texts (code -1)."""
    text = (name or "").lstrip(_LEADING_WS)
    if text.startswith("~"):
        text = text[1:]
    shown = text  # the messages quote the input after the '~' was removed
    if not text.strip(_LEADING_WS):
        raise InvalidLogicalName.empty()
    stripped = text.strip(" ")
    if stripped.startswith("{") and stripped.endswith("}"):
        return LogicalName(name=stripped.lower(), scopes=(), tail=stripped.lower(), is_multi=True)

    segments = text.split(SEPARATOR)
    kind = segments[0].strip(" ").lower()
    if len(segments) >= 3 and kind == "foreign":
        host = _host_segment(segments[1], shown)
        local = _parse_local(segments[2:], shown)
        return LogicalName(name=f"foreign::{host}::{_join(local.scopes, local.tail)}",
                           scopes=local.scopes, tail=local.tail, cluster=local.cluster,
                           foreign_host=host)
    if len(segments) >= 3 and kind in _EXTERNAL_KINDS:
        host = _host_segment(segments[1], shown)
        if kind == "remote":
            inner = _parse_local(segments[2:], shown)
            scopes, tail, cluster = inner.scopes, inner.tail, inner.cluster
            rest = _join(scopes, tail)
        else:
            parts = [_plain_segment(s, shown) for s in segments[2:]]
            scopes, tail, cluster = tuple(parts[:-1]), parts[-1], None
            rest = SEPARATOR.join(parts)
        return LogicalName(name=f"{kind}::{host}::{rest}", scopes=scopes, tail=tail,
                           cluster=cluster, external_kind=kind, external_host=host)
    return _parse_local(segments, shown)


def _parse_local(segments: list[str], shown: str) -> LogicalName:
    """Scopes + tail (+ optional @cluster) of a name that lives in this Dali."""
    segments = list(segments)
    cluster = None
    at = _cluster_split(segments[-1])
    if at is not None:
        cluster = segments[-1][at + 1:]
        segments[-1] = segments[-1][:at]
        _check_chars(cluster, shown)
        cluster = cluster.strip(" ").lower() or None
    parts = [_plain_segment(s, shown) for s in segments]
    tail = parts[-1]
    if tail == SELF_SCOPE:
        raise InvalidLogicalName.ends_with_self_scope()
    scopes = tuple(p for p in parts[:-1] if p != SELF_SCOPE)
    return LogicalName(name=_join(scopes, tail), scopes=scopes, tail=tail, cluster=cluster)


def _plain_segment(segment: str, shown: str) -> str:
    _check_chars(segment, shown)
    trimmed = segment.strip(" ")
    if not trimmed:
        raise InvalidLogicalName.blank_scope(shown)
    return trimmed.lower()


def _host_segment(segment: str, shown: str) -> str:
    """The host part of foreign::/file:: names: like a scope, but ``ip:port`` is allowed."""
    _check_chars(segment, shown, allow_colon=True)
    trimmed = segment.strip(" ")
    if not trimmed:
        raise InvalidLogicalName.blank_scope(shown)
    return trimmed.lower()


def _check_chars(segment: str, shown: str, allow_colon: bool = False) -> None:
    for ch in segment:
        if ch in WILDCARDS:
            raise InvalidLogicalName.wildcards(shown)
        if ch == ":" and allow_colon:
            continue
        if ch == "~" or ch in INVALID_CHARS or not (32 <= ord(ch) <= 126):
            raise InvalidLogicalName.unexpected_character(ch, shown)


def _cluster_split(tail: str) -> int | None:
    """Index of the ``@`` that starts a cluster qualifier in ``tail``, if any."""
    found = None
    i = 0
    while i < len(tail):
        if tail[i] == "@":
            if i + 1 < len(tail) and tail[i + 1] in "@^":
                i += 2
                continue
            found = i
        i += 1
    return found


def _join(scopes: tuple[str, ...], tail: str) -> str:
    return SEPARATOR.join((*scopes, tail)) if scopes else f"{SELF_SCOPE}{SEPARATOR}{tail}"


def _decode_caret(component: str) -> str:
    out, i = [], 0
    while i < len(component):
        if component[i] == "^" and i + 1 < len(component):
            out.append(component[i + 1].upper())
            i += 2
        else:
            out.append(component[i])
            i += 1
    return "".join(out)


# ---------------------------------------------------------------------------------------------
# Physical naming (filespray.md §6.2)
# ---------------------------------------------------------------------------------------------

def _path_component(text: str) -> str:
    """One scope or tail as a file-name component, as Dali's ``translateLFNToPath`` writes it:
    lower case, characters that are invalid in a file name as ``%XX`` (upper-case hex). The
    emulator also writes ``..`` (and ``.``) that way, where Dali would leave the directory; as
    names are lower-cased and only escapes use upper case, two distinct names never share a
    path (``a::..::b`` is ``a/%2E%2E/b``, ``a::%2e%2e::b`` is ``a/%2e%2e/b``)."""
    if text in (".", ".."):
        return "".join(f"%{ord(c):02X}" for c in text)
    return "".join(f"%{ord(c):02X}" if (c in INVALID_CHARS or ord(c) < 32) else c
                   for c in text.lower())


def logical_directory(name: str | LogicalName) -> str:
    """Relative directory (``/``-separated) of a local logical file's parts.

    ``tutorial::yn::people`` -> ``tutorial/yn``; a root-scope name -> ``""`` (the base directory
    itself). Foreign and external names have no local directory (ValueError).
    """
    parsed = name if isinstance(name, LogicalName) else parse_logical_name(name)
    if parsed.is_foreign or parsed.is_external or parsed.is_multi:
        raise ValueError(f"{parsed.name} has no local directory")
    return "/".join(_path_component(s) for s in parsed.scopes)


def part_mask(tail: str) -> str:
    """Dali's part mask for a tail: ``<tail>._$P$_of_$N$`` (SVC constructFileMask)."""
    return f"{_path_component(tail)}._$P$_of_$N$"


def part_file_name(tail: str, part_no: int, num_parts: int) -> str:
    """The file name of part ``part_no`` (1-based) of ``num_parts``: ``people._1_of_3``."""
    if num_parts < 1 or not 1 <= part_no <= num_parts:
        raise ValueError(f"part {part_no} of {num_parts} is out of range")
    return f"{_path_component(tail)}._{part_no}_of_{num_parts}"
