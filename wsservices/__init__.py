"""hpccemu: an emulator of HPCC Systems' FileSpray, WsDfu and WsPackageProcess ESP services."""

__version__ = "0.1.0"
