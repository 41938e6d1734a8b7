"""The emulated Roxie's HTTP side: the WsEcl query endpoint (`wsecl`) and the control routes
that publish queries (`control`, mounted under /hpccemu/roxie/... by wsservices/control.py).
The engine is wsservices/engine/roxie/ (server.py)."""
