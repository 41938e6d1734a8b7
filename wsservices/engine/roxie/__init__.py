"""The emulated Roxie: published queries and what they read.

* ``publish`` - the query sets on the store: publishing, aliases, a query's files and keys
* ``keys``    - key indexes over the records of logical files, for keyed lookups
* ``server``  - per target: queries loaded through the package maps, their locks, lookups
"""
