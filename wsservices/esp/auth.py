"""Authentication as ESP's htpasswd security manager does it, per request (esp-protocol.md A.9).

With ``htpasswd`` configured, every request to a service, its form and JSON pages, WsEcl and the
control endpoint needs ``Authorization: Basic base64(user:password)`` (a ``domain\\user`` name
is taken without its domain) or, on a SOAP POST, a ``Security/UsernameToken`` header block.
Missing or wrong credentials get ESP's challenge (httptransport.cpp sendBasicChallenge):
``401 Unauthorized``, ``WWW-Authenticate: Basic realm="ESP (Authentication: HTPASSWD Security
Manager)"``, and the "ESP - Access Denied" HTML page, except for requests that cannot be
redirected (a ``.json``/``.xml`` suffix, ``rawxml_``, SOAP or JSON bodies), which get no body.

The htpasswd file is reread when it changes. Entries may be bcrypt (``$2y$``, checked with the
bcrypt library), apr1 MD5, ``{SHA}`` or crypt (passlib). A verified password is remembered (as
a hash) so that bcrypt's cost is paid once per user and password.

Not emulated: ESP's "mixed" mode redirect of a browser GET to ``/esp/files/Login.html`` and
session logins (the binding behaves as ``AuthPerRequestOnly``), workunit tokens as passwords.
"""
from __future__ import annotations

import base64
import contextvars
import hashlib
import threading
from pathlib import Path

import bcrypt
from passlib.hash import apr_md5_crypt, des_crypt, ldap_sha1, md5_crypt
from werkzeug.wrappers import Request, Response

from wsservices.engine.jlib import safexml

REALM = "ESP (Authentication: HTPASSWD Security Manager)"
ACCESS_DENIED_PAGE = (
    '<html xmlns="http://www.w3.org/1999/xhtml"><head>'
    '<meta http-equiv="Content-Type" content="text/html; charset=utf-8"/>'
    "<title>ESP - Access Denied</title>"
    "<script type='text/javascript'>function closeWin() { top.opener=top; top.close(); }</script>"
    '</head><body onload="javascript:closeWin();">'
    "<b>Access Denied -- Valid username and password required!</b></body></html>")

#: the authenticated user of the request being served (None when authentication is off)
current_user: contextvars.ContextVar[str | None] = contextvars.ContextVar("hpccemu_user", default=None)


class HtpasswdFile:
    """The users of an htpasswd file: ``name:hash`` lines."""

    def __init__(self, path: Path):
        self.path = Path(path)
        self._lock = threading.Lock()
        self._stamp: tuple[int, int] | None = None
        self._hashes: dict[str, str] = {}
        self._verified: set[bytes] = set()
        self._load()

    def _load(self) -> None:
        stat = self.path.stat()  # a missing file is a start-up error, not an open door
        stamp = (stat.st_mtime_ns, stat.st_size)
        if stamp == self._stamp:
            return
        hashes = {}
        for line in self.path.read_text("utf-8", "replace").splitlines():
            name, sep, hashed = line.strip().partition(":")
            if sep and name and not name.startswith("#"):
                hashes[name] = hashed.strip()
        self._hashes, self._stamp, self._verified = hashes, stamp, set()

    def check(self, user: str, password: str) -> bool:
        with self._lock:
            try:
                self._load()
            except OSError:
                return False
            hashed = self._hashes.get(user)
            if hashed is None:
                return False
            key = hashlib.sha256(f"{user}\0{password}\0{hashed}".encode("utf-8", "surrogatepass")).digest()
            if key in self._verified:
                return True
        ok = _verify(password, hashed)
        if ok:
            with self._lock:
                self._verified.add(key)
        return ok


def _verify(password: str, hashed: str) -> bool:
    try:
        if hashed.startswith(("$2y$", "$2b$", "$2a$")):
            secret = password.encode("utf-8")
            return len(secret) <= 72 and bcrypt.checkpw(secret, hashed.encode("ascii"))
        for scheme in (apr_md5_crypt, ldap_sha1, md5_crypt, des_crypt):
            if scheme.identify(hashed):
                return scheme.verify(password, hashed)
    except (ValueError, TypeError, UnicodeError):
        return False
    return False  # plain-text entries are refused, as Apache does on Linux


def credentials(request: Request, body: bytes | None = None) -> tuple[str, str] | None:
    """(user, password) from Basic auth, else from a SOAP ``Security/UsernameToken`` header."""
    header = request.headers.get("Authorization", "")
    scheme, _, value = header.partition(" ")
    if scheme.lower() == "basic" and value.strip():
        try:
            text = base64.b64decode(value.strip(), validate=True).decode("utf-8")
        except (ValueError, UnicodeError):
            return None
        user, sep, password = text.partition(":")
        return (user.rpartition("\\")[2], password) if sep else None
    if body and b"UsernameToken" in body:
        return _soap_token(body)
    return None


def _soap_token(body: bytes) -> tuple[str, str] | None:
    try:
        root = safexml.parse(body)
    except safexml.XmlError:
        return None
    found = {}
    for el in root.iter():
        if isinstance(el.tag, str):
            local = el.tag.rpartition("}")[2]
            if local in ("Username", "Password") and local not in found:
                found[local] = (el.text or "").strip()
    return (found["Username"], found.get("Password", "")) if "Username" in found else None


def challenge(request: Request, with_page: bool) -> Response:
    """ESP's 401: the Basic challenge, with the Access Denied page when ESP could redirect."""
    headers = {"WWW-Authenticate": f'Basic realm="{REALM}"'}
    if with_page:
        return Response(ACCESS_DENIED_PAGE, 401, headers=headers, content_type="text/html; charset=UTF-8")
    response = Response(b"", 401, headers=headers)
    del response.headers["Content-Type"]
    return response
