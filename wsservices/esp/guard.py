"""The security of one running ESP: who the request's user is, and what they may do.

The binding authenticates each request (`authenticate`) and runs the rest of it with
`auth.current_user` set; `EspService.invoke` checks the method's feature (`check_feature`) before
the method runs; service methods check logical-file scopes (`require_scope`) and hand the engine
a `scope_visible` predicate for listings. With no ``htpasswd`` configured every check passes, as
on a cluster without security.
"""
from __future__ import annotations

from typing import Callable

from werkzeug.wrappers import Request

from wsservices.engine.access import Level, SecurityConfig
from wsservices.engine.errors import PermissionDenied
from wsservices.esp import auth, features

#: the address Dali's access-denied messages name (the emulated Dali is in-process)
DALI_ADDRESS = "127.0.0.1"


class Guard:
    def __init__(self, config: SecurityConfig):
        self.config = config
        self.passwords = auth.HtpasswdFile(config.htpasswd) if config.htpasswd is not None else None

    @property
    def enabled(self) -> bool:
        return self.passwords is not None

    def authenticate(self, request: Request, body: bytes | None = None) -> str | None:
        """The user the request's credentials prove, or None."""
        found = auth.credentials(request, body)
        if found is None or self.passwords is None:
            return None
        user, password = found
        return user if user and self.passwords.check(user, password) else None

    # -- checks on the current request's user ------------------------------------------------
    @staticmethod
    def user() -> str | None:
        return auth.current_user.get()

    def is_admin(self) -> bool:
        user = self.user()
        return not self.enabled or (user is not None and self.config.is_admin(user))

    def check_feature(self, service: str, method: str) -> None:
        """Raise ESP's denial when the user lacks the feature level `method` needs."""
        need = features.requirement(service, method)
        user = self.user()
        if not self.enabled or need is None or user is None:
            return
        while need is not None:
            if self.config.feature_level(user, need.feature) < need.level:
                raise need.denial(service, method)
            need = need.then

    def require_scope(self, logical_name: str, level: Level) -> None:
        """Dali's checkLogicalName: Read for lookups, Write for creating, changing, deleting."""
        user = self.user()
        if not self.enabled or user is None or not logical_name.strip():
            return
        have = self.config.scope_level(user, logical_name)
        if have >= level:
            return
        scope = "::".join(p.strip() for p in logical_name.strip().lstrip("~").lower().split("::")[:-1])
        if level >= Level.WRITE:
            raise PermissionDenied.create_scope(scope, user, int(have), have.title)
        raise PermissionDenied.lookup_scope(scope, user, int(have), have.title, DALI_ADDRESS)

    def scope_visible(self) -> Callable[[str], bool] | None:
        """A predicate on a file's scope for listings (View, i.e. Access, needed), or None."""
        user = self.user()
        if not self.enabled or user is None or not (self.config.scopes or self.config.default_access < Level.ACCESS):
            return None
        config = self.config
        return lambda scope: config.scope_level(user, scope or "", is_scope=True) >= Level.ACCESS
