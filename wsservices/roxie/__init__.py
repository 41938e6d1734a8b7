"""The emulated Roxie's HTTP side: the WsEcl query endpoint (`wsecl`) and the control routes
that publish queries (`control`, mounted under /hpccemu/roxie/...; importing this package
registers them). The engine is wsservices/engine/roxie.py."""

from wsservices.roxie import control

__all__ = ["control"]
