"""A method's `?form` page and the SOAP/JSON test pages it leads to (A.10).

The form follows ESP's conventions, server-rendered with a small inline script: an input per
request field named by its form path (`Parent.Child`), a text input for strings (size 50) and
numbers (size 20), a checkbox for booleans (a hidden `0` before it when the default is true, so
unchecking sends false), a textarea with one value per line for string arrays, and for struct
arrays a table with Add/Delete buttons whose rows are named `F.Type.<i>.Sub` and counted in a
hidden `F.Type.itemcount`. It POSTs form-encoded to `Method?ver_=..`; other buttons send the same
fields to `Method.json`, `Method.xml`, or to the `soap_builder_` / `json_builder_` pages, which
show the request ESP would build as a SOAP envelope or a JSON body, let it be edited and send it.
Values given in the URL (ESP's "Link to This Form") fill the fields, struct-array rows included.

Not like ESP: no description/help annotations (the models have none), enumerations are plain
text inputs, and the page does not load ESP's `files_/` scripts and style sheets.
"""
from __future__ import annotations

from html import escape
from typing import Any

from spyne.model.primitive import Boolean, Decimal

from wsservices.esp import codec, jsoncodec
from wsservices.esp.codec import array_item, is_complex

MAX_DEPTH = 6
MAX_PREFILLED_ROWS = 100
DOCTYPE = '<!DOCTYPE HTML PUBLIC "-//W3C//DTD HTML 4.01 Transitional//EN">'
HEAD = ('<html><head><meta http-equiv="Content-Type" content="text/html; charset=utf-8">'
        "<title>ESP Service form</title><style>"
        "body{font-family:sans-serif;font-size:small}table.fields td{vertical-align:top;padding:2px 6px}"
        "td.name{font-weight:bold}fieldset{margin:0;padding:2px}span.hint{color:#666}"
        "table.items{border-collapse:collapse}table.items>tbody>tr>td{border:1px solid #ccc}"
        "</style></head><body>")
TAIL = "</body></html>"
SOAP_NS = "http://schemas.xmlsoap.org/soap/envelope/"


class _EveryType(frozenset):
    """A nil_remove set holding every type: a request document lists only the fields set."""

    def __contains__(self, item: object) -> bool:
        return True


SET_FIELDS_ONLY = _EveryType()

FORM_SCRIPT = """<script>
function addRow(btn){var box=btn.parentNode,tpl=box.querySelector(':scope>template'),count=box.querySelector(':scope>input.count');
 var n=parseInt(count.value||'0',10),body=box.querySelector(':scope>table>tbody');
 var html=tpl.innerHTML.split(box.getAttribute('data-token')).join(String(n));
 var tmp=document.createElement('tbody');tmp.innerHTML=html;while(tmp.firstChild){body.appendChild(tmp.firstChild);}
 count.value=String(n+1);}
function removeRow(btn){var box=btn.parentNode,count=box.querySelector(':scope>input.count'),body=box.querySelector(':scope>table>tbody');
 var n=parseInt(count.value||'0',10);if(n<=0){return;}
 var rows=body.querySelectorAll(':scope>tr.item');rows[rows.length-1].remove();count.value=String(n-1);}
function enableAll(box){var inputs=document.querySelectorAll('#esp_fields input,#esp_fields textarea');
 for(var i=0;i<inputs.length;i++){inputs[i].disabled=!box.checked;}}
function linkToForm(){var form=document.getElementById('esp_form'),q=new URLSearchParams(new FormData(form)).toString();
 var url=form.action+(form.action.indexOf('?')<0?'?':'&')+'form'+(q?'&'+q:'');document.getElementById('esp_link').href=url;
 document.getElementById('esp_link').textContent=url;}
</script>"""

SEND_SCRIPT = """<script>
function sendRequest(){var status=document.getElementById('esp_status'),out=document.getElementById('esp_response');
 var headers={'Content-Type':document.getElementById('esp_ctype').value};var action=document.getElementById('esp_soapaction');
 if(action){headers['SOAPAction']=action.value;}
 status.textContent='sending...';
 fetch(document.getElementById('esp_dest').value,{method:'POST',headers:headers,body:document.getElementById('esp_request').value})
  .then(function(r){status.textContent=r.status+' '+r.statusText;return r.text();})
  .then(function(t){out.value=t;},function(e){status.textContent='failed: '+e;});
 return false;}
</script>"""


def form_page(service: str, version: str, op: Any, query: str, values: dict[str, str],
              as_json: bool = False) -> str:
    """The `?form` page of one operation. `query` is `?ver_=..` (the page's own parameters)."""
    method = op.name
    links = " ".join(f'<a href="{escape(method + query)}&{flag}">{label}</a>' for flag, label in (
        ("wsdl", "WSDL"), ("xsd", "XSD"), ("reqxml_", "XMLRequest"), ("respxml_", "XMLResponse"),
        ("reqjson_", "JSONRequest"), ("respjson_", "JSONResponse")))
    action = f"{method}.json{query}" if as_json else f"{method}{query}"
    rows = _rows(op.request, "", values, 0)
    buttons = "".join([
        '<input type="submit" value="Submit">',
        f' <input type="submit" value="Submit as JSON" formaction="{escape(method)}.json{escape(query)}">',
        f' <input type="submit" value="Submit as XML" formaction="{escape(method)}.xml{escape(query)}">',
        f' <input type="submit" value="SOAP Test" formaction="{escape(method + query)}&amp;soap_builder_">',
        f' <input type="submit" value="Json Test" formaction="{escape(method + query)}&amp;json_builder_">',
        ' <input type="reset" value="Reset">',
        ' <input type="button" value="Link to This Form" onclick="linkToForm()"> <a id="esp_link" href="#"></a>'])
    return (f"{DOCTYPE}{HEAD}"
            f"<table class='header'><tr><td><b>{escape(service)}</b> [Version {float(version):.2f}]</td></tr>"
            f"<tr><td><b>&gt;{escape(method)}</b> {links}</td></tr>"
            "<tr><td>Description: No description available</td></tr>"
            "<tr><td>Help: No Help available</td></tr></table>"
            f'<form id="esp_form" method="POST" enctype="application/x-www-form-urlencoded" action="{escape(action)}">'
            f"<p><input type='checkbox' checked id='V_' onclick='enableAll(this)'>"
            f" <label for='V_'>{escape(op.request_name)}</label></p>"
            f"<table class='fields' id='esp_fields'>{rows}</table><p>{buttons}</p></form>"
            f"{FORM_SCRIPT}{TAIL}")


