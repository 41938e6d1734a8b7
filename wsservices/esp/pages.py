"""The plain HTML pages ESP serves: a service's index page, the 404, unsupported-method and
exceptions pages (a method's form page is `formpage`).

The index page is byte-for-byte ESP's layout (one string, no newlines, `&` unescaped in
links, operations in strcmp order including Ping).
"""
from __future__ import annotations

from html import escape

from wsservices import __version__
from wsservices.esp.codec import atof

BUILD = f"hpccemu_{__version__}"
HEAD = ('<html><head><meta http-equiv="Content-Type" content="text/html; charset=utf-8">'
        "<title>Enterprise Services Platform</title></head><body>")
TAIL = "</body></html>"


def format_version(version: str | float) -> str:
    """ESP prints link versions with %g: 1.08 -> 1.08, 1.10 -> 1.1 (text is read with atof)."""
    return f"{version if isinstance(version, float) else atof(str(version)):g}"


_MARKUP = str.maketrans({"<": "%3C", ">": "%3E", '"': "%22", "'": "%27"})


def link_params(args: list[tuple[str, str]], version: str) -> str:
    """The request's own parameters (minus form) as ESP writes them in links, ver_ first if absent.
    ESP copies them unescaped; the emulator percent-encodes ``< > " '`` so that a parameter
    cannot write markup into the page (other values are byte-identical)."""
    parts = [(k if v == "" else f"{k}={v}").translate(_MARKUP) for k, v in args
             if k not in ("form", "__querystring")]
    if not any(k == "ver_" for k, _ in args):
        parts.insert(0, f"ver_={format_version(version)}")
    return "?" + "&".join(parts)


def index_page(service: str, version: str, client_version: float, op_names: list[str],
               args: list[tuple[str, str]]) -> str:
    """`client_version` as ESP read it (0 when absent or not a number: the service's own)."""
    shown = f"{client_version if client_version > 0 else atof(version):.2f}"
    q = link_params(args, version)
    ops = sorted(op_names)
    forms = "".join(f'<li><a href="{op}{q}&form">{op}</a></li>' for op in ops)
    wsdls = "".join(f'<li><a href="{op}{q}&wsdl">{op}</a></li>' for op in ops)
    return (f"{HEAD}<h1>{service}</h1><h2>Version: {shown}, Build: {BUILD}</h2>"
            "For complete sets of example messages:<br/>"
            f'<ul><li><a href="{q}&reqxml_">XML Requests</a></li>'
            f'<li><a href="{q}&respxml_">XML Responses</a></li>'
            f'<li><a href="{q}&respjson_">JSON Responses</a></li></ul>'
            f"The following operations are supported:<br/><ul>{forms}</ul>"
            f'<br/>For a formal definition, please review the <a href="{q}&wsdl">WSDL Definition</a>'
            " for this service, <br/><br/>or the individual WSDL definitions for each operation: "
            f"<ul>{wsdls}</ul>{TAIL}")


def not_found_page() -> str:
    return f"{HEAD}<h1>Page Not Found</h1>{TAIL}"


def unsupported_method_page(method: str) -> str:
    return f"{HEAD}<h1>Unsupported http method {escape(method)}</h1>{TAIL}"


def exceptions_page(source: str, code: int, message: str) -> str:
    """ESP's exceptions.xslt page: reporter, a Code/Message table and a Go Back button."""
    return (f"{HEAD}<h3>Exception(s) occurred:</h3><p>Reporter: {escape(source)}</p>"
            "<table border='1'><tr><th>Code</th><th>Message</th></tr>"
            f"<tr><td>{code}</td><td>{escape(message)}</td></tr></table>"
            "<input type='button' value='Go Back' onclick='history.go(-1)'>"
            f"{TAIL}")


def root_page(services: list[tuple[str, str]], routes: list[tuple[str, str, str]] = (),
              links: list[tuple[str, str]] = ()) -> str:
    """The emulator's front page: the services (index page and WSDL of each), then `routes`
    (method, path, what it does) and `links` (title, URL). Not an ESP page: ESP's root is ECL Watch."""
    items = "".join(f'<li><a href="/{name}/">{name}</a> {version} (<a href="/{name}/?wsdl">WSDL</a>)</li>'
                    for name, version in services)
    rows = "".join(f"<li><code>{escape(method)} <a href=\"{escape(path)}\">{escape(path)}</a></code> {escape(text)}</li>"
                   if method == "GET" and "<" not in path else
                   f"<li><code>{escape(method)} {escape(path)}</code> {escape(text)}</li>" for method, path, text in routes)
    docs = "".join(f'<li><a href="{escape(url)}">{escape(title)}</a></li>' for title, url in links)
    return (f"{HEAD}<h1>hpccemu {escape(__version__)}</h1><p>Emulated ESP services:</p><ul>{items}</ul>"
            + (f"<p>The emulator's own routes:</p><ul>{rows}</ul>" if rows else "")
            + (f"<p>Documentation:</p><ul>{docs}</ul>" if docs else "") + TAIL)
