"""What HPCC's system library (jlib) does for the rest of the engine, on hostile input.

* ``wildcards`` - WildMatch (``*``, ``?``) in time that does not explode
* ``safexml``   - parsing untrusted XML (no DTDs, no entities, no network), as jptree reads it
"""
