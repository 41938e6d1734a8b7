"""The base of every emulated ESP service, and its spyne Application.

A service subclass names its generated contract module and implements operations as plain
methods named after them (`def DropZoneFiles(self, req)`), each taking the request model and
returning the response model. Operations of the contract without a method answer with an
inline exception saying the emulator does not implement them yet.

The spyne Application is built from the contract: one `@rpc` per operation with the exact
request and response element names (document/literal, bare), forwarding to the method. It
gives the WSDL and the operation descriptors; ESP's own wire rules live in `binding`.
"""
from __future__ import annotations

import warnings
from functools import cached_property
from types import ModuleType
from typing import Any

from wsservices.engine.errors import NotImplementedByEmulator
from wsservices.esp import clientversion
from wsservices.esp.types import Operation

with warnings.catch_warnings():
    warnings.simplefilter("ignore")
    from spyne import Application, ServiceBase, rpc
    from spyne.protocol.soap import Soap11


class EspService:
    """One ESP service: its contract, its implementation and how ESP names things."""

    contract: ModuleType
    #: the service's client version table, generated from its ECM (`esp.ecmgen`)
    versions: ModuleType | None = None
    #: type names ESP marks [nil_remove]: their unset fields are omitted, not written empty
    nil_remove: frozenset[str] = frozenset()
    #: the inline Exceptions of a SOAP answer carry no top-level Source
    always_nil_remove = frozenset({"ArrayOfEspException"})
    #: operations this emulator adds beyond the contract WSDL (newer ECM versions)
    extra_operations: tuple[Operation, ...] = ()

    #: operations whose errors ESP forwards with FORWARDEXCEPTION (a `YYYY-MM-DD HH:MM:SS GMT: `
    #: prefix); None: all of them. The others pass an engine message through unchanged.
    timestamped_operations: frozenset[str] | None = None

    #: lower-cased names of HTTP-only methods that read their own (large) body, e.g. uploads
    streaming_handlers: frozenset[str] = frozenset()

    #: the running ESP's security (set by `make_app`); None: no checks at all
    guard: Any = None

    def __init_subclass__(cls, **kwargs: Any) -> None:
        super().__init_subclass__(**kwargs)
        if cls.__dict__.get("versions") is not None:
            clientversion.register(cls.contract.NAMESPACE, cls.versions)

    def __init__(self, cluster: Any, guard: Any = None):
        self.cluster = cluster
        self.guard = guard

    # -- naming ------------------------------------------------------------
    @property
    def name(self) -> str:
        return self.contract.SERVICE

    @property
    def version(self) -> str:
        """The service's version (the ECM's `version`: `version_`, the index page); the
        contract models are the official WSDL's, of `contract.VERSION`."""
        return self.versions.VERSION if self.versions else self.contract.VERSION

    @property
    def default_client_version(self) -> float:
        """What a GET without `ver_` (or with 0) is served as: the ECM's default_client_version."""
        return float(self.versions.DEFAULT_CLIENT_VERSION) if self.versions else float(self.version)

    def get_version(self, sent: float) -> float:
        """The version a GET/form call runs as (`clientversion.for_get`)."""
        return clientversion.for_get(sent, self.default_client_version)

    def call_version(self, op: Operation, sent: float) -> float:
        """The version a SOAP/JSON call runs as (`clientversion.for_call`)."""
        return clientversion.for_call(sent, clientversion.method_min_version(self.namespace, op.name))

    def too_old(self, op: Operation, version: float) -> bool:
        return clientversion.too_old(version, clientversion.method_min_version(self.namespace, op.name))

    def wsdl_version(self, sent: float) -> float:
        """The version `?wsdl`/`?xsd` describe (httpbinding.hpp getVersion: 0 is the default)."""
        return self.default_client_version if sent == 0 else sent

    @property
    def client_version(self) -> float | None:
        """The client version of the call being served (None outside a call)."""
        return clientversion.current()

    @property
    def namespace(self) -> str:
        return self.contract.NAMESPACE

    @cached_property
    def operations(self) -> dict[str, Operation]:
        ops = list(self.contract.OPERATIONS) + list(self.extra_operations)
        return {op.name: op for op in sorted(ops, key=lambda o: o.name)}

    @cached_property
    def _by_call_name(self) -> dict[str, Operation]:
        table: dict[str, Operation] = {}
        for op in self.operations.values():
            table.setdefault(op.request_name.lower(), op)
        for op in self.operations.values():  # a method name wins over a request type name
            table[op.name.lower()] = op
        return table

    @cached_property
    def omit_unset(self) -> frozenset[str]:
        return self.nil_remove | self.always_nil_remove

    def find_operation(self, call_name: str) -> Operation | None:
        """The operation a call element or URL names: method or request type, any case."""
        return self._by_call_name.get(call_name.lower())

    def timestamps_errors(self, op_name: str) -> bool:
        return self.timestamped_operations is None or op_name in self.timestamped_operations

    def implemented(self, op_name: str) -> bool:
        return callable(getattr(type(self), op_name, None))

    # -- calling -----------------------------------------------------------
    def invoke(self, op: Operation, request: Any, version: float | None = None) -> Any:
        """Run one operation, for a client of `version` (None: as ESP's -1, everything),
        once the user's feature permission allows it; engine errors propagate to the ESP layer."""
        self.check_feature(op.name)
        if not self.implemented(op.name):
            raise NotImplementedByEmulator(
                f"{self.name}::{op.name} is not implemented by this emulator yet.")
        token = clientversion.serving(version)
        try:
            return getattr(self, op.name)(request)
        finally:
            clientversion.done(token)

    # -- security (wsservices/esp/guard.py) --------------------------------
    def check_feature(self, method: str) -> None:
        if self.guard is not None:
            self.guard.check_feature(self.name, method)

    def require_scope(self, logical_name: str | None, level: Any) -> None:
        """Refuse (Dali's DFS access error) unless the user has `level` on the name's scope."""
        if self.guard is not None and logical_name:
            self.guard.require_scope(logical_name, level)

    def scope_visible(self) -> Any:
        """A predicate on file scopes for listings, or None when everything is visible."""
        return self.guard.scope_visible() if self.guard is not None else None

    @property
    def authenticated_user(self) -> str | None:
        return self.guard.user() if self.guard is not None else None

    def http_handlers(self) -> dict[str, Any]:
        """HTTP-only pseudo-methods (FileSpray's UploadFile, DownloadFile): lower-cased name ->
        `handler(werkzeug_request, params) -> werkzeug Response`. None by default."""
        return {}

    def Ping(self, req: Any) -> Any:
        return self.operations["Ping"].response()

    # -- spyne -------------------------------------------------------------
    @classmethod
    def spyne_application(cls) -> Application:
        ops = list(cls.contract.OPERATIONS) + list(cls.extra_operations)
        methods = {op.name: _rpc_stub(op) for op in ops}
        service = type(cls.contract.SERVICE, (ServiceBase,), methods)
        return Application([service], tns=cls.contract.NAMESPACE, name=cls.contract.SERVICE,
                           in_protocol=Soap11(validator="soft"), out_protocol=Soap11())


def _rpc_stub(op: Operation):
    """An `@rpc` function for `op` that forwards to the EspService in `ctx.udc`."""
    options = dict(_returns=op.response, _body_style="bare",
                   _in_message_name=op.request_name, _out_message_name=op.response_name)
    if op.request._type_info:
        def stub(ctx, request):
            return ctx.udc.invoke(op, request)
        stub.__name__ = stub.__qualname__ = op.name
        return rpc(op.request, **options)(stub)

    def stub(ctx):
        return ctx.udc.invoke(op, op.request())
    stub.__name__ = stub.__qualname__ = op.name
    return rpc(**options)(stub)
