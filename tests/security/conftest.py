"""A second live emulator with security on: an htpasswd file (bcrypt, apr1 and SHA entries), an
administrator, a group with reduced feature permissions and a user without access to the
``secret`` scope. Module-scoped: each test module gets its own server and data dir."""
from __future__ import annotations

import base64

import bcrypt
import pytest
import requests
from passlib.hash import apr_md5_crypt, ldap_sha1

from hpccemu.testing import ThreadedEmulator

PASSWORDS = {"admin": "s3cret-admin", "bob": "bob-pw", "carol": "carol-pw", "dave": "dave-pw"}

CONFIG = """
[security]
htpasswd = "users.htpasswd"
admins = ["admin"]

[security.groups]
readers = ["carol"]

[security.features.readers]
FileSprayAccess = "Read"
DfuAccess = "Read"
PackageMapAccess = "Read"
DfuWorkunitsAccess = "Read"
FileUploadAccess = "None"

[security.scopes.bob]
"secret" = "None"
"secret::shared" = "Read"

[security.scopes.dave]
"secret::*" = "View"
"""


def write_config(tmp, extra: str = "") -> str:
    lines = [f"admin:{bcrypt.hashpw(PASSWORDS['admin'].encode(), bcrypt.gensalt(rounds=4)).decode()}",
             f"bob:{apr_md5_crypt.hash(PASSWORDS['bob'])}",
             f"carol:{ldap_sha1.hash(PASSWORDS['carol'])}",
             f"dave:{apr_md5_crypt.hash(PASSWORDS['dave'])}"]
    (tmp / "users.htpasswd").write_text("\n".join(lines) + "\n")
    (tmp / "hpccemu.toml").write_text(CONFIG + extra)
    return str(tmp / "hpccemu.toml")


def basic(user: str, password: str | None = None) -> str:
    password = PASSWORDS[user] if password is None else password
    return "Basic " + base64.b64encode(f"{user}:{password}".encode()).decode()


@pytest.fixture(scope="module")
def secure(tmp_path_factory):
    tmp = tmp_path_factory.mktemp("secure")
    with ThreadedEmulator(config_file=write_config(tmp), deterministic=True) as emu:
        yield emu


@pytest.fixture(scope="module")
def surl(secure) -> str:
    return secure.url


def session(user: str) -> requests.Session:
    s = requests.Session()
    s.auth = (user, PASSWORDS[user])
    return s
