"""hpccemu: clients and test helpers for HPCC Systems' data-handling ESP services.

Installed as the `hpccemu` package (the source folder is `clients/`).
"""
