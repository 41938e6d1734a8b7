"""``hpccemu-dfuplus`` listhistory and erasehistory (a mixin of `dfuplus.DfuPlus`), as
dali/dfuplus prints them: WsDfu ListHistory in ``outformat`` xml (the default), ascii, csv (with
``csvheader``, default 1) or json; EraseHistory after saving the history to ``dstxml`` unless
``backup=0``. The file is named by ``lfn``; dfuplus's message for a missing one says ``srcname``.
"""
from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from .dfuplus_actions import Fail

FIELDS = ("IP", "Name", "Operation", "Owner", "Path", "Timestamp", "Workunit")


def _records(resp: Any) -> list[dict[str, str]]:
    history = getattr(resp, "History", None)
    origins = getattr(history, "Origin", None) or []
    return [{f: getattr(o, f, None) or "" for f in FIELDS} for o in origins]


def history_xml(records: list[dict[str, str]]) -> str:
    """historyToXml."""
    out = ["<History>\n"]
    for r in records:
        out.append(f'\t<Origin ip="{r["IP"]}"\n\t\tname="{r["Name"]}"\n\t\toperation="{r["Operation"]}"\n'
                   f'\t\towner="{r["Owner"]}"\n\t\tpath="{r["Path"]}"\n\t\ttimestamp="{r["Timestamp"]}"\n'
                   f'\t\tworkunit="{r["Workunit"]}"/>\n')
    out.append("</History>\n")
    return "".join(out)


def _json_text(value: str) -> str:
    """jlib's encodeJSON inside quotes (DEL escaped too)."""
    return json.dumps(value, ensure_ascii=False).replace("\x7f", "\\u007f")


class HistoryActions:
    """Uses `need`, `checked` and `info` of `dfuplus.DfuPlus` / `dfuplus_actions.FileActions`."""

    props: Any

    def do_listhistory(self) -> int:
        lfn = self.need("lfn", "srcname not specified")
        resp = self.checked("wsdfu", "ListHistory", Name=lfn)
        if resp is None:
            return -1
        fmt = (self.props.get("outformat") or "xml").lower()
        if fmt not in ("xml", "ascii", "csv", "json"):
            self.info(f"Unsupported output format: '{self.props.get('outformat')}'\n")
            return -1
        records = _records(resp)
        if not records:
            self.info(f"{lfn} doesn't have stored history!\n")
            return -2
        if fmt == "xml":
            self.info(f"\n{history_xml(records)}\n")
        elif fmt == "ascii":
            self.info(f"\nHistory of {lfn}:\n")
            self.info("".join(f"{i}" + "".join(f', {f.lower()}="{r[f]}"' for f in FIELDS[:-1])
                              + f', workunit="{r["Workunit"]}"/>\n' for i, r in enumerate(records, 1)))
        elif fmt == "csv":
            header = "ip,name,operation,owner,path,timestamp,workunit\n" if self.props.get_bool("csvheader", True) else ""
            self.info("\n" + header + "".join(",".join(r[f] for f in FIELDS) + "\n" for r in records))
        else:
            items = ["\n        {\n" + ",\n".join(f'            "{f.lower()}": {_json_text(r[f])}' for f in FIELDS)
                     + "\n\n        }" for r in records]
            self.info('\n{\n    "History": [' + ",".join(items) + "\n    ]\n}\n\n")
        return 0

    def do_erasehistory(self) -> int:
        lfn = self.need("lfn", "srcname not specified")
        backup = self.props.get_bool("backup", True)
        dstxml = self.props.get("dstxml")
        if backup and not dstxml:
            raise Fail("dstxml not specified")
        self.info(f"\nErase history of '{lfn}' with{'' if backup else 'out'} backup.\n")
        if backup:
            resp = self.checked("wsdfu", "ListHistory", Name=lfn)
            if resp is None:
                return -1
            records = _records(resp)
            if not records:
                self.info(f"{lfn} doesn't have stored history!\n")
                return -2
            text = history_xml(records)
            self.info(f"\n{text}\n")
            try:
                Path(dstxml).write_text(text)
            except OSError:
                raise Fail(f"can't open file {dstxml}, erase history cancelled.\n") from None
            self.info(f"History written into {dstxml}.\n")
        if self.checked("wsdfu", "EraseHistory", Name=lfn) is None:
            return -1
        self.info("History erased.\n")
        return 0