def _rows(model: type, prefix: str, values: dict[str, str], depth: int) -> str:
    return "".join(f"<tr><td class='name'>{escape(name)}</td><td>{_control(t, prefix + name, values, depth)}</td></tr>"
                   for name, t in model._type_info.items())


def _control(t: type, path: str, values: dict[str, str], depth: int) -> str:
    name = escape(path, quote=True)
    if not is_complex(t):
        return _simple_control(t, name, values.get(path))
    if depth >= MAX_DEPTH:
        return "<span class='hint'>(nested too deep for this form)</span>"
    item = array_item(t)
    if item is None:
        return f"<fieldset><table class='fields'>{_rows(t, path + '.', values, depth + 1)}</table></fieldset>"
    if not is_complex(item[1]):
        return (f"<textarea name='{name}' id='{name}' rows='3' cols='50'>{escape(values.get(path, ''))}</textarea>"
                " <span class='hint'>one value per line</span>")
    base = f"{path}.{item[1].get_type_name()}"
    token = f"__i{depth}__"
    count = min(max(codec.atol(values.get(f"{base}.itemcount", "0")), 0), MAX_PREFILLED_ROWS)
    rows = "".join(_item_row(item[1], f"{base}.{i}.", values, depth) for i in range(count))
    return (f"<div class='array' data-token='{token}'><table class='items'><tbody>{rows}</tbody></table>"
            f"<template>{_item_row(item[1], f'{base}.{token}.', {}, depth)}</template>"
            f"<input type='hidden' class='count' name='{escape(base, quote=True)}.itemcount' value='{count}'>"
            "<input type='button' value='Add' onclick='addRow(this)'>"
            " <input type='button' value='Delete' onclick='removeRow(this)'></div>")


def _item_row(t: type, prefix: str, values: dict[str, str], depth: int) -> str:
    return f"<tr class='item'><td><table class='fields'>{_rows(t, prefix, values, depth + 1)}</table></td></tr>"


def _simple_control(t: type, name: str, value: str | None) -> str:
    default = t.Attributes.default
    if issubclass(t, Boolean):
        checked = value in ("1", "true", "on") if value is not None else bool(default)
        hidden = f"<input type='hidden' name='{name}' value='0'>" if default else ""
        return (f"{hidden}<input type='checkbox' name='{name}' id='{name}' value='1'"
                f"{' checked' if checked else ''}>")
    size = 20 if issubclass(t, Decimal) else 50
    shown = value if value is not None else ("" if default is None else codec.xml_text(default))
    return f"<input type='text' name='{name}' id='{name}' size='{size}' value='{escape(shown, quote=True)}'>"


def soap_builder_page(service: str, namespace: str, op: Any, request: Any, version: str) -> str:
    """ESP's SOAP Test page: the envelope for the submitted fields, editable, and a Send button."""
    out: list[str] = []
    codec.encode(request, op.request, op.request_name, out, SET_FIELDS_ONLY)
    envelope = (f'<?xml version="1.0" encoding="UTF-8"?><soap:Envelope xmlns:soap="{SOAP_NS}"'
                f' xmlns:SOAP-ENC="http://schemas.xmlsoap.org/soap/encoding/" xmlns="{namespace}">'
                f" <soap:Body>{''.join(out)} </soap:Body></soap:Envelope>")
    action = f'"{service}/{op.name}?ver_={version}"'
    extra = f"<p>SOAPAction: <input id='esp_soapaction' size='60' value='{escape(action, quote=True)}'></p>"
    dest = f"{op.name}?ver_={version}"
    return _builder(service, op.name, "SOAP Test", dest, "text/xml; charset=UTF-8", envelope, extra)


def json_builder_page(service: str, op: Any, request: Any, version: str) -> str:
    """ESP's JSON Test page: `{"<RequestType>": {...}}` for the submitted fields, and a Send button."""
    body = jsoncodec.document(request, op.request, op.request_name, SET_FIELDS_ONLY)
    return _builder(service, op.name, "JSON Test", f"{op.name}?ver_={version}", "application/json", body, "")


def _builder(service: str, method: str, title: str, dest: str, ctype: str, body: str, extra: str) -> str:
    return (f"{DOCTYPE}{HEAD}<h3>{escape(service)} / {escape(method)}: {title}</h3>"
            "<form onsubmit='return sendRequest()'>"
            f"<p>Destination: <input id='esp_dest' size='60' value='{escape(dest, quote=True)}'></p>"
            f"<p>Content-Type: <input id='esp_ctype' size='40' value='{escape(ctype, quote=True)}'></p>{extra}"
            f"<p>Request:<br><textarea id='esp_request' rows='16' cols='100'>{escape(body)}</textarea></p>"
            "<p><input type='submit' value='Send Request'></p></form>"
            "<p>Response: <span id='esp_status'></span><br>"
            "<textarea id='esp_response' rows='16' cols='100' readonly></textarea></p>"
            f"{SEND_SCRIPT}{TAIL}")
